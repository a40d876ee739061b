import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConfigInput } from '../../src/config.js';
import { statusOfCode } from '../../src/domain/errors.js';
import { type Answer, codesOf, get, post, postSse } from '../helpers/http.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Every check of the pipeline against every transport. A row is a check, a
 * column a transport; each cell sends the request that trips the check and
 * asserts the same `extensions.code`, and, where the transport has one, the
 * same HTTP status. A check wired into one transport only fails here.
 */

/** A request as GraphQL clients send it. */
interface Sent {
  query?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  /** Bearer token; `null` sends none. Default demo-admin. */
  token?: string | null;
}

/** What a transport gave back: the codes of the errors, and the HTTP status (none over WebSocket). */
interface Outcome {
  codes: unknown[];
  status?: number;
  /** Over WebSocket: the close code when the connection itself was refused. */
  closeCode?: number;
}

type Transport = (stack: Stack, sent: Sent) => Promise<Outcome>;

const fromAnswer = (answer: Answer): Outcome => ({ codes: codesOf(answer.body), status: answer.status });

const TRANSPORTS: Record<string, Transport> = {
  POST: async (stack, { token, ...request }) => fromAnswer(await post(stack.url, request, { token })),
  GET: async (stack, { token, query, variables, extensions }) => {
    const params: Record<string, string> = {};
    if (query !== undefined) params['query'] = query;
    if (variables) params['variables'] = JSON.stringify(variables);
    if (extensions) params['extensions'] = JSON.stringify(extensions);
    return fromAnswer(await get(stack.url, params, { token }));
  },
  SSE: async (stack, { token, ...request }) => {
    const answer = await postSse(stack.url, request as { query: string }, { token });
    return { codes: codesOf(answer.first ?? {}), status: answer.status };
  },
  // graphql-ws requires a `query` string: persisted operations send an empty one.
  'graphql-ws': (stack, { token = 'demo-admin', query = '', ...request }) =>
    new Promise<Outcome>((resolve) => {
      const client = createClient({
        url: `${stack.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
      });
      const done = (outcome: Outcome) => {
        resolve(outcome);
        void client.dispose();
      };
      const codesOfErrors = (errors: readonly unknown[]) =>
        errors.map((error) => (error as { extensions?: { code?: unknown } }).extensions?.code);
      client.subscribe(
        { query, ...request },
        {
          next: (result) => done({ codes: codesOfErrors(result.errors ?? []) }),
          error: (error) =>
            done(
              Array.isArray(error)
                ? { codes: codesOfErrors(error) }
                : { codes: [], closeCode: (error as { code?: number }).code },
            ),
          complete: () => done({ codes: [] }),
        },
      );
    }),
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const POOL_NAMES = '{ nodePools(first: 2) { edges { node { name } } } }';

/** One check: the stack it needs, what trips it, and what every transport must answer. */
interface Row {
  check: string;
  stack: 'limits' | 'rate' | 'persistedOnly';
  sent: Sent;
  code: string;
  /** The HTTP status: the code's, or 200 when the operation ran (Run:ai failed under it). */
  status: number;
  /** Makes Run:ai fail the next call, for the rows about Run:ai's failures. */
  before?: (stack: Stack) => void;
  /** Over WebSocket, a refusal of the connection instead of a code (credentials travel in `connection_init`). */
  wsClose?: number;
}

/** Run:ai fails the operation's one list call: the operation ran, so 200 with the failure's code. */
function runaiFailure(check: string, status: number, code: string): Row {
  return {
    check,
    stack: 'limits',
    sent: { query: POOL_NAMES },
    code,
    status: 200,
    before: (stack) => stack.simulator.faults.failNext(1, status, { operation: 'get_nodepools' }),
  };
}

const ROWS: Row[] = [
  {
    check: 'rate limit',
    stack: 'rate',
    sent: { query: POOL_NAMES },
    code: 'RATE_LIMITED',
    status: 429,
  },
  {
    check: 'persisted-only',
    stack: 'persistedOnly',
    sent: { query: '{ nodePoolCount }' },
    code: 'PERSISTED_QUERY_ONLY',
    status: 400,
  },
  {
    check: 'unknown persisted id',
    stack: 'limits',
    sent: { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ unknown }') } } },
    code: 'PERSISTED_QUERY_NOT_FOUND',
    status: 404,
  },
  {
    check: 'credentials',
    stack: 'limits',
    sent: { query: POOL_NAMES, token: null },
    code: 'UNAUTHENTICATED',
    status: 401,
    wsClose: 4403,
  },
  {
    check: 'a broken argument rule',
    stack: 'limits',
    sent: {
      query: 'query($n: Int) { nodePools(first: $n) { edges { node { name } } } }',
      variables: { n: -1 },
    },
    code: 'BAD_USER_INPUT',
    status: 400,
  },
  {
    check: 'cost',
    stack: 'limits',
    sent: { query: '{ nodePools(first: 500) { edges { node { name } } } }' },
    code: 'QUERY_LIMIT_EXCEEDED',
    status: 400,
  },
  {
    check: 'depth',
    stack: 'limits',
    sent: { query: '{ nodePools { edges { node { status { placementStrategy { cpu } } } } } }' },
    code: 'QUERY_LIMIT_EXCEEDED',
    status: 400,
  },
  {
    check: 'the Run:ai call budget',
    stack: 'limits',
    sent: {
      query:
        '{ nodePools(first: 5) { edges { node { metrics(types: [GPU_UTILIZATION]) { missingTypes } } } } }',
    },
    code: 'QUERY_LIMIT_EXCEEDED',
    status: 400,
  },
  {
    check: 'introspection off',
    stack: 'limits',
    sent: { query: '{ __type(name: "NodePool") { name } }', token: 'invented-token' },
    code: 'GRAPHQL_VALIDATION_FAILED',
    status: 400,
  },
  runaiFailure('a Run:ai 5xx', 500, 'UPSTREAM_ERROR'),
  runaiFailure('a Run:ai 4xx', 403, 'FORBIDDEN'),
];

const stacks = {} as Record<Row['stack'], Stack>;
const CONFIGS: Record<Row['stack'], () => ConfigInput> = {
  limits: () => ({ maxDepth: 5, maxCost: 100, maxUpstreamCalls: 3, introspection: false }),
  rate: () => ({ rateLimitPerMinute: 1 }),
  persistedOnly: () => {
    const path = join(mkdtempSync(join(tmpdir(), 'table-')), 'persisted-documents.json');
    writeFileSync(path, JSON.stringify({ [sha256(POOL_NAMES)]: POOL_NAMES }));
    return { persistedDocuments: path, persistedOnly: true };
  },
};

beforeAll(async () => {
  for (const [name, config] of Object.entries(CONFIGS)) {
    stacks[name as Row['stack']] = await startStack({ config: { logLevel: 'silent', ...config() } });
  }
  // The rate stack's one operation a minute is spent here: charged to the
  // address (Run:ai has not yet accepted the token), it counts in the token's
  // own budget too, which every cell then finds empty.
  expect((await post(stacks.rate.url, { query: POOL_NAMES })).status).toBe(200);
});
afterAll(async () => {
  for (const stack of Object.values(stacks)) await stack.stop();
});

describe('every check on every transport', () => {
  it('the codes stand for the statuses of the table', () => {
    for (const row of ROWS)
      if (row.status !== 200) expect(statusOfCode(row.code), row.check).toBe(row.status);
  });

  describe.each(ROWS)('$check', (row) => {
    it.each(Object.keys(TRANSPORTS))('over %s', async (transport) => {
      const stack = stacks[row.stack];
      stack.simulator.faults.reset();
      row.before?.(stack);
      stack.simulator.clearRequests();
      const outcome = await (TRANSPORTS[transport] as Transport)(stack, row.sent);
      if (transport === 'graphql-ws' && row.wsClose !== undefined) {
        expect(outcome.closeCode).toBe(row.wsClose);
        return;
      }
      expect(outcome.codes).toEqual([row.code]);
      if (outcome.status !== undefined) expect(outcome.status).toBe(row.status);
      // A refusal before the operation runs costs Run:ai nothing; a Run:ai failure cost it one call.
      expect(stack.simulator.requests).toHaveLength(row.before ? 1 : 0);
    });
  });
});
