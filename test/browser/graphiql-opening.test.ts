import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { DEMO_DASHBOARD_QUERY } from '../../src/graphql/plugins/graphiql.js';
import { useGraphiQL } from './graphiql-fixture.js';
import {
  clickRun,
  EDITOR,
  expectOfflineAndClean,
  graphqlResponse,
  monacoText,
  openGraphiQL,
} from './graphiql-page.js';

/**
 * GraphiQL in a real browser: the page the gateway serves at GET /graphql opens on the query that suits
 * the mode the gateway runs in, without any request leaving the machine (its assets are inlined).
 */

/** The variables demo mode fills in for its dashboard query. */
const DEMO_VARIABLES = { first: 10, window: { samples: 6 } };

/** What the demo dashboard returns per pool, as far as the test reads it. */
interface DashboardNode {
  gpu: { series: { type: string; samples: unknown[] }[] };
  cpu: { series: { type: string }[] };
}

const g = useGraphiQL();

describe('GraphiQL in headless Chromium: the query it opens on', () => {
  it('opens in demo mode on the dashboard query with its variables, which run without errors', async () => {
    // Tall enough for Monaco to render every line of the query.
    const { page, pageErrors, outside } = await g.open(undefined, { width: 1400, height: 2000 });
    await expect.poll(() => monacoText(page, EDITOR.operation)).toBe(DEMO_DASHBOARD_QUERY);
    expect(DEMO_DASHBOARD_QUERY).toMatch(/^query Dashboard\(\$first: Int!, \$window: MetricsWindow\) \{$/m);
    await expect
      .poll(async () => JSON.parse(await monacoText(page, EDITOR.variables)))
      .toEqual(DEMO_VARIABLES);

    const execution = graphqlResponse(page, g.url, 'POST', 'query Dashboard');
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
    const direct = buildApp(makeConfig({ logLevel: 'silent', runaiUrl: g.simulator.url }));
    try {
      const { context, outside } = await g.newContext();
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
});
