import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DashboardDocument } from '../generated/graphql.js';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { LABEL_FEED, relabelAtRunai, wsClient } from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

const DASHBOARD = print(DashboardDocument);
const LABELS = '{ nodePools(first: 50) { edges { node { id runaiId labelValue } } } }';
const POOL_3 = '{ nodePool(id: "3") { id name labelValue } }';
const PATCH = `mutation($labelValue: String) {
  patchNodePool(id: "3", input: { labelValue: $labelValue }) { __typename ... on UpdateNodePoolPayload { nodePool { labelValue } } }
}`;

/** A gateway whose response cache keeps answers a minute: long enough that only an invalidation explains a miss. */
function cachedStack(config: Parameters<typeof stackWith>[0] = {}): Promise<Stack> {
  return stackWith({ responseCacheTtlSeconds: 60, ...config });
}

/** The calls made to Run:ai by `run`, all operations together. */
async function callsOf(stack: Stack, run: () => Promise<unknown>): Promise<number> {
  const before = stack.simulator.requests.length;
  await run();
  return stack.simulator.requests.length - before;
}

const labelOf = (answer: { data?: unknown }) =>
  (answer.data as { nodePool?: { labelValue?: string } } | null)?.nodePool?.labelValue;

/** A GET of a document, with the caller's token and any other headers. */
function getQuery(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${url}/graphql?${new URLSearchParams(params)}`, {
    headers: { authorization: 'Bearer demo-admin', accept: 'application/graphql-response+json', ...headers },
  });
}

async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ').at(-1) ?? 0);
}

describe('the response cache', () => {
  it('answers the reference dashboard again without Run:ai, the same data, and never to another token', async () => {
    const stack = await stackWith({ responseCacheTtlSeconds: 60 }, { simulator: { pools: 80 } });
    let first: unknown;
    let second: unknown;
    expect(await callsOf(stack, async () => (first = await stack.query(DASHBOARD)))).toBe(52);
    expect(await callsOf(stack, async () => (second = await stack.query(DASHBOARD)))).toBe(0);
    expect(second).toEqual(first);
    expect((first as { errors?: unknown }).errors).toBeUndefined();
    // Run:ai would give demo-viewer the same pools: still its own 52 calls.
    expect(await callsOf(stack, () => stack.query(DASHBOARD, {}, 'demo-viewer'))).toBe(52);
    expect(await metric(stack.url, 'response_cache_lookups_total', '{outcome="hit"}')).toBe(1);
    expect(await metric(stack.url, 'response_cache_lookups_total', '{outcome="miss"}')).toBe(2);
    expect(await metric(stack.url, 'response_cache_entries')).toBe(2);
    expect(await metric(stack.url, 'response_cache_bytes')).toBeGreaterThan(2 * 20_000);
  });

  it('keys answers by variables and operation: a different window is a different answer', async () => {
    const stack = await stackWith({ responseCacheTtlSeconds: 60 }, { simulator: { pools: 80 } });
    const window = { start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z', samples: 10 };
    expect(await callsOf(stack, () => stack.query(DASHBOARD, { window }))).toBe(52);
    expect(await callsOf(stack, () => stack.query(DASHBOARD, { window: { ...window, samples: 11 } }))).toBe(
      52,
    );
    expect(await callsOf(stack, () => stack.query(DASHBOARD, { window }))).toBe(0);
  });

  it('drops what a patchNodePool changed: the next query asks Run:ai and shows the new label', async () => {
    const stack = await cachedStack();
    await stack.query(LABELS);
    await stack.query(POOL_3);
    expect(await callsOf(stack, () => stack.query(LABELS))).toBe(0);
    const patched = await stack.query(PATCH, { labelValue: 'patched-here' });
    expect(patched.errors).toBeUndefined();
    let list: { data?: unknown } = {};
    expect(await callsOf(stack, async () => (list = await stack.query(LABELS)))).toBe(1);
    const rows = (list.data as { nodePools: { edges: { node: { runaiId: string; labelValue: string } }[] } })
      .nodePools.edges;
    expect(rows.find((row) => row.node.runaiId === '3')?.node.labelValue).toBe('patched-here');
    let pool: { data?: unknown } = {};
    expect(await callsOf(stack, async () => (pool = await stack.query(POOL_3)))).toBe(1);
    expect(labelOf(pool)).toBe('patched-here');
    expect(await metric(stack.url, 'response_cache_invalidations_total', '{source="mutation"}')).toBe(1);
  });

  it('keeps the answers of other pools when one pool changes, and drops the count with the list', async () => {
    const stack = await cachedStack();
    const other = '{ nodePool(id: "1") { id labelValue } }';
    await stack.query(other);
    await stack.query('{ nodePoolCount }');
    await stack.query(PATCH, { labelValue: 'only-three' });
    expect(await callsOf(stack, () => stack.query(other))).toBe(0);
    expect(await callsOf(stack, () => stack.query('{ nodePoolCount }'))).toBe(1);
  });

  it('gives an ETag, answers 304 to a matching If-None-Match, and a new ETag after a change', async () => {
    const stack = await cachedStack();
    const first = await getQuery(stack.url, { query: POOL_3 });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/^private, max-age=(59|60)$/);
    expect(first.headers.get('vary')).toMatch(/authorization/i);
    expect(first.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const body = await first.text();
    expect(JSON.parse(body)).toEqual({
      data: { nodePool: expect.objectContaining({ id: expect.any(String) }) },
    });

    const calls = stack.simulator.requests.length;
    const notModified = await getQuery(stack.url, { query: POOL_3 }, { 'if-none-match': etag ?? '' });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(stack.simulator.requests.length).toBe(calls);
    // A tag opens nothing by itself: another token's request runs with its own calls (Run:ai shows it
    // the same pool, hence the same tag), and a token Run:ai refuses gets its refusal, not a 304.
    const otherToken = await getQuery(
      stack.url,
      { query: POOL_3 },
      { 'if-none-match': etag ?? '', authorization: 'Bearer demo-viewer' },
    );
    expect(otherToken.status).toBe(304);
    expect(stack.simulator.requests.length).toBe(calls + 1);
    const refused = await getQuery(
      stack.url,
      { query: POOL_3 },
      { 'if-none-match': etag ?? '', authorization: 'Bearer not-a-token' },
    );
    expect(refused.status).not.toBe(304);
    expect(refused.headers.get('cache-control')).toBe('no-store');

    await stack.query(PATCH, { labelValue: 'etag-changed' });
    const changed = await getQuery(stack.url, { query: POOL_3 }, { 'if-none-match': etag ?? '' });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(labelOf(await changed.json())).toBe('etag-changed');
  });

  it('answers 304 to a persisted document fetched by GET', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-manifest-'));
    const manifest = join(dir, 'manifest.json');
    const hash = createHash('sha256').update(POOL_3).digest('hex');
    writeFileSync(manifest, JSON.stringify({ [hash]: POOL_3 }));
    const stack = await cachedStack({ persistedDocuments: manifest, persistedOnly: true });
    const first = await getQuery(stack.url, { documentId: hash });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') ?? '';
    const again = await getQuery(stack.url, { documentId: hash }, { 'if-none-match': `W/${etag}, "other"` });
    expect(again.status).toBe(304);
  });

  it('says how every other answer may be kept: mutations and errors never, introspection by anyone', async () => {
    const stack = await cachedStack();
    const send = (query: string, variables = {}) =>
      fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
        body: JSON.stringify({ query, variables }),
      });
    const mutation = await send(PATCH, { labelValue: 'x' });
    expect(mutation.headers.get('cache-control')).toBe('no-store');
    expect(mutation.headers.get('etag')).toBeNull();
    const invalid = await send('{ nodePool(id: "not an id") { id } }');
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    const introspection = await send('{ __schema { queryType { name } } }');
    expect(introspection.headers.get('cache-control')).toBe('public, no-cache');
    // Nothing can revalidate a POST: its answers carry no ETag. A GET's do.
    expect(introspection.headers.get('etag')).toBeNull();
    expect((await send(POOL_3)).headers.get('cache-control')).toMatch(/^private, max-age=/);
    const byGet = await getQuery(stack.url, { query: '{ __schema { queryType { name } } }' });
    expect(byGet.headers.get('cache-control')).toBe('public, no-cache');
    expect(byGet.headers.get('etag')).toMatch(/^"/);
    const refused = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: JSON.stringify({ query: POOL_3 }),
    });
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('etag')).toBeNull();
  });

  it('says no-cache for a query answer it did not keep: one made without Run:ai, such as the subgraph SDL', async () => {
    const stack = await cachedStack();
    // Run:ai has vouched for the token: the SDL then costs nothing, and nothing is kept of it.
    await fetch(`${stack.url}/graphql?${new URLSearchParams({ query: POOL_3 })}`, {
      headers: { authorization: 'Bearer demo-admin', 'x-graphql-yoga-csrf': '1' },
    });
    const calls = stack.simulator.requests.length;
    const sdl = await fetch(`${stack.url}/subgraph`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    expect(sdl.status).toBe(200);
    expect(sdl.headers.get('cache-control')).toBe('private, no-cache');
    expect(stack.simulator.requests).toHaveLength(calls);
  });

  it('never keeps an answer Run:ai failed (5xx) or one holding errors', async () => {
    const stack = await cachedStack({ upstreamMaxRetries: 0 });
    stack.simulator.faults.failNext(1, 503, { operation: 'get_nodepool' });
    const failed = await stack.query(POOL_3);
    expect(failed.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(await callsOf(stack, () => stack.query(POOL_3))).toBe(1);
    expect(await callsOf(stack, () => stack.query(POOL_3))).toBe(0);

    // One field fails, the other answers: data with errors is not kept either.
    const mixed = '{ a: nodePool(id: "1") { id } b: nodePool(id: "2") { id } }';
    stack.simulator.faults.failNext(1, 500, { operation: 'get_nodepool' });
    const partial = await stack.query(mixed);
    expect(partial.errors).toHaveLength(1);
    expect(await callsOf(stack, () => stack.query(mixed))).toBe(2);
    expect(await callsOf(stack, () => stack.query(mixed))).toBe(0);
  });

  it('keeps nothing for a refused or absent token, and asks nothing of Run:ai for it', async () => {
    const stack = await cachedStack();
    expect(await callsOf(stack, () => stack.query(POOL_3, {}, null))).toBe(0);
    expect(await metric(stack.url, 'response_cache_entries')).toBe(0);
  });

  it('evicts the least recently used answers past its byte bound, and keeps no answer larger than allowed', async () => {
    const stack = await cachedStack({
      responseCacheMaxBytes: 64 * 1024,
      responseCacheMaxEntryBytes: 48 * 1024,
    });
    // Each sample is about 50 bytes of JSON: 40 samples of every pool come to 25–35 KB, 120 to over 48 KB.
    const page = (samples: number) =>
      `{ nodePools(first: 50) { edges { node { id metrics(types: [GPU_UTILIZATION], window: { samples: ${samples} }) { series { samples { timestamp value } } } } } } }`;
    const one = await callsOf(stack, () => stack.query(page(40)));
    const size = await metric(stack.url, 'response_cache_bytes');
    expect(size).toBeGreaterThan(22 * 1024);
    expect(size).toBeLessThan(32 * 1024);
    await stack.query(page(41));
    await stack.query(page(42));
    expect(await metric(stack.url, 'response_cache_bytes')).toBeLessThanOrEqual(64 * 1024);
    expect(await metric(stack.url, 'response_cache_entries')).toBe(2);
    expect(await callsOf(stack, () => stack.query(page(42)))).toBe(0);
    expect(await callsOf(stack, () => stack.query(page(40)))).toBe(one);
    // Larger than responseCacheMaxEntryBytes: served, never kept.
    const large = await callsOf(stack, () => stack.query(page(120)));
    expect(await callsOf(stack, () => stack.query(page(120)))).toBe(large);
  });

  it('holds at most responseCacheMaxEntries answers however many distinct documents a caller sends', async () => {
    const stack = await cachedStack({ responseCacheMaxEntries: 5 });
    for (let first = 1; first <= 30; first++) {
      await stack.query('query($first: Int) { nodePools(first: $first) { edges { node { id } } } }', {
        first,
      });
    }
    expect(await metric(stack.url, 'response_cache_entries')).toBe(5);
    expect(
      await callsOf(stack, () =>
        stack.query('query($first: Int) { nodePools(first: $first) { edges { node { id } } } }', {
          first: 30,
        }),
      ),
    ).toBe(0);
  });

  it('drops a pool changed at Run:ai within one poll interval while a subscriber watches its scope', async () => {
    const stack = await cachedStack({ pollIntervalMs: 500 });
    const labels: string[] = [];
    const client = wsClient(stack.url);
    onCleanup(
      client.subscribe<{ nodePoolChanged: { nodePool: { labelValue: string } } }>(
        { query: LABEL_FEED },
        {
          next: (r) => labels.push(String(r.data?.nodePoolChanged.nodePool.labelValue)),
          error: () => {},
          complete: () => {},
        },
      ),
    );
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await stack.query(POOL_3);
    expect(await callsOf(stack, () => stack.query(POOL_3))).toBe(0);
    await relabelAtRunai(stack.simulator.url, 'changed-at-runai');
    await eventually(() => expect(labels).toContain('changed-at-runai'));
    // The watcher's poll that saw it dropped the answer: the next query asks Run:ai.
    const fresh = await stack.query(POOL_3);
    expect(labelOf(fresh)).toBe('changed-at-runai');
    expect(
      await metric(stack.url, 'response_cache_invalidations_total', '{source="watcher"}'),
    ).toBeGreaterThan(0);
  });

  it('without a subscriber, serves a change made at Run:ai once the TTL has passed', async () => {
    const stack = await stackWith({ responseCacheTtlSeconds: 1 });
    await stack.query(POOL_3);
    await relabelAtRunai(stack.simulator.url, 'after-ttl');
    const stale = await stack.query(POOL_3);
    expect(labelOf(stale)).not.toBe('after-ttl');
    await eventually(async () => expect(labelOf(await stack.query(POOL_3))).toBe('after-ttl'));
  });

  it('serves graphql-ws queries from the same cache, and no transport shows its metadata', async () => {
    const stack = await cachedStack();
    const client = wsClient(stack.url);
    const overWs = () =>
      new Promise<unknown>((resolve, reject) => {
        let result: unknown;
        client.subscribe(
          { query: POOL_3 },
          { next: (r) => (result = r), error: reject, complete: () => resolve(result) },
        );
      });
    let first: unknown;
    let second: unknown;
    expect(await callsOf(stack, async () => (first = await overWs()))).toBe(1);
    expect(await callsOf(stack, async () => (second = await overWs()))).toBe(0);
    expect(second).toEqual(first);
    expect(Object.keys(second as object)).toEqual(['data']);
    expect(await callsOf(stack, () => stack.query(POOL_3))).toBe(0);
    // @defer: the parts come as they did, without the cache's bookkeeping, and the merged answer is kept.
    const deferred = '{ nodePool(id: "1") { id ... @defer { labelValue } } }';
    const parts = async () => {
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer demo-admin',
          accept: 'multipart/mixed',
        },
        body: JSON.stringify({ query: deferred }),
      });
      return res.text();
    };
    const text = await parts();
    expect(text).toContain('labelValue');
    expect(text).not.toContain('responseCache');
    expect(await callsOf(stack, async () => expect(await parts()).not.toContain('responseCache'))).toBe(0);
  });

  it('with RESPONSE_CACHE_TTL_SECONDS=0 keeps nothing', async () => {
    const stack = await stackWith({ responseCacheTtlSeconds: 0 });
    await stack.query(POOL_3);
    expect(await callsOf(stack, () => stack.query(POOL_3))).toBe(1);
    const answer = await getQuery(stack.url, { query: POOL_3 });
    expect(answer.headers.get('cache-control')).toBe('private, no-cache');
    expect(answer.headers.get('etag')).toMatch(/^"/);
  });
});
