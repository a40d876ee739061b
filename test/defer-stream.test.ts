import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusOfCode } from '../src/domain/errors.js';
import { wsClient } from './helpers/live.js';
import { type Stack, startStack } from './helpers/stack.js';

/** The reference dashboard (test/documents/dashboard.graphql) with its three metrics fields deferred. */
const DEFERRED_DASHBOARD = `query DeferredDashboard {
  nodePools(first: 50) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id
        name
        phase
        ... @defer(label: "metrics") {
          gpu: metrics(types: [GPU_UTILIZATION]) { series { type latest { value } samples { timestamp value } } }
          alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU]) { series { type latest { value } } missingTypes }
          cpu: metrics(types: [CPU_UTILIZATION]) { series { type latest { value } } }
        }
      }
    }
  }
}`;

const AUTHORIZATION = 'Bearer demo-admin';

/** The simulator answers this type 207 (not computed): a deferred `metrics` asking for it is partial. */
const PARTIAL_TYPE = 'GPU_QUOTA';

interface Payload {
  data?: Record<string, unknown> | null;
  errors?: PayloadError[];
  hasNext?: boolean;
  incremental?: {
    data?: Record<string, unknown> | null;
    items?: unknown[];
    path: (string | number)[];
    errors?: PayloadError[];
  }[];
}

interface PayloadError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; http?: { status?: number }; requestId?: string };
}

/** POSTs an operation asking for multipart/mixed and reads every part of the answer, as a client would. */
async function multipart(
  url: string,
  query: string,
): Promise<{ status: number; contentType: string; payloads: Payload[] }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'multipart/mixed',
      authorization: AUTHORIZATION,
    },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  // Yoga's boundary is "-": parts are separated by "\r\n---", each part's headers by a blank line.
  const payloads = text
    .split('\r\n---')
    .map((part) => part.split('\r\n\r\n')[1])
    .filter((body): body is string => body !== undefined && body.trim() !== '')
    .map((body) => JSON.parse(body) as Payload);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', payloads };
}

/** Every error of a delivery: the top-level ones and those of each incremental part. */
const errorsOf = (payloads: Payload[]) =>
  payloads.flatMap((p) => [...(p.errors ?? []), ...(p.incremental ?? []).flatMap((i) => i.errors ?? [])]);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    simulator: { pools: 80, partialMetricTypes: [PARTIAL_TYPE] },
    config: { logLevel: 'info' },
  });
});
afterAll(() => stack.stop());
beforeEach(() => {
  stack.simulator.clearRequests();
  stack.simulator.faults.reset();
});

