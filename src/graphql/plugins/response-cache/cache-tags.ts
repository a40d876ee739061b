import type { CacheEntityRecord } from '@envelop/response-cache';
import { parseNodePoolId } from '../../../domain/ids.js';

/**
 * The tags of a cached answer, by which it is dropped:
 * - `pool:<Run:ai id>`, for every pool it shows, whatever the scope: a pool
 *   that changed is stale for everyone who sees it;
 * - `list:<scope>`, for the answers whose rows a change could add, remove
 *   or reorder: pool lists and counts, and pool fields that came back empty.
 */
export const poolTag = (runaiId: string) => `pool:${runaiId}`;
export const listTag = (scope: string) => `list:${scope}`;

/** The types that show a node pool, with their `id` field as the response cache collects it. */
const POOL_TYPES: ReadonlySet<string> = new Set(['NodePool', 'LegacyNodePool']);

/**
 * The tags of an answer, from the entities the response cache collected
 * (`NodePool` with its global id, `LegacyNodePool` with its integer id, or a
 * type alone when a field of it came back null or empty) and from the
 * operation's root fields.
 */
export function tagsOf(entities: Iterable<CacheEntityRecord>, scope: string, listsAtRoot: boolean): string[] {
  const tags = new Set<string>();
  if (listsAtRoot) tags.add(listTag(scope));
  for (const { typename, id } of entities) {
    if (!POOL_TYPES.has(typename)) continue;
    tags.add(id === undefined ? listTag(scope) : poolTag(parseNodePoolId(String(id))));
  }
  return [...tags];
}
