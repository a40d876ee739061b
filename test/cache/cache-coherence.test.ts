import fc from 'fast-check';
import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { nodePoolGlobalId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { onCleanup } from '../helpers/cleanup.js';
import { stackWith } from '../helpers/stack.js';

/** What callers read: pools by either id, lists (whole, by cluster, paged), counts, the deprecated list. */
const READS = [
  '{ nodePool(id: "3") { id name labelValue } }',
  '{ nodePool(id: "1") { name labelValue } }',
  `{ node(id: "${nodePoolGlobalId('3')}") { id ... on NodePool { labelValue } } }`,
  `{ nodes(ids: ["${nodePoolGlobalId('1')}", "${nodePoolGlobalId('3')}"]) { ... on NodePool { name labelValue } } }`,
  '{ nodePools(first: 100) { totalCount edges { node { name labelValue } } } }',
  `{ nodePools(first: 3, filter: { clusterId: { eq: "${SEED_CLUSTER_IDS.prod}" } }) { edges { node { name labelValue } } } }`,
  '{ nodePoolCount }',
  '{ legacyNodePools { id name } }',
];
/** Reads of another token: what it sees of a pool must follow the first token's writes too. */
const OTHER_READS = READS.slice(0, 4);

type Step =
  | { kind: 'read'; doc: number; token: 'demo-admin' | 'demo-viewer' }
  | { kind: 'patch'; pool: '1' | '3'; label: string }
  | { kind: 'create' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      doc: fc.nat(READS.length - 1),
      token: fc.constant('demo-admin' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      doc: fc.nat(OTHER_READS.length - 1),
      token: fc.constant('demo-viewer' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('patch' as const),
      pool: fc.constantFrom('1' as const, '3' as const),
      label: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const) }) },
);

describe('the response cache is coherent', () => {
  it('answers every read of any sequence of reads and writes exactly as a gateway without a cache', async () => {
    // A TTL of ten minutes: only an invalidation can make a cached answer follow a write.
    const stack = await stackWith({ responseCacheTtlSeconds: 600, responseCacheMetricsTtlSeconds: 600 });
    const config = makeConfig({
      runaiUrl: stack.simulator.url,
      responseCacheTtlSeconds: 0,
      rateLimitPerMinute: 0,
      logLevel: 'silent',
    });
    const plain = buildApp(config, { log: createLogger('silent') });
    const plainUrl = await plain.start(0, '127.0.0.1');
    onCleanup(() => plain.stop());
    const send = async (url: string, query: string, token: string, variables: object = {}) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    };
    let created = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 12 }), async (steps) => {
        for (const s of steps) {
          if (s.kind === 'read') {
            const doc = (s.token === 'demo-admin' ? READS : OTHER_READS)[s.doc] as string;
            const expected = await send(plainUrl, doc, s.token);
            expect(await send(stack.url, doc, s.token)).toEqual(expected);
          } else if (s.kind === 'patch') {
            const patched = await send(
              stack.url,
              'mutation($id: ID!, $v: String) { patchNodePool(id: $id, input: { labelValue: $v }) { __typename } }',
              'demo-admin',
              { id: s.pool, v: s.label },
            );
            expect(patched).toEqual({ data: { patchNodePool: { __typename: 'UpdateNodePoolPayload' } } });
          } else {
            const input = {
              name: `coherent-${++created}`,
              clusterId: SEED_CLUSTER_IDS.prod,
              labelKey: 'node-pool-type',
              labelValue: 'a100',
            };
            const made = await send(
              stack.url,
              'mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { __typename } }',
              'demo-admin',
              { input },
            );
            expect(made).toEqual({ data: { createNodePool: { __typename: 'CreateNodePoolPayload' } } });
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
