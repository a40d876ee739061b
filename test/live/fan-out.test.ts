import type { Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { Collected, expectOneListCallPerPoll, wsClient } from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

/** The list calls Run:ai received, of every token or of one. */
const lists = (stack: Stack, token?: string) =>
  stack.simulator.requests.filter(
    (r) => r.operation === 'get_nodepools' && (token === undefined || r.token === token),
  ).length;

describe('shared pollers', () => {
  it('serves 200 subscribers on one token from one poller: one list call per poll', async () => {
    const stack = await stackWith({ pollIntervalMs: 500 });
    // 4 connections of 50 subscriptions each (a connection holds at most 100 by default).
    const clients = Array.from({ length: 4 }, () => wsClient(stack.url));
    onCleanup(() => Promise.all(clients.map((c) => c.dispose())));
    const subs = Array.from({ length: 200 }, (_, i) => new Collected(clients[i % 4] as Client));
    onCleanup(() => {
      for (const s of subs) s.unsubscribe();
    });
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(200));
    expect(stack.app.live?.topicCounts.list).toBe(1);

    await expectOneListCallPerPoll(stack.app.live!, () => lists(stack));
    expect(stack.app.live?.topicCounts.list).toBe(1);
  });

  it('runs one poller per token: 10 tokens, 10 pollers', async () => {
    const tokens = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`token-${i}`, { tenantId: 1001, role: 'viewer' as const }]),
    );
    const stack = await stackWith({ pollIntervalMs: 500 }, { simulator: { tokens } });
    const clients: Client[] = Object.keys(tokens).map((token) => wsClient(stack.url, token));
    onCleanup(() => Promise.all(clients.map((c) => c.dispose())));
    const subs = clients.flatMap((client) => [new Collected(client), new Collected(client)]);
    onCleanup(() => {
      for (const s of subs) s.unsubscribe();
    });
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(20));
    expect(stack.app.live?.topicCounts.list).toBe(10);
    await eventually(() => expect(new Set(stack.simulator.requests.map((r) => r.token)).size).toBe(10));
  });

  it('stops polling when the last subscriber leaves', async () => {
    const stack = await stackWith({ pollIntervalMs: 500 });
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const subs = [new Collected(client), new Collected(client)];
    await eventually(() => expect(lists(stack, 'demo-admin')).toBeGreaterThanOrEqual(1));
    for (const s of subs) s.unsubscribe();
    await eventually(() =>
      expect({
        pollers: stack.app.live?.topicCounts.list,
        subscriptions: stack.app.live?.subscriptions,
      }).toEqual({
        pollers: 0,
        subscriptions: 0,
      }),
    );
    const after = lists(stack, 'demo-admin');
    // The poller of another token, started now, keeps time: by its fourth list call three intervals have
    // passed, and a poller of demo-admin still running would have listed again meanwhile.
    const other = wsClient(stack.url, 'demo-admin-2');
    onCleanup(() => other.dispose());
    const clock = new Collected(other);
    onCleanup(clock.unsubscribe);
    await eventually(() => expect(lists(stack, 'demo-admin-2')).toBeGreaterThanOrEqual(4));
    expect(lists(stack, 'demo-admin')).toBe(after);
  });
});

describe('connection limits', () => {
  it('refuses a subscription beyond the per-connection maximum, keeping the others', async () => {
    const stack = await stackWith({ wsMaxSubscriptionsPerConnection: 2 });
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const kept = [new Collected(client), new Collected(client)];
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(2));
    const refused = new Collected(client);
    await refused.until((c) => c.done);
    expect(JSON.stringify(refused.errors)).toContain('TOO_MANY_SUBSCRIPTIONS');
    expect(kept.every((s) => !s.done)).toBe(true);
    for (const s of kept) s.unsubscribe();
  });
});
