import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { stackWith } from '../helpers/stack.js';

describe('circuit breaker', () => {
  it("opens a credential's circuit under repeated 503s, fails fast while open, and closes again after recovery", async () => {
    const stack = await stackWith({
      upstreamMaxRetries: 0,
      circuitVolumeThreshold: 4,
      circuitErrorThresholdPercent: 50,
      circuitResetTimeoutMs: 300,
    });
    stack.simulator.faults.failNext(4, 503, { operation: 'count_nodepools' });
    for (let i = 0; i < 4; i++) {
      const res = await stack.query('{ nodePoolCount }');
      expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    }
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/^upstream_circuits_open 1$/m);

    // Open: the call fails at once, Run:ai is not asked.
    const before = stack.simulator.requests.length;
    const fast = await stack.query('{ nodePoolCount }');
    expect(fast.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(fast.errors?.[0]?.message).toMatch(/paused/);
    expect(stack.simulator.requests.length).toBe(before);

    // After the reset timeout a trial call goes through, succeeds, and closes the circuit.
    await eventually(async () => {
      const res = await stack.query<{ nodePoolCount: number }>('{ nodePoolCount }');
      expect(res.data?.nodePoolCount, JSON.stringify(res.errors)).toBeTypeOf('number');
    });
    expect(await (await fetch(`${stack.url}/metrics`)).text()).toMatch(/^upstream_circuits_open 0$/m);
  });
});

describe('deadlines and disconnects', () => {
  it('aborts the upstream call when the client goes away', async () => {
    const stack = await stackWith();
    stack.simulator.faults.setLatency(2_000, { operation: 'count_nodepools' });
    const controller = new AbortController();
    const pending = fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
      body: JSON.stringify({ query: '{ nodePoolCount }' }),
      signal: controller.signal,
    }).catch(() => undefined);
    // The client leaves while Run:ai is still answering (2 s of latency): once the call has reached it.
    await eventually(() => expect(stack.simulator.countRequests({ operation: 'count_nodepools' })).toBe(1));
    controller.abort();
    const seen = await stack.simulator.waitForRequest({ operation: 'count_nodepools', aborted: true }, 5_000);
    expect(seen.aborted).toBe(true);
    await pending;
  });

  it('ends a request that outlives its deadline with UPSTREAM_TIMEOUT', async () => {
    const stack = await stackWith({ requestTimeoutMs: 300 });
    stack.simulator.faults.setLatency(1_000, { operation: 'get_nodepool' });
    const res = await stack.query('{ nodePool(id: "2") { name } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
  });
});

describe('observability', () => {
  it('counts operations and upstream calls on /metrics', async () => {
    const stack = await stackWith();
    await stack.query('query Pools { nodePools(first: 2) { totalCount edges { node { name } } } }');
    await stack.query('query Pools { nodePools(first: 2) { edges { node { name } } } }');
    await stack.query('query Broken { nodePool(id: "x") { name } }');
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    expect(text).toMatch(/^graphql_operations_total\{operation="Pools",outcome="success"\} 2$/m);
    // An id that names no pool is refused before the operation runs, like a validation error; a name seen
    // only on refused operations gets no series of its own.
    expect(text).toMatch(/^graphql_operations_total\{operation="other",outcome="invalid"\} 1$/m);
    expect(text).toMatch(/^upstream_requests_total\{operation="get_nodepools",status="200"\} 2$/m);
    expect(text).toMatch(/^upstream_requests_total\{operation="count_nodepools",status="200"\} 1$/m);
    expect(text).toMatch(/^upstream_request_duration_seconds_count\{operation="get_nodepools"\} 2$/m);
    expect(text).toMatch(
      /^graphql_operation_duration_seconds_count\{operation="Pools",outcome="success"\} 2$/m,
    );
    expect(text).toMatch(/^subscriptions_active 0$/m);
    expect(text).toMatch(/^pollers_active{kind="list"} 0$/m);
  });

  it('logs one line per operation with request id, name, duration and upstream calls, and never a token', async () => {
    const stack = await stackWith({ logLevel: 'debug' });
    const secret = 'demo-admin';
    await stack.query(
      'query Dash { nodePools(first: 3) { totalCount edges { node { name } } } }',
      {},
      secret,
    );
    await stack.query('{ nodePool(id: "2") { name } }', {}, 'a-token-that-is-unknown');
    stack.simulator.faults.failNext(3, 503, { operation: 'get_nodepool' });
    await stack.query('{ nodePool(id: "3") { name } }', {}, secret);
    const line = stack.logs.find((l) => l['msg'] === 'graphql operation' && l['operation'] === 'Dash');
    expect(line).toMatchObject({ outcome: 'success', upstreamCalls: 2 });
    expect(typeof line?.['requestId']).toBe('string');
    expect(typeof line?.['durationMs']).toBe('number');
    const all = JSON.stringify(stack.logs);
    expect(stack.logs.length).toBeGreaterThan(5);
    expect(all).not.toContain(secret);
    expect(all).not.toContain('a-token-that-is-unknown');
    expect(all.toLowerCase()).not.toContain('bearer');
  });
});
