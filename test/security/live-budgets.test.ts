import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { postSse } from '../helpers/http.js';
import { sseSubscription, type WsOutcome, wsClient, wsOperation } from '../helpers/live.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Finding 4 of the third security round: one token ran 1,000 metrics
 * pollers over WebSockets and SSE together. A caller's live budgets
 * (subscriptions, metrics pollers) now hold across all its connections and
 * both transports, and near-identical windows share one poller.
 */

let stack: Stack;
const clients: Client[] = [];
const closers: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  stack = await startStack({
    config: { logLevel: 'silent', metricsPollIntervalMs: 60_000, liveMaxSubscriptionsPerCaller: 120 },
  });
});
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  for (const client of clients.splice(0)) await client.dispose();
  await stack.stop();
});
beforeEach(async () => {
  for (const close of closers.splice(0)) await close();
  await eventually(() => expect(stack.app.live?.subscriptions).toBe(0));
});

const metricsSubscription = (seconds: number, samples = 20) =>
  `subscription { nodePoolMetrics(id: "2", types: [GPU_UTILIZATION], window: { durationSeconds: ${seconds}, samples: ${samples} }) { end } }`;

/** Subscribes over graphql-ws; resolves `open` once accepted, or the refusal's codes. */
function overWebSocket(client: Client, query: string): Promise<WsOutcome> {
  const { outcome, stop } = wsOperation(client, { query });
  closers.push(stop);
  return outcome;
}

describe('live budgets per caller, across connections and transports', () => {
  it('refuses the 51st metrics poller of one token with TOO_MANY_POLLERS, over graphql-ws and SSE alike', async () => {
    const outcomes: WsOutcome[] = [];
    // Windows a minute apart: each needs a poller of its own.
    for (let connection = 0; connection < 4; connection++) {
      const client = wsClient(stack.url, 'demo-admin');
      clients.push(client);
      const opened = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          overWebSocket(client, metricsSubscription(60 * (connection * 12 + i + 1))),
        ),
      );
      outcomes.push(...opened);
    }
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(48);
    for (let i = 48; i < 50; i++) {
      const sse = await sseSubscription(stack.url, metricsSubscription(60 * (i + 1)));
      closers.push(sse.close);
    }
    await eventually(() => expect(stack.app.live?.topicCounts.metrics).toBe(50));
    const refusedOverSse = await postSse(stack.url, { query: metricsSubscription(60 * 51) });
    expect(refusedOverSse.first?.errors?.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_POLLERS']);
    const client = wsClient(stack.url, 'demo-admin');
    clients.push(client);
    expect(await overWebSocket(client, metricsSubscription(60 * 52))).toEqual(['TOO_MANY_POLLERS']);
    // Another window already held by the caller costs no new poller, and is admitted.
    expect(await overWebSocket(client, metricsSubscription(60))).toBe('ok');
    expect(stack.app.live?.topicCounts.metrics).toBe(50);
  });

  it('shares one poller among windows that differ by seconds or a sample', async () => {
    const client = wsClient(stack.url, 'demo-admin');
    clients.push(client);
    const opened = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        overWebSocket(client, metricsSubscription(3_600 + (i % 20), 20 + (i % 2))),
      ),
    );
    expect(opened.every((o) => o === 'ok')).toBe(true);
    expect(stack.app.live?.topicCounts.metrics).toBe(1);
  });

  it('refuses a subscription past liveMaxSubscriptionsPerCaller with TOO_MANY_SUBSCRIPTIONS, counting SSE and WebSocket together', async () => {
    const query = 'subscription { nodePoolChanged { kind } }';
    for (let i = 0; i < 20; i++) {
      const sse = await sseSubscription(stack.url, query);
      closers.push(sse.close);
    }
    const client = wsClient(stack.url, 'demo-admin');
    clients.push(client);
    // Nothing changes, so no event comes: the gateway's count says they are open.
    const refused: WsOutcome[] = [];
    for (let i = 0; i < 100; i++) {
      void overWebSocket(client, query).then((o) => o !== 'ok' && refused.push(o));
    }
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(120));
    expect(refused).toEqual([]);
    const second = wsClient(stack.url, 'demo-admin');
    clients.push(second);
    expect(await overWebSocket(second, query)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    const refusedOverSse = await postSse(stack.url, { query });
    expect(refusedOverSse.first?.errors?.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    // Another tenant has a budget of its own.
    const other = wsClient(stack.url, 'demo-admin-2');
    clients.push(other);
    void overWebSocket(other, query).then((o) => o !== 'ok' && refused.push(o));
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(121));
    expect(refused).toEqual([]);
  });
});
