import { DASHBOARD, refetchDocument, THREE_ALIAS_METRICS } from '../lib/documents.js';
import { startGateway, startSimulator } from '../lib/processes.js';
import { clearCalls, total, upstreamCalls } from '../lib/simulator-control.js';
import type { Scenario } from '../lib/types.js';

async function post(url: string, query: string): Promise<void> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
}

/** Upstream calls per query: exact counts, the same on every machine. */
export const callBudget: Scenario = async () => {
  const simulator = await startSimulator(80);
  // The response cache off: this scenario counts the calls of each document, sent again and again (the cache's own: response-cache.ts).
  const gateway = await startGateway(simulator.url, { RESPONSE_CACHE_TTL_SECONDS: '0' });
  try {
    const measure = async (query: string) => {
      await clearCalls(simulator.url);
      await post(gateway.url, query);
      return upstreamCalls(simulator.url);
    };
    const dashboard = await measure(DASHBOARD);
    const listOnly = await measure('{ nodePools(first: 10) { edges { node { id name } } } }');
    const refetch = await measure(refetchDocument());
    const metrics = await measure(THREE_ALIAS_METRICS);
    const figures = {
      dashboardCalls: total(dashboard),
      dashboardList: dashboard['get_nodepools'] ?? 0,
      dashboardCount: dashboard['count_nodepools'] ?? 0,
      dashboardMetrics: dashboard['get_nodepool_metrics'] ?? 0,
      dashboardNaiveCalls: 1 + 1 + 50 * 3,
      refetchExtraCalls: total(refetch) - total(listOnly),
      threeAliasMetricsCalls: total(metrics),
    };
    return {
      name: 'call budget',
      rows: [
        {
          query: 'reference dashboard (50 pools, 3 aliased metrics)',
          calls: figures.dashboardCalls,
          naive: 152,
          detail: `${figures.dashboardList} list + ${figures.dashboardCount} count + ${figures.dashboardMetrics} metrics`,
        },
        {
          query: 'node refetch of 5 listed pools',
          calls: figures.refetchExtraCalls,
          naive: 5,
          detail: 'extra calls over the list alone',
        },
        {
          query: '3-alias metrics on one pool',
          calls: figures.threeAliasMetricsCalls,
          naive: 4,
          detail: '1 pool GET + 1 metrics call',
        },
      ],
      figures,
      targets: {
        'dashboard = 52 calls': figures.dashboardCalls === 52,
        'refetch adds 0 calls': figures.refetchExtraCalls === 0,
        '3-alias metrics = 2 calls': figures.threeAliasMetricsCalls === 2,
      },
    };
  } finally {
    await gateway.stop();
    await simulator.stop();
  }
};
