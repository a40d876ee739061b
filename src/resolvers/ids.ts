import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { InputValidationError } from './errors.js';

const RAW_ID = /^\d+$/;

/** The Relay global id of a node pool. */
export function nodePoolGlobalId(runaiId: string): string {
  return encodeGlobalID('NodePool', runaiId);
}

/**
 * Reads a node pool id given either as a Relay global id or as the raw
 * Run:ai id (`"5"`). Anything else (another type's global id, garbage) is
 * invalid input, refused before any call to Run:ai.
 */
export function parseNodePoolId(id: string, argument = 'id'): string {
  const trimmed = id.trim();
  if (RAW_ID.test(trimmed)) return trimmed;
  let decoded: { typename: string; id: string } | undefined;
  try {
    decoded = decodeGlobalID(trimmed);
  } catch {
    decoded = undefined;
  }
  if (decoded?.typename === 'NodePool') {
    if (RAW_ID.test(decoded.id)) return decoded.id;
    throw new InputValidationError([
      {
        path: argument,
        message: `is a NodePool global id, but its Run:ai id '${decoded.id}' is not numeric`,
      },
    ]);
  }
  const problem =
    decoded && /^[A-Z][A-Za-z0-9]*$/.test(decoded.typename)
      ? `is the global id of a ${decoded.typename}, not of a NodePool`
      : 'is neither a NodePool global id nor a numeric Run:ai node pool id';
  throw new InputValidationError([{ path: argument, message: problem }]);
}
