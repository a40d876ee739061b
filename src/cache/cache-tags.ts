import type { CacheEntityRecord } from '@envelop/response-cache';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { parseNodePoolId } from '../resolvers/ids.js';

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

/** Root fields whose answer is a list or count of the scope's pools. */
const LIST_FIELDS: ReadonlySet<string> = new Set(['nodePools', 'nodePoolCount', 'legacyNodePools']);

/**
 * The tags of an answer, from the entities the response cache collected
 * (`NodePool` with its global id, `LegacyNodePool` with its integer id, or a
 * type alone when a field of it came back null or empty) and from the
 * operation's root fields.
 */
export function tagsOf(
  entities: Iterable<CacheEntityRecord>,
  scope: string,
  listsAtRoot: boolean,
): CacheEntityRecord[] {
  const tags = new Set<string>();
  if (listsAtRoot) tags.add(listTag(scope));
  for (const { typename, id } of entities) {
    if (!POOL_TYPES.has(typename)) continue;
    tags.add(id === undefined ? listTag(scope) : poolTag(parseNodePoolId(String(id))));
  }
  return [...tags].map((typename) => ({ typename }));
}

/**
 * Whether an operation lists or counts pools at its root. A fragment at the
 * root counts as yes: it may.
 */
export function listsAtRoot(operation: OperationDefinitionNode | null | undefined): boolean {
  if (!operation) return true;
  return operation.selectionSet.selections.some(
    (selection) => selection.kind !== Kind.FIELD || LIST_FIELDS.has(selection.name.value),
  );
}

/** Whether an operation asks only for introspection (`__schema`, `__type`, `__typename`): the same for every caller. */
export function introspectionOnly(operation: OperationDefinitionNode | null | undefined): boolean {
  return (
    operation?.operation === 'query' &&
    operation.selectionSet.selections.every(
      (selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith('__'),
    )
  );
}
