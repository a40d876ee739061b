import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusOfCode } from '../../src/domain/errors.js';
import { codesOf, expectContract, post } from '../helpers/http.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * What Run:ai answers, within its spec or not: every spec-valid count is
 * served exactly, and an answer the gateway cannot serve is a coded
 * UPSTREAM_BAD_RESPONSE, never an INTERNAL_SERVER_ERROR or a silent empty list.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => {
  stack.simulator.clearRequests();
  stack.simulator.faults.reset();
});

/** The next call of `operation` answers 200 with `body`. */
const answerNext = (operation: string, body: string) =>
  stack.simulator.faults.failNext(1, 200, { operation, body });

const COUNT = '{ nodePoolCount nodePools(first: 1) { totalCount } }';

describe('int64 counts', () => {
  it.each([2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER])('serves a count of %i exactly', async (count) => {
    answerNext('count_nodepools', JSON.stringify({ count }));
    answerNext('count_nodepools', JSON.stringify({ count: String(count) }));
    const answer = await post(stack.url, { query: COUNT });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ nodePoolCount: count, nodePools: { totalCount: count } });
  });

  it.each(['9223372036854775807', '9007199254740992', '-1', '1.5'])(
    'refuses a count of %s, which no GraphQL client can read exactly, as UPSTREAM_BAD_RESPONSE',
    async (count) => {
      answerNext('count_nodepools', `{"count": ${count}}`);
      const answer = await post(stack.url, { query: '{ nodePoolCount }' });
      expectContract(answer, statusOfCode);
      expect(answer.body.data).toEqual({ nodePoolCount: null });
      expect(codesOf(answer.body)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    },
  );

  it('refuses a tenant id past int32, and reads a ratio past int32 as unknown', async () => {
    const seedPool = await (
      await fetch(`${stack.simulator.url}/api/v1/node-pools/2`, {
        headers: { authorization: 'Bearer demo-admin' },
      })
    ).json();
    answerNext('get_nodepool', JSON.stringify({ ...seedPool, tenantId: 2 ** 31 }));
    const tenant = await post(stack.url, { query: '{ nodePool(id: "2") { tenantId } }' });
    expect(codesOf(tenant.body)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    answerNext('get_nodepool', JSON.stringify({ ...seedPool, overProvisioningRatio: 2 ** 33 }));
    const ratio = await post(stack.url, { query: '{ nodePool(id: "2") { name overProvisioningRatio } }' });
    expect(ratio.body.errors).toBeUndefined();
    expect(ratio.body.data).toEqual({ nodePool: { name: seedPool.name, overProvisioningRatio: null } });
  });
});

describe('answers missing what the spec requires', () => {
  it.each(['{}', '{"nodepools": null}', '{"pools": []}'])(
    'a list answer %s is UPSTREAM_BAD_RESPONSE, not an empty page',
    async (body) => {
      answerNext('get_nodepools', body);
      const answer = await post(stack.url, { query: '{ nodePools { edges { node { name } } } }' });
      expectContract(answer, statusOfCode);
      expect(answer.body.data).toEqual({ nodePools: null });
      expect(codesOf(answer.body)).toEqual(['UPSTREAM_BAD_RESPONSE']);
      expect(answer.body.errors?.[0]?.message).toMatch(/nodepools/);
    },
  );
});
