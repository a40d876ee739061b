import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, post } from '../helpers/http.js';
import { wsClient, wsOperation } from '../helpers/live.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Findings 8 and 9 of the third security round: the APQ store was capped by
 * count, not bytes (600 tokenless requests stored 146 MB), documents were
 * stored before they parsed or any credential was checked, and the store was
 * a cross-tenant oracle (tenant B ran tenant A's registered document by its
 * hash alone).
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // No demo credentials: a caller without a token has none.
    config: { logLevel: 'silent', apqStoreBytes: 256 * 1024, apqMaxDocumentBytes: 16 * 1024 },
  });
});
afterAll(() => stack.stop());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const apq = (query: string, withQuery = true) => ({
  ...(withQuery ? { query } : {}),
  extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } },
});
const bytesKept = async () => {
  const res = await fetch(`${stack.url}/metrics`);
  return Number(/^apq_store_bytes (\d+)/m.exec(await res.text())?.[1]);
};

describe('the APQ store', () => {
  it('keeps a document only for the tenant that registered it: another tenant gets PERSISTED_QUERY_NOT_FOUND', async () => {
    const query = '{ nodePools(filter: { name: { startsWith: "secret-project" } }) { totalCount } }';
    expect((await post(stack.url, apq(query), { token: 'demo-admin' })).status).toBe(200);
    // The same tenant: by hash alone.
    const again = await post(stack.url, apq(query, false), { token: 'demo-admin' });
    expect([again.status, codesOf(again.body)]).toEqual([200, []]);
    // Another tenant cannot learn that the document exists, nor run it by its hash.
    const other = await post(stack.url, apq(query, false), { token: 'demo-admin-2' });
    expect([other.status, codesOf(other.body)]).toEqual([404, ['PERSISTED_QUERY_NOT_FOUND']]);
  });

  it('keeps nothing for a caller without credentials, nor for a document that does not parse or validate', async () => {
    const anonymous = '{ nodePoolCount }';
    expect(codesOf((await post(stack.url, apq(anonymous), { token: null })).body)).toEqual([
      'UNAUTHENTICATED',
    ]);
    const broken = '{ nodePoolCount(';
    expect(codesOf((await post(stack.url, apq(broken))).body)).toEqual(['GRAPHQL_PARSE_FAILED']);
    const invalid = '{ noSuchField }';
    expect(codesOf((await post(stack.url, apq(invalid))).body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await bytesKept()).toBeLessThan(2_000);
    for (const query of [broken, invalid]) {
      expect(codesOf((await post(stack.url, apq(query, false))).body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    }
  });

  it('is bounded in bytes: 600 large documents keep at most apqStoreBytes, each under apqMaxDocumentBytes', async () => {
    const documents = Array.from(
      { length: 600 },
      (_, i) => `query Padded${i} { nodePoolCount ${'__typename '.repeat(1_000)} }`,
    );
    for (let i = 0; i < documents.length; i += 50) {
      await Promise.all(documents.slice(i, i + 50).map((query) => post(stack.url, apq(query))));
    }
    expect(await bytesKept()).toBeLessThanOrEqual(256 * 1024);
    // Larger than apqMaxDocumentBytes: it runs, but is not kept.
    const huge = `{ nodePoolCount ${' '.repeat(20_000)}}`;
    expect((await post(stack.url, apq(huge))).status).toBe(200);
    expect(codesOf((await post(stack.url, apq(huge, false))).body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('scopes documents registered over graphql-ws the same way', async () => {
    const query = '{ nodePool(id: "2") { name } }';
    const run = async (token: string, withQuery: boolean) => {
      const client = wsClient(stack.url, token);
      try {
        return await wsOperation(client, { query: withQuery ? query : '', ...apq(query, false) }).outcome;
      } finally {
        await client.dispose();
      }
    };
    expect(await run('demo-admin', true)).toEqual('ok');
    expect(await run('demo-admin', false)).toEqual('ok');
    expect(await run('demo-admin-2', false)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});
