import { SEED_CLUSTERS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { LIVE, phaseEvent, TENANT_1002_HEADERS, useGraphiQL, watchPool } from './graphiql-fixture.js';
import {
  clickRun,
  EDITOR,
  expectOfflineAndClean,
  graphqlResponse,
  poolNamed,
  replaceEditorText,
  resultJson,
  showEditorTool,
} from './graphiql-page.js';

/**
 * GraphiQL in a real browser: the headers typed in its Headers pane are the caller's, for queries and for
 * subscriptions alike. Run:ai sees only the token typed there.
 */

const g = useGraphiQL();

describe('GraphiQL in headless Chromium: the token typed in the headers pane', () => {
  it('goes to Run:ai with a query: the result holds only that tenant', async () => {
    const { page, pageErrors, outside } = await g.open(
      '{ nodePools(first: 50) { totalCount edges { node { name clusterName } } } }',
    );
    await showEditorTool(page, 'Headers');
    await replaceEditorText(page, EDITOR.headers, TENANT_1002_HEADERS);
    g.simulator.clearRequests();

    const execution = graphqlResponse(page, g.url, 'POST', 'nodePools');
    await clickRun(page);
    const executed = await execution;
    expect(executed.request().headers()['authorization']).toBe('Bearer demo-admin-2');
    const body = (await executed.json()) as {
      data: { nodePools: { totalCount: number; edges: { node: { name: string; clusterName: string } }[] } };
    };
    expect(body.data.nodePools.totalCount).toBe(3);
    expect(body.data.nodePools.edges.map((edge) => edge.node)).toEqual(
      ['default', 'a100', 't4'].map((name) => ({ name, clusterName: SEED_CLUSTERS.partner.name })),
    );
    await expect.poll(() => resultJson(page)).toEqual(body);
    // Every Run:ai call it made carried tenant 1002's token, the list among them.
    expect(g.simulator.requests.map((r) => r.operation)).toContain('get_nodepools');
    expect(new Set(g.simulator.requests.map((r) => r.token))).toEqual(new Set(['demo-admin-2']));
    expectOfflineAndClean(outside, pageErrors);
  });

  it('goes to Run:ai with a subscription: its watcher polls as that tenant', async () => {
    const t4 = await poolNamed(g.url, 'demo-admin-2', 't4');
    const { page, pageErrors, outside } = await g.open(watchPool(t4.runaiId));
    await showEditorTool(page, 'Headers');
    await replaceEditorText(page, EDITOR.headers, TENANT_1002_HEADERS);
    g.simulator.clearRequests();

    const opened = await g.startSubscription(page, 'demo-admin-2');
    expect(opened.request().headers()['authorization']).toBe('Bearer demo-admin-2');
    await g.simulator.waitForRequest({ operation: 'get_nodepools' });
    expect(g.app.live?.topicCounts.list).toBe(1);

    g.simulator.setPhase(t4.runaiId, 'Unschedulable');
    await expect.poll(() => resultJson(page), LIVE).toEqual(phaseEvent('Ready', 'Unschedulable', t4));
    g.simulator.setPhase(t4.runaiId, 'Ready');
    // The watcher's list calls, and any other call the subscription made, all carried tenant 1002's token.
    expect(g.simulator.countRequests({ operation: 'get_nodepools' })).toBeGreaterThanOrEqual(2);
    expect(new Set(g.simulator.requests.map((r) => r.token))).toEqual(new Set(['demo-admin-2']));
    expectOfflineAndClean(outside, pageErrors);
  });
});
