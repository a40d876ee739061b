import { readFileSync } from 'node:fs';

/** The reference dashboard query: 50 pools, totalCount, three aliased metrics fields per pool. */
export const DASHBOARD = readFileSync(
  new URL('../../test/documents/dashboard.graphql', import.meta.url),
  'utf8',
);

/** The single-pool query of the overhead and throughput scenarios (a few scalar fields). */
export const SINGLE_POOL = '{ nodePool(id: "2") { id name phase clusterName } }';

/** Three aliased metrics fields of one pool over one window: 1 pool GET + 1 metrics call. */
export const THREE_ALIAS_METRICS = `{ nodePool(id: "2") {
  gpu: metrics(types: [GPU_UTILIZATION]) { series { latest { value } } }
  alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU]) { series { latest { value } } }
  cpu: metrics(types: [CPU_UTILIZATION]) { series { latest { value } } }
} }`;

/** Lists 10 pools, then refetches 5 of them by global id in the same document. */
export function refetchDocument(): string {
  const ids = [1, 2, 3, 4, 5].map((n) => JSON.stringify(Buffer.from(`NodePool:${n}`).toString('base64')));
  return `{ nodePools(first: 10) { edges { node { id name } } } nodes(ids: [${ids.join(', ')}]) { id ... on NodePool { phase } } }`;
}
