import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../helpers/http.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * The operation log names each error's code, and its level says whose
 * failure it was: the caller's mistakes at info, Run:ai's at warn. Nothing
 * the caller got wrong is logged as an error, by the gateway or by yoga.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'debug' } });
});
afterAll(() => stack.stop());

const INFO = 30;
const WARN = 40;
const ERROR = 50;

/** Sends an operation and returns the one operation line it logged. */
async function logged(query: string, token: string | null = 'demo-admin') {
  const before = stack.logs.length;
  await post(stack.url, { query }, { token });
  const lines = stack.logs.slice(before);
  const line = lines.find((l) => l['msg'] === 'graphql operation');
  return { line, lines };
}

describe('operation log', () => {
  it.each([
    ['BAD_USER_INPUT', '{ nodePools(first: 501) { edges { node { name } } } }', 'demo-admin'],
    ['BAD_USER_INPUT', '{ nodePool(id: "x") { name } }', 'demo-admin'],
    ['UNAUTHENTICATED', '{ nodePoolCount }', null],
    ['UNAUTHENTICATED', '{ nodePoolCount }', 'not-a-token'],
    ['FORBIDDEN', '{ nodePoolCount }', 'demo-admin'],
  ])('records %s at info, and nothing at error', async (code, query, token) => {
    if (code === 'FORBIDDEN') stack.simulator.faults.failNext(1, 403, { operation: 'count_nodepools' });
    const { line, lines } = await logged(query, token);
    expect(line).toMatchObject({ level: INFO, errors: [code] });
    expect(lines.filter((l) => (l['level'] as number) >= ERROR)).toEqual([]);
  });

  it('records NOT_FOUND at info', async () => {
    stack.simulator.faults.failNext(1, 404, { operation: 'count_nodepools' });
    const { line } = await logged('{ nodePoolCount }');
    expect(line).toMatchObject({ level: INFO, errors: ['NOT_FOUND'] });
  });

  it('records a Run:ai failure at warn, with its code', async () => {
    stack.simulator.faults.failNext(3, 503, { operation: 'count_nodepools' });
    const { line, lines } = await logged('{ nodePoolCount }');
    expect(line).toMatchObject({ level: WARN, errors: ['UPSTREAM_UNAVAILABLE'] });
    expect(lines.filter((l) => (l['level'] as number) >= ERROR)).toEqual([]);
  });

  it('never records an error without its code', () => {
    const codes = stack.logs.flatMap((l) => (l['errors'] as string[] | undefined) ?? []);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes).not.toContain('UNKNOWN');
  });
});
