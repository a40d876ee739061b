import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { SEED_CLUSTERS, type Simulator } from 'runai-simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/config.js';
import { DEMO_DASHBOARD_QUERY } from '../../src/graphiql.js';
import { type App, buildApp } from '../../src/server.js';
import {
  clickRun,
  EDITOR,
  expectOfflineAndClean,
  graphqlResponse,
  launchChromium,
  monacoText,
  offlineContext,
  openGraphiQL,
  type PoolRow,
  poolNamed,
  replaceEditorText,
  resultJson,
  showEditorTool,
} from './graphiql-page.js';

/**
 * GraphiQL in a real browser: the page the gateway serves at GET /graphql must render and run queries,
 * mutations and subscriptions against the embedded simulator, with the variables and headers typed in its
 * panes, without any request leaving the machine (its assets are inlined).
 *
 * Needs Debian's Chromium: `apt-get install chromium` (never `npx playwright install`).
 */

const SCREENSHOT = fileURLToPath(new URL('../../test-results/graphiql.png', import.meta.url));
const QUERY = '{ nodePools(first: 5) { edges { node { name phase clusterName } } } }';
/** Waits that span a poll of a subscription's watcher (pollIntervalMs 500) or a Run:ai round trip. */
const LIVE = { timeout: 15_000 };
const TENANT_1002_HEADERS = '{"Authorization": "Bearer demo-admin-2"}';
/** The variables demo mode fills in for its dashboard query. */
const DEMO_VARIABLES = { first: 10, window: { samples: 6 } };

/** What the demo dashboard returns per pool, as far as the test reads it. */
interface DashboardNode {
  gpu: { series: { type: string; samples: unknown[] }[] };
  cpu: { series: { type: string }[] };
}

/** A subscription to one pool's phase changes, as typed in the operation editor. */
function watchPool(runaiId: string): string {
  return `subscription { nodePoolPhaseChanged(filter: { ids: ["${runaiId}"] }) { previousPhase phase nodePool { name clusterName } } }`;
}

/** What the result pane shows for one phase change of `row` (each event replaces the one before). */
function phaseEvent(previousPhase: string, phase: string, row: PoolRow) {
  return {
    data: {
      nodePoolPhaseChanged: {
        previousPhase,
        phase,
        nodePool: { name: row.name, clusterName: row.clusterName },
      },
    },
  };
}

