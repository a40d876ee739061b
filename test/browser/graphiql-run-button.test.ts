import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEED_CLUSTERS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { LIVE, phaseEvent, useGraphiQL, watchPool } from './graphiql-fixture.js';
import {
  clickRun,
  EDITOR,
  expectOfflineAndClean,
  graphqlResponse,
  monacoText,
  poolNamed,
  replaceEditorText,
  resultJson,
  showEditorTool,
} from './graphiql-page.js';

/**
 * GraphiQL in a real browser: its Run button runs queries, mutations (with the variables typed in its
 * pane) and subscriptions against the embedded simulator, and its result pane shows what came back.
 */

const SCREENSHOT = fileURLToPath(new URL('../../test-results/graphiql.png', import.meta.url));
const QUERY = '{ nodePools(first: 5) { edges { node { name phase clusterName } } } }';

const g = useGraphiQL();

describe('GraphiQL in headless Chromium: the Run button', () => {
  it('runs a query and shows its result, offline', async () => {
    const { page, pageErrors, response, outside } = await g.open(QUERY);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await expect.poll(() => monacoText(page, EDITOR.operation)).toBe(QUERY);

    const execution = graphqlResponse(page, g.url, 'POST', 'nodePools');
    await clickRun(page);
    const executed = await execution;
    expect(executed.status()).toBe(200);
    const sent = JSON.parse(executed.request().postData() ?? '{}') as { query?: string };
    expect(sent.query?.replace(/\s+/g, '')).toBe(QUERY.replace(/\s+/g, ''));
    const body = (await executed.json()) as {
      data?: { nodePools?: { edges?: { node: { name: string; phase: string; clusterName: string } }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    const names = body.data?.nodePools?.edges?.map((edge) => edge.node.name);
    expect(names).toHaveLength(5);
    expect(names).toEqual(expect.arrayContaining(['default', 'a100']));
    // The result pane shows that same response.
    await expect.poll(() => resultJson(page)).toEqual(body);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expectOfflineAndClean(outside, pageErrors);
  });

  it('runs a createNodePool mutation whose input is typed in the variables pane', async () => {
    const mutation = `mutation Create($input: CreateNodePoolInput!) {
  createNodePool(input: $input) {
    __typename
    ... on CreateNodePoolPayload { nodePool { name clusterName phase placementStrategy { cpu gpu } } }
    ... on Error { message }
  }
}`;
    const input = {
      clusterId: SEED_CLUSTERS.research.id,
      name: 'from-graphiql',
      labelKey: 'node-pool-type',
      labelValue: 'a10',
      placementStrategy: { cpu: 'spread', gpu: 'binpack' },
    };
    const { page, pageErrors, outside } = await g.open(mutation);
    await showEditorTool(page, 'Variables');
    await replaceEditorText(page, EDITOR.variables, JSON.stringify({ input }));

    const execution = graphqlResponse(page, g.url, 'POST', 'createNodePool');
    await clickRun(page);
    const executed = await execution;
    expect(JSON.parse(executed.request().postData() ?? '{}').variables).toEqual({ input });
    const expected = {
      data: {
        createNodePool: {
          __typename: 'CreateNodePoolPayload',
          nodePool: {
            name: 'from-graphiql',
            clusterName: SEED_CLUSTERS.research.name,
            phase: 'Creating',
            placementStrategy: { cpu: 'spread', gpu: 'binpack' },
          },
        },
      },
    };
    expect(await executed.json()).toEqual(expected);
    await expect.poll(() => resultJson(page)).toEqual(expected);
    // Run:ai received the variables' input, with the demo token.
    const created = g.simulator.requests.filter((r) => r.operation === 'create_nodepool');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ method: 'POST', token: 'demo-admin', status: 201 });
    expect(created[0]?.body).toMatchObject({
      name: 'from-graphiql',
      clusterId: input.clusterId,
      labelValue: 'a10',
    });
    expectOfflineAndClean(outside, pageErrors);
  });

  it('runs a subscription and shows a pool phase change live in the result pane', async () => {
    const h100 = await poolNamed(g.url, 'demo-admin', 'h100');
    expect(h100.phase).toBe('Ready');
    const { page, pageErrors, outside } = await g.open(watchPool(h100.runaiId));
    await g.startSubscription(page, 'demo-admin');

    g.simulator.setPhase(h100.runaiId, 'Unschedulable', 'cordoned by the test');
    await expect.poll(() => resultJson(page), LIVE).toEqual(phaseEvent('Ready', 'Unschedulable', h100));
    g.simulator.setPhase(h100.runaiId, 'Ready');
    await expect.poll(() => resultJson(page), LIVE).toEqual(phaseEvent('Unschedulable', 'Ready', h100));

    // The same button stops the subscription, which releases its watcher.
    await clickRun(page);
    await expect.poll(() => g.app.live?.subscriptions, LIVE).toBe(0);
    expectOfflineAndClean(outside, pageErrors);
  });
});