describe('@defer', () => {
  it('gives Apollo Client the pool rows first and the deferred metrics in later results', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${stack.url}/graphql`, headers: { authorization: AUTHORIZATION } }),
      cache: new InMemoryCache(),
    });
    type Row = { id: string; name: string; gpu?: { series: { type: string }[] } };
    const results: { nodePools: { edges: { node: Row }[] } }[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query: gql(DEFERRED_DASHBOARD) }).subscribe({
        next: (result) => {
          if (result.errors?.length) reject(new Error(JSON.stringify(result.errors)));
          if (result.data) results.push(structuredClone(result.data));
          const edges = result.data?.nodePools.edges ?? [];
          if (edges.length === 50 && edges.every((edge: { node: Row }) => edge.node.gpu)) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    client.stop();
    const [first] = results;
    expect(first?.nodePools.edges).toHaveLength(50);
    expect(first?.nodePools.edges[0]?.node).toMatchObject({
      id: expect.any(String),
      name: expect.any(String),
    });
    expect(first?.nodePools.edges.every(({ node }) => node.gpu === undefined)).toBe(true);
    expect(results.length).toBeGreaterThan(1);
    expect(results.at(-1)?.nodePools.edges[0]?.node.gpu?.series.map((s) => s.type)).toEqual([
      'GPU_UTILIZATION',
    ]);
  });

  it('sends the rows as soon as the list and count calls answer, before any metrics call has', async () => {
    // Metrics calls are slowed down: the first payload cannot wait for them.
    stack.simulator.faults.setLatency(300, { operation: 'get_nodepool_metrics' });
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed',
        authorization: AUTHORIZATION,
      },
      body: JSON.stringify({ query: DEFERRED_DASHBOARD }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!/"hasNext":true\}/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const answered = stack.simulator.requests.filter((r) => r.status !== 0).map((r) => r.operation);
    while (!(await reader.read()).done) {
      // The metrics arrive in the later payloads.
    }
    expect(text).toContain('"totalCount":80');
    expect(text).not.toContain('"gpu"');
    expect(answered.sort()).toEqual(['count_nodepools', 'get_nodepools']);
  });

  it('costs the same upstream calls as the undeferred dashboard: 1 list, 1 count, 1 metrics call per pool', async () => {
    const { status, payloads } = await multipart(stack.url, DEFERRED_DASHBOARD);
    expect(status).toBe(200);
    expect(errorsOf(payloads)).toEqual([]);
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.at(-1)?.hasNext).toBe(false);
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1, count_nodepools: 1, get_nodepool_metrics: 50 });
    // One call per pool for the union of the three deferred fields' types, over one window.
    const metricCalls = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool_metrics');
    expect(new Set(metricCalls.map((r) => r.path)).size).toBe(50);
    expect(new Set(metricCalls.map((r) => `${r.query.start}/${r.query.end}`)).size).toBe(1);
    for (const call of metricCalls) {
      expect(call.query.metricType).toBe('GPU_UTILIZATION,CPU_UTILIZATION,TOTAL_GPU,ALLOCATED_GPU');
    }
    const deferred = payloads.flatMap((p) => p.incremental ?? []);
    expect(deferred).toHaveLength(50);
    expect(deferred[0]?.path).toEqual(['nodePools', 'edges', expect.any(Number), 'node']);
  });

  it('gives a Run:ai failure inside a deferred fragment its code, status and request id, masked', async () => {
    stack.simulator.faults.failNext(1, 500, { operation: 'get_nodepool_metrics' });
    const { payloads } = await multipart(
      stack.url,
      '{ nodePools(first: 3) { edges { node { name ... @defer { metrics(types: [GPU_UTILIZATION]) { missingTypes } } } } } }',
    );
    expect(payloads[0]?.errors).toBeUndefined();
    const [error, ...others] = errorsOf(payloads);
    expect(others).toEqual([]);
    expect(error?.path).toEqual(['nodePools', 'edges', expect.any(Number), 'node', 'metrics']);
    expect(error?.extensions).toMatchObject({
      code: 'UPSTREAM_ERROR',
      http: { status: statusOfCode('UPSTREAM_ERROR') },
      requestId: expect.any(String),
    });
    // Run:ai's own words on a 5xx stay in the log.
    expect(error?.extensions).toMatchObject({ upstream: { message: null } });
  });

  it('puts a partial metrics answer (PARTIAL_RESULT) in the payload of its deferred fragment', async () => {
    const { payloads } = await multipart(
      stack.url,
      `{ nodePools(first: 2) { edges { node { name ... @defer { metrics(types: [GPU_UTILIZATION, ${PARTIAL_TYPE}]) { missingTypes } } } } } }`,
    );
    expect(payloads[0]?.errors).toBeUndefined();
    const parts = payloads.flatMap((p) => p.incremental ?? []);
    expect(parts).toHaveLength(2);
    for (const part of parts) {
      expect(part.data).toEqual({ metrics: { missingTypes: [PARTIAL_TYPE] } });
      expect(part.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.http?.status])).toEqual([
        [[...part.path, 'metrics'], 'PARTIAL_RESULT', 200],
      ]);
    }
  });

  it('keeps a deferred PARTIAL_RESULT for its fragment’s payload when it was raised before the first payload', async () => {
    // The count holds the first payload back until after the deferred metrics have answered.
    stack.simulator.faults.setLatency(200, { operation: 'count_nodepools' });
    const { payloads } = await multipart(
      stack.url,
      `{ nodePools(first: 2) { totalCount edges { node { name ... @defer { metrics(types: [${PARTIAL_TYPE}]) { missingTypes } } } } } }`,
    );
    expect(payloads[0]?.errors).toBeUndefined();
    const parts = payloads.flatMap((p) => p.incremental ?? []);
    expect(parts.map((part) => part.errors?.map((e) => [e.path, e.extensions?.code]))).toEqual(
      parts.map((part) => [[[...part.path, 'metrics'], 'PARTIAL_RESULT']]),
    );
  });

  it('checks the argument rules and the cost limit of deferred fields before any call', async () => {
    const badArgument = await multipart(
      stack.url,
      '{ nodePools(first: 2) { edges { node { name ... @defer { metrics(types: []) { missingTypes } } } } } }',
    );
    const overCost = await multipart(
      stack.url,
      '{ nodePools(first: 500) { edges { node { ... @defer { metrics(types: [GPU_UTILIZATION], window: { samples: 1000 }) { series { samples { value } } } } } } } }',
    );
    expect(badArgument.status).toBe(400);
    expect(errorsOf(badArgument.payloads).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(overCost.status).toBe(400);
    expect(errorsOf(overCost.payloads).map((e) => e.extensions?.code)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(stack.upstreamCalls()).toEqual({});
  });

  it('logs one line per deferred operation, when its last payload is out, with all its calls', async () => {
    stack.simulator.faults.failNext(1, 500, { operation: 'get_nodepool_metrics' });
    await multipart(stack.url, DEFERRED_DASHBOARD);
    const lines = stack.logs.filter((line) => line['operation'] === 'DeferredDashboard');
    // The failed call was the one of a pool's three deferred fields: each reports it.
    expect(lines.at(-1)).toMatchObject({
      outcome: 'partial',
      upstreamCalls: 52,
      errors: ['UPSTREAM_ERROR', 'UPSTREAM_ERROR', 'UPSTREAM_ERROR'],
    });
  });

  it('answers over SSE with one event per payload', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: AUTHORIZATION,
      },
      body: JSON.stringify({
        query: '{ nodePools(first: 2) { edges { node { name ... @defer { phase } } } } }',
      }),
    });
    const events = [...(await res.text()).matchAll(/event: next\ndata: (.*)\n/g)].map(
      (m) => JSON.parse(m[1] as string) as Payload,
    );
    expect(events[0]).toMatchObject({
      data: { nodePools: { edges: [{ node: {} }, { node: {} }] } },
      hasNext: true,
    });
    expect(events.at(-1)?.hasNext).toBe(false);
    expect(events.flatMap((e) => e.incremental ?? [])).toHaveLength(2);
  });

  it('answers over graphql-ws with several next messages', async () => {
    const client = wsClient(stack.url);
    try {
      const payloads: Payload[] = [];
      for await (const payload of client.iterate({
        query: '{ nodePools(first: 2) { edges { node { name ... @defer { phase } } } } }',
      })) {
        payloads.push(payload as Payload);
      }
      expect(payloads[0]?.hasNext).toBe(true);
      expect(payloads.flatMap((p) => p.incremental ?? [])).toHaveLength(2);
      expect(payloads.at(-1)?.hasNext).toBe(false);
    } finally {
      await client.dispose();
    }
  });
});

describe('@stream', () => {
  it('streams the edges of a page: the first ones in the first payload, the rest as items', async () => {
    const { contentType, payloads } = await multipart(
      stack.url,
      '{ nodePools(first: 5) { edges @stream(initialCount: 2) { node { runaiId name } } } }',
    );
    expect(contentType).toContain('multipart/mixed');
    const [first, ...later] = payloads;
    expect(first).toMatchObject({ hasNext: true });
    expect(first?.data).toMatchObject({ nodePools: { edges: [{ node: {} }, { node: {} }] } });
    const items = later.flatMap((p) => p.incremental ?? []);
    expect(items.map((i) => i.path)).toEqual([2, 3, 4].map((index) => ['nodePools', 'edges', index]));
    expect(items.flatMap((i) => i.items)).toHaveLength(3);
    expect(payloads.at(-1)?.hasNext).toBe(false);
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });
  });

  it('puts an error of a streamed item in that item’s payload, coded', async () => {
    const { payloads } = await multipart(
      stack.url,
      `{ nodePools(first: 3) { edges @stream(initialCount: 1) { node { name metrics(types: [${PARTIAL_TYPE}]) { missingTypes } } } } }`,
    );
    expect(payloads[0]?.errors?.map((e) => e.path)).toEqual([['nodePools', 'edges', 0, 'node', 'metrics']]);
    for (const part of payloads.flatMap((p) => p.incremental ?? [])) {
      expect(part.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [[...part.path, 'node', 'metrics'], 'PARTIAL_RESULT'],
      ]);
    }
    for (const error of errorsOf(payloads)) expect(error.extensions?.http?.status).toBe(200);
  });
});
