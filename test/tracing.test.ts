import { beforeAll, describe, expect, it } from 'vitest';
import { onCleanup, useCleanupsAfterAll } from './helpers/cleanup.js';
import { eventually } from './helpers/eventually.js';
import { post, type SendOptions } from './helpers/http.js';
import { wsClient } from './helpers/live.js';
import { type ExportedSpan, startReceiver } from './helpers/otlp-receiver.js';
import { type Stack, startStack } from './helpers/stack.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

/**
 * How these tests send an operation (with `post`): accepting any answer, as a bare fetch does; with a
 * `traceId`, as a caller whose span CALLER_SPAN_ID in that trace is the parent.
 */
const asCaller = (traceId?: string): SendOptions => ({
  accept: '*/*',
  headers: traceId === undefined ? {} : { traceparent: `00-${traceId}-${CALLER_SPAN_ID}-01` },
});

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  const onCleanupAfterAll = useCleanupsAfterAll();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stack: Stack;

  beforeAll(async () => {
    // The SDK reads its batch delay from the environment: export within 50 ms rather than 5 s.
    const delay = process.env['OTEL_BSP_SCHEDULE_DELAY'];
    process.env['OTEL_BSP_SCHEDULE_DELAY'] = '50';
    onCleanupAfterAll(() => {
      if (delay === undefined) delete process.env['OTEL_BSP_SCHEDULE_DELAY'];
      else process.env['OTEL_BSP_SCHEDULE_DELAY'] = delay;
    });
    receiver = await startReceiver();
    onCleanupAfterAll(() => receiver.close());
    stack = await startStack({ config: { otelExporterOtlpEndpoint: receiver.url } });
    onCleanupAfterAll(() => stack.stop());
  });

  const spansOf = (traceId: string) => receiver.spans().filter((span) => span.traceId === traceId);
  const childrenOf = (spans: ExportedSpan[], parent: ExportedSpan) =>
    spans.filter((span) => span.parentSpanId === parent.spanId);

  it('continues the caller’s trace: an operation span with parse, validate and execute spans, Run:ai calls under execute', async () => {
    stack.simulator.clearRequests();
    // count_nodepools fails once with 503 and is retried.
    stack.simulator.faults.failNext(1, 503, { operation: 'count_nodepools' });
    const result = await post(
      stack.url,
      {
        query: `query Pools($name: String!) {
          nodePools(first: 5, filter: { name: { ne: $name } }) { totalCount edges { node { id name } } }
        }`,
        variables: { name: 'secret-variable-value' },
      },
      asCaller(TRACE_ID),
    );
    expect(result.body.errors).toBeUndefined();

    const spans = await eventually(() => {
      const found = spansOf(TRACE_ID);
      expect(found.filter((span) => span.kind === SPAN_KIND_CLIENT)).toHaveLength(2);
      expect(found.some((span) => span.name === 'query Pools')).toBe(true);
      return found;
    });
    const operation = spans.find((span) => span.name === 'query Pools') as ExportedSpan;
    expect(operation).toMatchObject({
      parentSpanId: CALLER_SPAN_ID,
      kind: SPAN_KIND_SERVER,
      attributes: { 'graphql.operation.name': 'Pools', 'graphql.operation.type': 'query' },
      resource: { 'service.name': 'nodepool-gateway' },
    });
    expect(
      childrenOf(spans, operation)
        .map((span) => span.name)
        .sort(),
    ).toEqual(['graphql.execute', 'graphql.parse', 'graphql.validate']);
    const execute = spans.find((span) => span.name === 'graphql.execute') as ExportedSpan;
    const calls = childrenOf(spans, execute).sort((a, b) => a.name.localeCompare(b.name));
    expect(calls.map((span) => ({ name: span.name, kind: span.kind, ...span.attributes }))).toEqual([
      {
        name: 'GET /api/v1/node-pools',
        kind: SPAN_KIND_CLIENT,
        'http.request.method': 'GET',
        'url.template': '/api/v1/node-pools',
        'runai.operation_id': 'get_nodepools',
        'http.response.status_code': 200,
        'runai.attempts': 1,
        'runai.shared': false,
      },
      {
        name: 'GET /api/v1/node-pools/count',
        kind: SPAN_KIND_CLIENT,
        'http.request.method': 'GET',
        'url.template': '/api/v1/node-pools/count',
        'runai.operation_id': 'count_nodepools',
        'http.response.status_code': 200,
        'runai.attempts': 2,
        'runai.shared': false,
      },
    ]);

    // Run:ai received the trace on every attempt, each naming its call's span as parent.
    const received = stack.simulator.requests;
    expect(received).toHaveLength(3);
    for (const request of received) {
      const call = calls.find((span) => span.attributes['runai.operation_id'] === request.operation);
      expect(request.traceparent).toBe(`00-${TRACE_ID}-${call?.spanId}-01`);
    }
  });

  it('names each Run:ai call by its route template and marks calls shared between operations', async () => {
    const { body } = await post<{ nodePools: { edges: { node: { runaiId: string } }[] } | null }>(
      stack.url,
      { query: '{ nodePools(first: 1) { edges { node { runaiId } } } }' },
      asCaller(),
    );
    const id = body.data?.nodePools?.edges[0]?.node.runaiId as string;
    stack.simulator.clearRequests();
    // Both operations are in flight together: the second waits for the first one's request.
    stack.simulator.faults.setLatency(300, { operation: 'get_nodepool' });
    onCleanup(() => stack.simulator.faults.setLatency(0));
    const traceIds = ['a'.repeat(32), 'b'.repeat(32)];
    await Promise.all(
      traceIds.map((traceId) =>
        post(
          stack.url,
          { query: 'query One($id: ID!) { nodePool(id: $id) { name } }', variables: { id } },
          asCaller(traceId),
        ),
      ),
    );
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1 });

    const calls = await eventually(() => {
      const found = traceIds.map((traceId) =>
        spansOf(traceId).find((span) => span.kind === SPAN_KIND_CLIENT),
      );
      expect(found.every(Boolean)).toBe(true);
      return found as ExportedSpan[];
    });
    for (const call of calls) {
      expect(call).toMatchObject({
        name: 'GET /api/v1/node-pools/{nodepoolId}',
        attributes: {
          'url.template': '/api/v1/node-pools/{nodepoolId}',
          'http.response.status_code': 200,
          'runai.attempts': 1,
          'runai.shared': true,
        },
      });
    }
    // Run:ai got the trace of the operation whose call went out first.
    const [request] = stack.simulator.requests;
    expect(calls.map((call) => `00-${call.traceId}-${call.spanId}-01`)).toContain(request?.traceparent);
    expect(receiver.bodies.join('\n')).not.toContain(`/api/v1/node-pools/${id}`);
  });

  it('ends the operation span of a document that does not parse with its error code', async () => {
    const traceId = 'c'.repeat(32);
    await post(stack.url, { query: '{ nodePools(' }, asCaller(traceId));
    const operation = await eventually(() => {
      const found = spansOf(traceId).find((span) => span.kind === SPAN_KIND_SERVER);
      expect(found).toBeDefined();
      return found as ExportedSpan;
    });
    expect(operation.attributes['graphql.error.codes']).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(childrenOf(spansOf(traceId), operation).map((span) => span.name)).toEqual(['graphql.parse']);
  });

  it('ends the operation span of a document that fails validation with its error code', async () => {
    const traceId = 'd'.repeat(32);
    await post(stack.url, { query: '{ noSuchField }' }, asCaller(traceId));
    const operation = await eventually(() => {
      const found = spansOf(traceId).find((span) => span.kind === SPAN_KIND_SERVER);
      expect(found).toBeDefined();
      return found as ExportedSpan;
    });
    expect(operation.attributes['graphql.error.codes']).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(
      childrenOf(spansOf(traceId), operation)
        .map((span) => span.name)
        .sort(),
    ).toEqual(['graphql.parse', 'graphql.validate']);
  });

  it('gives a graphql-ws operation its span, with its phases and Run:ai calls', async () => {
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: 'query OverWebSocket { nodePools(first: 1) { edges { node { name } } } }' },
        { next: () => {}, error: reject, complete: resolve },
      );
    });
    const spans = await eventually(() => {
      const operation = receiver.spans().find((span) => span.name === 'query OverWebSocket');
      expect(operation).toBeDefined();
      const trace = spansOf(operation?.traceId as string);
      expect(trace.some((span) => span.kind === SPAN_KIND_CLIENT)).toBe(true);
      return trace;
    });
    const operation = spans.find((span) => span.name === 'query OverWebSocket') as ExportedSpan;
    // No HTTP request to take a parent from: the operation starts its own trace.
    expect(operation.parentSpanId || undefined).toBeUndefined();
    expect(operation.attributes).toMatchObject({ 'graphql.operation.type': 'query' });
    const execute = childrenOf(spans, operation).find((span) => span.name === 'graphql.execute');
    expect(childrenOf(spans, operation).map((span) => span.name)).toEqual(
      expect.arrayContaining(['graphql.parse', 'graphql.validate', 'graphql.execute']),
    );
    expect(childrenOf(spans, execute as ExportedSpan).map((span) => span.name)).toEqual([
      'GET /api/v1/node-pools',
    ]);
  });

  it('never exports a token or a variable', () => {
    const exported = receiver.bodies.join('\n');
    expect(exported.length).toBeGreaterThan(0);
    expect(exported).not.toContain('demo-admin');
    expect(exported).not.toMatch(/bearer/i);
    expect(exported).not.toContain('secret-variable-value');
  });
});
