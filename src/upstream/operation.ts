/**
 * What the typed Run:ai operations (nodepools-api.ts, legacy-api.ts) share
 * besides the call itself (http.ts `call`): path segments and the
 * generator's over-strict request types.
 */
/**
 * Makes `overProvisioningRatio` optional: the generator marks it required only
 * because the spec gives it a default, which Run:ai applies when it is absent.
 */
export type WithOptionalRatio<T extends { overProvisioningRatio: unknown }> = Omit<
  T,
  'overProvisioningRatio'
> & {
  overProvisioningRatio?: T['overProvisioningRatio'];
};

/** One path segment, percent-encoded: an id or a name never changes the path. */
export const seg = (value: string | number): string => encodeURIComponent(String(value));
