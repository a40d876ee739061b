import { describe, expect, it } from 'vitest';
import { countNodePools, listNodePools } from '../../src/upstream/nodepools-api.js';
import { eventually } from '../helpers/eventually.js';
import { useApiFixture } from './nodepools-api-fixture.js';
import { ADMIN, backingOffClient, expectUpstreamError } from './support.js';

const api = useApiFixture();

describe('deadlines', () => {
  it('maps the total deadline to UPSTREAM_TIMEOUT and aborts the request in flight', async () => {
    const http = api.stack.client({ totalTimeoutMs: 150 });
    api.stack.sim.faults.setLatency(1_000, { operation: 'get_nodepools' });
    await expectUpstreamError(listNodePools(api.stack.ctx(ADMIN, http)), {
      code: 'UPSTREAM_TIMEOUT',
      status: undefined,
      operation: 'get_nodepools',
    });
    // The deadline, not Run:ai's answer, ended the call: its only request was aborted, not answered.
    const req = await api.stack.sim.waitForRequest({ operation: 'get_nodepools', aborted: true }, 3_000);
    expect(req.aborted).toBe(true);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('honours a per-call deadline shorter than the configured timeout', async () => {
    api.stack.sim.faults.setLatency(1_000, { operation: 'count_nodepools' });
    await expectUpstreamError(
      countNodePools({ http: api.stack.http, token: ADMIN, deadline: Date.now() + 100 }),
      { code: 'UPSTREAM_TIMEOUT' },
    );
  });

  it('reports a deadline as UPSTREAM_TIMEOUT, not as the caller leaving, when the caller has a signal', async () => {
    api.stack.sim.faults.setLatency(1_000, { operation: 'count_nodepools' });
    const controller = new AbortController();
    await expectUpstreamError(
      countNodePools({
        http: api.stack.http,
        token: ADMIN,
        signal: controller.signal,
        deadline: Date.now() + 100,
      }),
      { code: 'UPSTREAM_TIMEOUT', operation: 'count_nodepools' },
    );
    expect(controller.signal.aborted).toBe(false);
  });
});

describe("the caller's abort", () => {
  it("rejects with the caller's reason, and aborts the upstream request", async () => {
    api.stack.sim.faults.setLatency(2_000, { operation: 'get_nodepools' });
    const controller = new AbortController();
    const reason = new Error('client went away');
    const pending = listNodePools({ http: api.stack.http, token: ADMIN, signal: controller.signal });
    // The caller leaves while Run:ai works on the request.
    await eventually(() => expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    const req = await api.stack.sim.waitForRequest({ operation: 'get_nodepools', aborted: true }, 3_000);
    expect(req.aborted).toBe(true);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('ends the back-off before a retry: the credential is free again at once', async () => {
    const { http, backingOff } = backingOffClient(api.stack);
    const controller = new AbortController();
    const pending = listNodePools({ http, token: ADMIN, signal: controller.signal });
    await backingOff;
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    // The back-off ended with the abort instead of sleeping out the Retry-After: the credential's next call
    // gets its slot at once.
    const next = countNodePools({ http, token: ADMIN });
    await eventually(() => expect(api.stack.sim.countRequests({ operation: 'count_nodepools' })).toBe(1));
    await expect(next).resolves.toBeGreaterThan(0);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('does not send anything when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already gone'));
    await expect(
      listNodePools({ http: api.stack.http, token: ADMIN, signal: controller.signal }),
    ).rejects.toThrow('already gone');
    expect(api.stack.sim.countRequests()).toBe(0);
  });
});
