/**
 * Fields the federation router reads with its secret (ROUTER_SECRET) and no
 * Run:ai token: `_service { sdl }`, which composition needs before any
 * caller's token is at hand. src/graphql/plugins/use-require-credentials.ts lets
 * them through without credentials for a request that carried the secret.
 */

/** The `extensions` key that marks such a field. */
export const SERVED_TO_ROUTER = 'servedToRouter';

/** A field's `extensions` marking it as one the router's secret may read. */
export function servedToRouter() {
  return { [SERVED_TO_ROUTER]: true };
}
