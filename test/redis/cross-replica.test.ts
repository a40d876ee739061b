import { createSimulator, SEED_CLUSTER_IDS } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { Collected, wsClient } from '../helpers/live.js';
import { RedisServer } from '../helpers/redis-server.js';
import { captureLogs } from '../helpers/stack.js';

const onCleanupAfterAll = useCleanupsAfterAll();

const simulator = createSimulator({ delays: { create: 150, update: 150, delete: 150 } });
let redis: RedisServer;
let a: { app: App; url: string; logs: Record<string, unknown>[] };
let b: { app: App; url: string; logs: Record<string, unknown>[] };

async function replica(runaiUrl: string) {
  const logs: Record<string, unknown>[] = [];
  // A long interval: only a refresh signal can explain events arriving on the other replica.
  const config = makeConfig({ runaiUrl, redisUrl: redis.url, pollIntervalMs: 60_000, logLevel: 'info' });
  const app = buildApp(config, {
    log: createLogger('info', captureLogs(logs)),
    settleDelaysMs: [100, 200, 400, 800],
  });
  const url = await app.start(0, '127.0.0.1');
  onCleanupAfterAll(() => app.stop());
  return { app, url, logs };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

/** Both replicas report a connection to Redis. */
async function bothConnected(): Promise<void> {
  expect([await metric(a.url, 'redis_connected'), await metric(b.url, 'redis_connected')]).toEqual([1, 1]);
}

async function createPool(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
    body: JSON.stringify({
      query: `mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { ... on CreateNodePoolPayload { nodePool { id } } } }`,
      variables: {
        input: { name, clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'node-pool-type', labelValue: 'a100' },
      },
    }),
  });
  const body = (await res.json()) as { data: { createNodePool: { nodePool: { id: string } } } };
  return body.data.createNodePool.nodePool.id;
}

/** Subscribes on `url` until the file is done: later tests count on the watchers these keep running. */
function subscribeOn(url: string) {
  const client = wsClient(url);
  onCleanupAfterAll(() => client.dispose());
  const sub = new Collected(client);
  onCleanupAfterAll(sub.unsubscribe);
  return sub;
}

const lifecycleOf = (sub: Collected, id: string) =>
  sub.events.filter((e) => e.nodePoolId === id).map((e) => [e.previousPhase, e.phase]);

beforeAll(async () => {
  redis = await RedisServer.create();
  onCleanupAfterAll(() => redis.stop());
  const upstream = await simulator.start(0, '127.0.0.1');
  onCleanupAfterAll(() => simulator.stop());
  a = await replica(upstream);
  b = await replica(upstream);
  await eventually(bothConnected, { timeout: 15_000 });
});

describe('two replicas sharing Redis', () => {
  it('shows a subscriber on B the lifecycle of a pool created through A, before B’s own interval', async () => {
    const sub = subscribeOn(b.url);
    await eventually(
      () => expect(simulator.countRequests({ operation: 'get_nodepools' })).toBeGreaterThan(0),
      {
        timeout: 15_000,
      },
    );
    await b.app.live?.ready('demo-admin');

    const id = await createPool(a.url, 'across-replicas');
    await sub.until((c) => lifecycleOf(c, id).some(([, phase]) => phase === 'Ready' || phase === 'Empty'));
    expect(lifecycleOf(sub, id)[0]).toEqual([null, 'Creating']);
    expect(['Ready', 'Empty']).toContain(lifecycleOf(sub, id)[1]?.[1]);
  });

  it('shows a nodePoolChanged subscriber on B a label change made through A, with the field named', async () => {
    const client = wsClient(b.url);
    onCleanupAfterAll(() => client.dispose());
    const events: { kind: string; changedFields: string[]; nodePool: { runaiId: string } }[] = [];
    const stop = client.subscribe<{ nodePoolChanged: (typeof events)[number] }>(
      {
        query:
          'subscription { nodePoolChanged(filter: { kinds: [UPDATED] }) { kind changedFields nodePool { runaiId } } }',
      },
      { next: (r) => r.data && events.push(r.data.nodePoolChanged), error: () => {}, complete: () => {} },
    );
    onCleanupAfterAll(stop);
    await eventually(() => expect(b.app.live?.subscriptions).toBeGreaterThanOrEqual(2));
    await b.app.live?.ready('demo-admin');
    await fetch(`${a.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
      body: JSON.stringify({
        query: 'mutation { patchNodePool(id: "3", input: { labelValue: "across" }) { __typename } }',
      }),
    });
    await eventually(
      () => expect(events.find((e) => e.nodePool.runaiId === '3')?.changedFields).toContain('labelValue'),
      {
        timeout: 10_000,
      },
    );
  });

  it('publishes scopes as hashes, never tokens', async () => {
    const all = JSON.stringify([...a.logs, ...b.logs]);
    expect(all).not.toContain('demo-admin');
  });

  it('keeps serving queries and local subscriptions while Redis is down, and recovers when it is back', async () => {
    await redis.stop();
    await eventually(async () => expect(await metric(a.url, 'redis_connected')).toBe(0), { timeout: 15_000 });
    expect(a.logs.some((l) => String(l['msg']).includes('Redis unreachable'))).toBe(true);

    // Queries still work on both replicas.
    for (const url of [a.url, b.url]) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
        body: JSON.stringify({ query: '{ nodePoolCount }' }),
      });
      expect(((await res.json()) as { data: { nodePoolCount: number } }).data.nodePoolCount).toBeGreaterThan(
        0,
      );
    }
    // A subscriber on A still sees a pool created through A (local refresh).
    const localJoined = (a.app.live?.subscriptions ?? 0) + 1;
    const local = subscribeOn(a.url);
    await eventually(() => expect(a.app.live?.subscriptions).toBe(localJoined), { timeout: 15_000 });
    await a.app.live?.ready('demo-admin');
    const localId = await createPool(a.url, 'while-redis-down');
    await local.until((c) => lifecycleOf(c, localId).length >= 2);
    expect(lifecycleOf(local, localId)[0]).toEqual([null, 'Creating']);

    // Redis comes back on the same port; both replicas reconnect by themselves.
    await redis.start();
    await eventually(bothConnected, { timeout: 20_000 });
    // B's watcher runs already (earlier subscribers): wait for this subscription to join it, not for a snapshot.
    const joined = (b.app.live?.subscriptions ?? 0) + 1;
    const remote = subscribeOn(b.url);
    await eventually(() => expect(b.app.live?.subscriptions).toBe(joined));
    await b.app.live?.ready('demo-admin');
    const id = await createPool(a.url, 'after-redis-returns');
    await remote.until((c) => lifecycleOf(c, id).some(([, phase]) => phase === 'Ready' || phase === 'Empty'));
    expect(lifecycleOf(remote, id)[0]).toEqual([null, 'Creating']);
  }, 60_000);
});