describe('GraphiQL in headless Chromium', () => {
  let app: App;
  let url: string;
  let simulator: Simulator;
  let browser: Browser;
  /** Each test gets its own context: GraphiQL keeps tabs and headers in localStorage. */
  let context: BrowserContext | undefined;
  let outside: Set<string>;

  beforeAll(async () => {
    app = buildApp(makeConfig({ logLevel: 'silent', pollIntervalMs: 500 }));
    url = await app.start(0, '127.0.0.1');
    simulator = app.simulator as Simulator;
    browser = await launchChromium();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    // Closing the page ends its subscriptions, and with them the watchers that poll Run:ai.
    await expect.poll(() => app.live?.subscriptions, LIVE).toBe(0);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function open(query?: string, viewport?: { width: number; height: number }) {
    ({ context, outside } = await offlineContext(browser, viewport));
    return openGraphiQL(context, url, query);
  }

  /** Runs the subscription in the editor from the Run button; resolves once its watcher has its first snapshot. */
  async function startSubscription(page: Page, token: string): Promise<Response> {
    const stream = graphqlResponse(page, url, 'GET', 'nodePoolPhaseChanged');
    await clickRun(page);
    const opened = await stream;
    // A refused stream has a body worth showing (an open one never ends: do not read it).
    expect(opened.status(), opened.status() === 200 ? '' : await opened.text()).toBe(200);
    expect(opened.headers()['content-type']).toMatch(/^text\/event-stream/);
    await expect.poll(() => app.live?.subscriptions, LIVE).toBe(1);
    // Changes are measured against the watcher's first snapshot: change a phase only once it is taken.
    await app.live?.ready(token);
    return opened;
  }

  it('opens in demo mode on the dashboard query with its variables, which run without errors', async () => {
    // Tall enough for Monaco to render every line of the query.
    const { page, pageErrors } = await open(undefined, { width: 1400, height: 2000 });
    await expect.poll(() => monacoText(page, EDITOR.operation)).toBe(DEMO_DASHBOARD_QUERY);
    expect(DEMO_DASHBOARD_QUERY).toMatch(/^query Dashboard\(\$first: Int!, \$window: MetricsWindow\) \{$/m);
    await expect
      .poll(async () => JSON.parse(await monacoText(page, EDITOR.variables)))
      .toEqual(DEMO_VARIABLES);

    const execution = graphqlResponse(page, url, 'POST', 'query Dashboard');
    await clickRun(page);
    const executed = await execution;
    expect(JSON.parse(executed.request().postData() ?? '{}').variables).toEqual(DEMO_VARIABLES);
    const body = (await executed.json()) as {
      data?: {
        nodePools: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean };
          edges: { node: DashboardNode }[];
        };
      };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodePools.pageInfo.hasNextPage).toBe(true);
    expect(body.data?.nodePools.totalCount).toBeGreaterThan(10);
    expect(body.data?.nodePools.edges).toHaveLength(10);
    for (const { node } of body.data?.nodePools.edges ?? []) {
      expect(node.gpu.series[0]?.type).toBe('GPU_UTILIZATION');
      expect(node.gpu.series[0]?.samples.length).toBeGreaterThan(0);
      expect(node.cpu.series[0]?.type).toBe('CPU_UTILIZATION');
    }
    // The result pane shows the response (its first lines: the whole of it is taller than the page).
    await expect
      .poll(() => monacoText(page, EDITOR.result))
      .toMatch(/^\{\n {2}"data": \{\n {4}"nodePools": \{/);
    expect(await monacoText(page, EDITOR.result)).not.toContain('"errors"');
    expectOfflineAndClean(outside, pageErrors);
  });

  it('opens outside demo mode on a simple nodePools query, with no variables', async () => {
    const direct = buildApp(makeConfig({ logLevel: 'silent', runaiUrl: simulator.url }));
    try {
      ({ context, outside } = await offlineContext(browser));
      const { page, pageErrors } = await openGraphiQL(context, await direct.start(0, '127.0.0.1'));
      await expect
        .poll(() => monacoText(page, EDITOR.operation))
        .toMatch(/^\{\n {2}nodePools\(first: 5\) \{\n/);
      expect(await monacoText(page, EDITOR.variables)).toBe('');
      expectOfflineAndClean(outside, pageErrors);
    } finally {
      await direct.stop();
    }
  });

  it('runs a query from the Run button and shows its result, offline', async () => {
    const { page, pageErrors, response } = await open(QUERY);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await expect.poll(() => monacoText(page, EDITOR.operation)).toBe(QUERY);

    const execution = graphqlResponse(page, url, 'POST', 'nodePools');
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
    const { page, pageErrors } = await open(mutation);
    await showEditorTool(page, 'Variables');
    await replaceEditorText(page, EDITOR.variables, JSON.stringify({ input }));

    const execution = graphqlResponse(page, url, 'POST', 'createNodePool');
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
    const created = simulator.requests.filter((r) => r.operation === 'create_nodepool');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ method: 'POST', token: 'demo-admin', status: 201 });
    expect(created[0]?.body).toMatchObject({
      name: 'from-graphiql',
      clusterId: input.clusterId,
      labelValue: 'a10',
    });
    expectOfflineAndClean(outside, pageErrors);
  });

  it('runs a subscription from the Run button and shows a pool phase change live in the result pane', async () => {
    const h100 = await poolNamed(url, 'demo-admin', 'h100');
    expect(h100.phase).toBe('Ready');
    const { page, pageErrors } = await open(watchPool(h100.runaiId));
    await startSubscription(page, 'demo-admin');

    simulator.setPhase(h100.runaiId, 'Unschedulable', 'cordoned by the test');
    await expect.poll(() => resultJson(page), LIVE).toEqual(phaseEvent('Ready', 'Unschedulable', h100));
    simulator.setPhase(h100.runaiId, 'Ready');
    await expect.poll(() => resultJson(page), LIVE).toEqual(phaseEvent('Unschedulable', 'Ready', h100));

    // The same button stops the subscription, which releases its watcher.
    await clickRun(page);
    await expect.poll(() => app.live?.subscriptions, LIVE).toBe(0);
    expectOfflineAndClean(outside, pageErrors);
  });

  it('sends the token typed in the headers pane to Run:ai with a query: the result holds only that tenant', async () => {
    const { page, pageErrors } = await open(
      '{ nodePools(first: 50) { totalCount edges { node { name clusterName } } } }',
    );
    await showEditorTool(page, 'Headers');
    await replaceEditorText(page, EDITOR.headers, TENANT_1002_HEADERS);
    simulator.clearRequests();

    const execution = graphqlResponse(page, url, 'POST', 'nodePools');
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
    expect(simulator.requests.map((r) => r.operation)).toContain('get_nodepools');
    expect(new Set(simulator.requests.map((r) => r.token))).toEqual(new Set(['demo-admin-2']));
    expectOfflineAndClean(outside, pageErrors);
  });

  it('sends the token typed in the headers pane to Run:ai with a subscription: its watcher polls as that tenant', async () => {
    const t4 = await poolNamed(url, 'demo-admin-2', 't4');
    const { page, pageErrors } = await open(watchPool(t4.runaiId));
    await showEditorTool(page, 'Headers');
    await replaceEditorText(page, EDITOR.headers, TENANT_1002_HEADERS);
    simulator.clearRequests();

    const opened = await startSubscription(page, 'demo-admin-2');
    expect(opened.request().headers()['authorization']).toBe('Bearer demo-admin-2');
    await simulator.waitForRequest({ operation: 'get_nodepools' });
    expect(app.live?.pollers).toBe(1);

    simulator.setPhase(t4.runaiId, 'Unschedulable');
    await expect.poll(() => resultJson(page), LIVE).toEqual(phaseEvent('Ready', 'Unschedulable', t4));
    simulator.setPhase(t4.runaiId, 'Ready');
    // The watcher's list calls, and any other call the subscription made, all carried tenant 1002's token.
    expect(simulator.countRequests({ operation: 'get_nodepools' })).toBeGreaterThanOrEqual(2);
    expect(new Set(simulator.requests.map((r) => r.token))).toEqual(new Set(['demo-admin-2']));
    expectOfflineAndClean(outside, pageErrors);
  });
});
