import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createDocumentCaches, documentBytes } from '../../src/graphql/document-caches.js';
import { stackWith } from '../helpers/stack.js';

/**
 * Finding 8 of the fourth security round: parsed documents were cached by
 * count, not bytes. yoga's parse and validation caches hold up to 1,000
 * documents of up to maxBodyBytes each, so 600 tokenless requests with
 * large documents took the heap after GC from 42 to 192 MB. The caches are
 * now bounded by an estimate of what a parsed document holds (its source,
 * its nodes and their locations), and a document too large for the bound
 * is parsed each time instead of kept.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('parsed documents cached within a bound in bytes', () => {
  it('holds the heap when 600 tokenless requests send distinct 200 KB documents to /graphql and /subgraph', async () => {
    const stack = await stackWith();
    const send = (path: string, i: number) =>
      fetch(`${stack.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `# ${i} ${'x'.repeat(200_000)}\n{ __typename }` }),
      }).then((res) => res.status);
    // Warm: the first requests load what every request needs.
    await send('/graphql', -1);
    const before = heapAfterGc();
    for (let batch = 0; batch < 60; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => send(i % 2 ? '/subgraph' : '/graphql', batch * 10 + i)),
      );
      expect(statuses.every((status) => status === 200)).toBe(true);
    }
    const grown = heapAfterGc() - before;
    // 600 documents of 200 KB are 120 MB of source alone; the caches hold at most 32 MiB of estimate.
    expect(grown).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);

  it('estimates a parsed document by its source and nodes, and keeps nothing past the bound', () => {
    const caches = createDocumentCaches({ maxBytes: 1024 * 1024, maxDocumentBytes: 256 * 1024 });
    const small = '{ nodePools(first: 5) { edges { node { id name } } } }';
    expect(documentBytes(small, parse(small))).toBeGreaterThan(2 * small.length);
    caches.documentCache.set(small, parse(small));
    expect(caches.documentCache.get(small)).toBeDefined();

    // One document whose estimate passes the per-document bound is not kept at all.
    const large = `{ ${Array.from({ length: 3_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    caches.documentCache.set(large, parse(large));
    expect(caches.documentCache.get(large)).toBeUndefined();

    // Many small ones: the oldest go, the estimate stays within the total.
    for (let i = 0; i < 5_000; i++) {
      const text = `{ nodePool(id: "${i}") { id name phase } }`;
      caches.documentCache.set(text, parse(text));
    }
    expect(caches.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(caches.documentCache.get(small)).toBeUndefined();
  });
});
