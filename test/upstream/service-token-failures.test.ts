import { describe, expect, it } from 'vitest';
import { useServiceTokens } from './service-token-fixture.js';
import { expectUpstreamError } from './support.js';

const t = useServiceTokens();

describe('ServiceTokenSource: failed token calls and callers that leave', () => {
  it('rejects every waiter with UNAUTHENTICATED for a wrong secret, and retries on the next call', async () => {
    const src = t.source({ clientSecret: 'not-the-secret' });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => src.getToken()));
    expect(t.tokenCalls()).toBe(1);
    const errors = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(new Set(errors).size).toBe(1);
    await expectUpstreamError(Promise.reject(errors[0]), {
      code: 'UNAUTHENTICATED',
      status: 401,
      operation: 'issue_token',
    });

    await expectUpstreamError(src.getToken(), { code: 'UNAUTHENTICATED' });
    expect(t.tokenCalls()).toBe(2);
    expect(t.logLines.some((l) => l.startsWith('warn Run:ai service token request failed'))).toBe(true);
  });

  it('recovers after a failed call once Run:ai answers again', async () => {
    const src = t.source();
    t.sim.faults.failNext(1, 503, { operation: 'issue_token' });
    // POST is never retried by the transport: the 503 reaches the caller.
    await expectUpstreamError(src.getToken(), { code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    const token = await src.getToken();
    expect(await t.listPools(token)).toMatchObject({ nodepools: expect.any(Array) });
    expect(t.tokenCalls()).toBe(2);
  });

  it('lets an aborting caller leave without cancelling the shared call', async () => {
    const src = t.source();
    const controller = new AbortController();
    const leaving = src.getToken(controller.signal);
    const staying = src.getToken();
    controller.abort(new Error('client went away'));
    await expect(leaving).rejects.toThrow('client went away');
    const token = await staying;
    expect(await src.getToken()).toBe(token);
    expect(t.tokenCalls()).toBe(1);
  });

  it('rejects an already aborted signal without a token call', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(t.source().getToken(controller.signal)).rejects.toThrow('too late');
    expect(t.tokenCalls()).toBe(0);
  });
});
