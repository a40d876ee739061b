/**
 * Trusted documents and automatic persisted queries, against a real gateway and simulator: Apollo Client's
 * persisted-queries link (APQ), a manifest in the format graphql-codegen's client preset emits, and
 * PERSISTED_ONLY over HTTP and graphql-ws.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client/core';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { onCleanup } from '../helpers/cleanup.js';
import { post } from '../helpers/http.js';
import { wsClient } from '../helpers/live.js';
import { stackWith } from '../helpers/stack.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const POOL_NAMES = 'query PoolNames { nodePools(first: 3) { edges { node { name } } } }';
const POOL_COUNT = 'query PoolCount { nodePoolCount }';

/** A manifest as graphql-codegen's client preset writes `persisted-documents.json`: hash → document. */
function manifestFile(documents: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
  const path = join(dir, 'persisted-documents.json');
  writeFileSync(path, JSON.stringify(Object.fromEntries(documents.map((d) => [sha256(d), d]))));
  return path;
}

const persisted = (document: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(document) } });

describe('automatic persisted queries', () => {
  it("work with Apollo Client's persisted-queries link: the hash alone once the gateway knows the query", async () => {
    const stack = await stackWith();
    const sent: { hashOnly: boolean }[] = [];
    const countingFetch: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as { query?: string };
      sent.push({ hashOnly: body.query === undefined });
      return fetch(input, init);
    };
    const client = () =>
      new ApolloClient({
        link: createPersistedQueryLink({ sha256 }).concat(
          new HttpLink({
            uri: `${stack.url}/graphql`,
            headers: { authorization: 'Bearer demo-admin' },
            fetch: countingFetch,
          }),
        ),
        cache: new InMemoryCache(),
      });
    const first = await client().query({ query: gql(POOL_NAMES) });
    expect(first.data.nodePools.edges).toHaveLength(3);
    // Unknown hash (PERSISTED_QUERY_NOT_FOUND), then the query with its hash.
    expect(sent).toEqual([{ hashOnly: true }, { hashOnly: false }]);
    // A new client (a new page) sends the hash alone, and the gateway knows it.
    const second = await client().query({ query: gql(POOL_NAMES) });
    expect(second.data).toEqual(first.data);
    expect(sent.slice(2)).toEqual([{ hashOnly: true }]);
  });

  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND and a wrong one with PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const stack = await stackWith();
    const unknown = await post(stack.url, { extensions: persisted(POOL_COUNT) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const mismatch = await post(stack.url, { query: POOL_COUNT, extensions: persisted(POOL_NAMES) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    // Nothing reached Run:ai for either.
    expect(stack.simulator.requests).toEqual([]);
  });
});

describe('a manifest of trusted documents', () => {
  it('runs its documents by documentId or by hash', async () => {
    const stack = await stackWith({ persistedDocuments: manifestFile([POOL_NAMES, POOL_COUNT]) });
    const byId = await post(stack.url, { documentId: sha256(POOL_COUNT) });
    expect(byId.status).toBe(200);
    expect(typeof byId.body.data?.['nodePoolCount']).toBe('number');
    const byHash = await post(stack.url, { extensions: persisted(POOL_NAMES), operationName: 'PoolNames' });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data?.['nodePools']).toBeDefined();
  });

  it('with PERSISTED_ONLY, refuses any other document before it runs, over HTTP and graphql-ws', async () => {
    const stack = await stackWith({ persistedDocuments: manifestFile([POOL_COUNT]), persistedOnly: true });
    const full = await post(stack.url, { query: POOL_COUNT });
    expect(full.status).toBe(400);
    expect(full.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    // An APQ registration would let any document in: refused the same way.
    const registration = await post(stack.url, { query: POOL_NAMES, extensions: persisted(POOL_NAMES) });
    expect(registration.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    expect((await post(stack.url, { extensions: persisted(POOL_NAMES) })).status).toBe(404);
    expect(stack.simulator.requests).toEqual([]);
    expect((await post(stack.url, { documentId: sha256(POOL_COUNT) })).status).toBe(200);

    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const run = (payload: { query: string; extensions?: Record<string, unknown> }) =>
      new Promise<{ data?: unknown; code?: unknown }>((resolve) => {
        client.subscribe(payload, {
          next: (result) => resolve({ data: result.data }),
          error: (error) =>
            resolve({ code: (error as { extensions?: { code?: string } }[])[0]?.extensions?.code }),
          complete: () => {},
        });
      });
    expect(await run({ query: POOL_COUNT })).toEqual({ code: 'PERSISTED_QUERY_ONLY' });
    const byHash = await run({ query: '', extensions: persisted(POOL_COUNT) });
    expect(byHash.data).toMatchObject({ nodePoolCount: expect.any(Number) });
  });

  it("labels the metrics' operations with the manifest's names only", async () => {
    const stack = await stackWith({ persistedDocuments: manifestFile([POOL_COUNT]) });
    await post(stack.url, { documentId: sha256(POOL_COUNT) });
    await post(stack.url, { query: 'query MadeUpName1234 { nodePoolCount }' });
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/graphql_operations_total\{operation="PoolCount",outcome="success"\} 1/);
    expect(metrics).toMatch(/graphql_operations_total\{operation="other",outcome="success"\} 1/);
    expect(metrics).not.toContain('MadeUpName1234');
  });

  it('refuses to start on PERSISTED_ONLY without a manifest, or on a manifest that does not parse', () => {
    expect(() => loadConfig({ PERSISTED_ONLY: 'true' })).toThrow(/PERSISTED_ONLY needs PERSISTED_DOCUMENTS/);
    const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ abc: 'query {' }));
    return expect(stackWith({ persistedDocuments: broken })).rejects.toThrow(/does not parse/);
  });
});
