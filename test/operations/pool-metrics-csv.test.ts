/**
 * `GET /export/nodepools/{id}/metrics.csv`: a pool's series as CSV, from one operation run through the
 * pipeline with the caller's token (the `metrics` field's checks, the call budget, the log), against a real
 * gateway and simulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, stackWith, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(async () => {
  await stack.stop();
});
beforeEach(() => {
  stack.simulator.clearRequests();
});

const START = '2026-01-31T11:00:00Z';
const END = '2026-01-31T12:00:00Z';

function exportUrl(id: string, query: string): string {
  return `${stack.url}/export/nodepools/${encodeURIComponent(id)}/metrics.csv?${query}`;
}

async function get(url: string, token: string | null = 'demo-admin', method = 'GET') {
  const res = await fetch(url, {
    method,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { res, text: await res.text() };
}

const codeOf = (text: string) =>
  (JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code;

describe('metrics CSV export', () => {
  it("writes the pool's series for the window as CSV, named after them, with the caller's token", async () => {
    const globalId = Buffer.from('NodePool:2').toString('base64');
    const { res, text } = await get(
      exportUrl(globalId, `types=GPU_UTILIZATION,CPU_UTILIZATION&start=${START}&end=${END}&samples=6`),
      'demo-viewer',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="a100-metrics-20260131T110000Z-20260131T120000Z.csv"',
    );
    // One pool read (its cluster and name) and one metrics call.
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1, get_nodepool_metrics: 1 });
    // The rows Run:ai's own CSV gives for the same question.
    const metricsCall = stack.simulator.requests.find((r) => r.operation === 'get_nodepool_metrics');
    expect(metricsCall).toMatchObject({ token: 'demo-viewer' });
    expect(metricsCall?.query).toMatchObject({
      start: '2026-01-31T11:00:00.000Z',
      end: '2026-01-31T12:00:00.000Z',
      numberOfSamples: '6',
    });
    const direct = await fetch(`${stack.simulator.url}${metricsCall?.path}?${metricsCall?.rawQuery}`, {
      headers: { authorization: 'Bearer demo-viewer', accept: 'text/csv' },
    });
    expect(text).toBe(await direct.text());
    expect(text.split('\n').filter((line) => line.startsWith('GPU_UTILIZATION')).length).toBe(6);
  });

  it('takes repeated types and the default window (the last hour, 20 samples)', async () => {
    const { res, text } = await get(exportUrl('2', 'types=TOTAL_GPU&types=ALLOCATED_GPU'));
    expect(res.status).toBe(200);
    expect(text.split('\n').filter((line) => line.startsWith('TOTAL_GPU')).length).toBe(20);
    const call = stack.simulator.requests.find((r) => r.operation === 'get_nodepool_metrics');
    const { start, end } = (call?.query ?? {}) as { start?: string; end?: string };
    expect(Date.parse(end ?? '') - Date.parse(start ?? '')).toBe(60 * 60 * 1000);
  });

  it.each([
    ['no types', `start=${START}&end=${END}`],
    ['an unknown type', 'types=GPU_TEMPERATURE'],
    ['a start after the end', `types=TOTAL_GPU&start=${END}&end=${START}`],
    ['a date that is not ISO 8601', 'types=TOTAL_GPU&start=yesterday'],
    ['too many samples', 'types=TOTAL_GPU&samples=5000'],
    ['samples that are not a number', 'types=TOTAL_GPU&samples=ten'],
  ])('refuses %s with BAD_USER_INPUT before any Run:ai call', async (_name, query) => {
    const { res, text } = await get(exportUrl('2', query));
    expect(res.status).toBe(400);
    expect(codeOf(text)).toBe('BAD_USER_INPUT');
    expect(stack.simulator.requests).toEqual([]);
  });

  it('refuses an id that is not a node pool id, a caller without a token, and other methods', async () => {
    const badId = await get(exportUrl('not-an-id', 'types=TOTAL_GPU'));
    expect([badId.res.status, codeOf(badId.text)]).toEqual([400, 'BAD_USER_INPUT']);
    const anonymous = await get(exportUrl('2', 'types=TOTAL_GPU'), null);
    expect([anonymous.res.status, codeOf(anonymous.text)]).toEqual([401, 'UNAUTHENTICATED']);
    const post = await get(exportUrl('2', 'types=TOTAL_GPU'), 'demo-admin', 'POST');
    expect([post.res.status, codeOf(post.text)]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect(stack.simulator.requests).toEqual([]);
  });

  it("maps Run:ai's failures to the error contract: an unknown pool is NOT_FOUND, a 5xx withholds Run:ai's words", async () => {
    const unknown = await get(exportUrl('999999', 'types=TOTAL_GPU'));
    expect([unknown.res.status, codeOf(unknown.text)]).toEqual([404, 'NOT_FOUND']);
    stack.simulator.faults.failNext(10, 500, {
      operation: 'get_nodepool_metrics',
      body: 'db at 10.0.0.7 is down',
    });
    const failed = await get(exportUrl('2', 'types=TOTAL_GPU'));
    expect([failed.res.status, codeOf(failed.text)]).toEqual([502, 'UPSTREAM_ERROR']);
    expect(failed.text).not.toContain('10.0.0.7');
  });

  it('runs through the pipeline: its operation is logged, priced by the call budget, and rate limited', async () => {
    const budget = await stackWith({ maxUpstreamCalls: 1, logLevel: 'info' });
    const url = `${budget.url}/export/nodepools/2/metrics.csv?types=TOTAL_GPU`;
    const refused = await fetch(url, { headers: { authorization: 'Bearer demo-admin' } });
    expect(refused.status).toBe(400);
    expect(codeOf(await refused.text())).toBe('QUERY_LIMIT_EXCEEDED');
    expect(budget.simulator.requests).toEqual([]);
    expect(budget.logs).toContainEqual(
      expect.objectContaining({
        msg: 'graphql operation',
        operation: 'MetricsCsvExport',
        outcome: 'invalid',
      }),
    );
    const limited = await stackWith({ rateLimitPerMinute: 1 });
    const first = await fetch(`${limited.url}/export/nodepools/2/metrics.csv?types=TOTAL_GPU`, {
      headers: { authorization: 'Bearer demo-admin' },
    });
    expect(first.status).toBe(200);
    const second = await fetch(`${limited.url}/export/nodepools/2/metrics.csv?types=TOTAL_GPU`, {
      headers: { authorization: 'Bearer demo-admin' },
    });
    expect([second.status, codeOf(await second.text())]).toEqual([429, 'RATE_LIMITED']);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
