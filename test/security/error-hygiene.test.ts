import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post } from '../helpers/http.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Run:ai's internals never reach clients: the text of a 5xx goes to the log
 * with the request id, and the client gets the code, the upstream status, a
 * generic message and that request id. Run:ai's 4xx messages describe the
 * caller's own input, so they pass through.
 */

const SECRET = 'db-7.corp.internal:5432 password=hunter2 /var/lib/runai/secrets';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'info', upstreamMaxRetries: 0 } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.faults.reset());

const runaiError = (code: number, message: string) => JSON.stringify({ code, message, details: message });

describe('Run:ai 5xx', () => {
  it.each([500, 502, 503])(
    'keeps the text of a %i out of the answer and puts it in the log, by request id',
    async (status) => {
      stack.simulator.faults.failNext(1, status, {
        operation: 'count_nodepools',
        body: runaiError(status, SECRET),
      });
      const before = stack.logs.length;
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
        body: JSON.stringify({ query: '{ nodePoolCount }' }),
      });
      const text = await res.text();
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('corp.internal');
      const error = (
        JSON.parse(text) as { errors: { message: string; extensions: Record<string, unknown> }[] }
      ).errors[0];
      expect(error?.message).toMatch(
        /^Run:ai (failed to process the request|is unavailable) \(count_nodepools, HTTP \d+\)$/,
      );
      expect(error?.extensions['upstream']).toEqual({
        operation: 'count_nodepools',
        status,
        code: status,
        message: null,
      });
      const requestId = error?.extensions['requestId'];
      expect(requestId).toEqual(res.headers.get('x-request-id'));
      const line = stack.logs.slice(before).find((l) => l['msg'] === 'graphql operation');
      expect(line).toMatchObject({
        requestId,
        upstreamFailures: [{ operation: 'count_nodepools', status, message: SECRET }],
      });
    },
  );
});

describe('Run:ai 4xx', () => {
  it('passes a validation message on: it describes the caller’s own input', async () => {
    stack.simulator.faults.failNext(1, 400, {
      operation: 'count_nodepools',
      body: runaiError(400, 'filterBy: unknown field'),
    });
    const answer = await post(stack.url, { query: '{ nodePoolCount }' });
    const error = answer.body.errors?.[0];
    expect(error?.message).toContain('filterBy: unknown field');
    expect(error?.extensions?.['upstream']).toMatchObject({ message: 'filterBy: unknown field' });
    // The caller's own mistake needs no request id to report.
    expect(error?.extensions).not.toHaveProperty('requestId');
  });
});
