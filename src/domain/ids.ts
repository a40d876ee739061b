import { encodeGlobalID } from '@pothos/plugin-relay';

/**
 * A Run:ai node pool id as Run:ai writes it: digits without leading zeros, at most a 64-bit integer's 19.
 * One spelling per pool, so that loaders, shared calls and the response cache's tags see one key.
 */
const RAW_ID = /^(0|[1-9]\d{0,18})$/;
/** Digits with leading zeros: a pool's id in a spelling of its own, refused with a message that says so. */
const PADDED = /^0\d{1,18}$/;
const PADDED_PROBLEM = 'must be written without leading zeros, as Run:ai writes ids';
/** Standard base64, as Relay global ids are written; longer ids name no pool. */
const GLOBAL_ID = /^[A-Za-z0-9+/]{4,96}={0,2}$/;
/** The object types a global id may name (those implementing Node). */
const NODE_TYPES = ['NodePool'];

/** The Relay global id of a node pool. */
export function nodePoolGlobalId(runaiId: string): string {
  return encodeGlobalID('NodePool', runaiId);
}

/** The type name and id a Relay global id holds, or undefined when it is not one. */
function decodeGlobalId(id: string): { typename: string; id: string } | undefined {
  if (!GLOBAL_ID.test(id)) return undefined;
  const text = Buffer.from(id, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { typename: text.slice(0, colon), id: text.slice(colon + 1) };
}

/**
 * Why `id` names no node pool, or undefined when it does. A pool is named by
 * its Relay global id or by its raw Run:ai id (`"5"`: digits, no leading zeros).
 */
export function nodePoolIdProblem(id: string): string | undefined {
  if (RAW_ID.test(id)) return undefined;
  if (PADDED.test(id)) return PADDED_PROBLEM;
  const decoded = decodeGlobalId(id);
  if (!decoded) return 'is neither a NodePool global id nor a numeric Run:ai node pool id';
  if (decoded.typename !== 'NodePool') {
    return /^[A-Z][A-Za-z0-9]{0,63}$/.test(decoded.typename)
      ? `is the global id of a ${decoded.typename}, not of a NodePool`
      : 'is neither a NodePool global id nor a numeric Run:ai node pool id';
  }
  if (PADDED.test(decoded.id)) return `is a NodePool global id whose Run:ai id ${PADDED_PROBLEM}`;
  return RAW_ID.test(decoded.id) ? undefined : 'is a NodePool global id, but its Run:ai id is not numeric';
}

/** Why `id` is not the global id of an object (`node(id:)`), or undefined when it is one. */
export function globalIdProblem(id: string): string | undefined {
  const decoded = decodeGlobalId(id);
  if (!decoded) return 'is not a global id';
  if (!NODE_TYPES.includes(decoded.typename)) return 'is not the global id of an object of this API';
  if (PADDED.test(decoded.id)) return `is a NodePool global id whose Run:ai id ${PADDED_PROBLEM}`;
  return RAW_ID.test(decoded.id) ? undefined : 'is not the global id of an object of this API';
}

/**
 * The raw Run:ai id of a node pool id that the argument rules accepted
 * ({@link nodePoolIdProblem}): a raw id as it is, a global id decoded.
 */
export function parseNodePoolId(id: string): string {
  return RAW_ID.test(id) ? id : (decodeGlobalId(id)?.id ?? id);
}
