import { describe, expect, it } from 'vitest';
import { listNodePools } from '../../src/upstream/nodepools-api.js';
import { eventually } from '../helpers/eventually.js';
import { useApiFixture } from './nodepools-api-fixture.js';
import { ADMIN, backingOffClient } from './support.js';

const api = useApiFixture();

/** Resolves once Run:ai has received the (shared) list call: the callers may leave it from then on. */
const listArrived = () =>
  eventually(() => expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1));

describe('identical GETs in flight share one call', () => {
  it('one caller leaving does not cancel it for the other', async () => {
    api.stack.sim.faults.setLatency(300, { operation: 'get_nodepools' });
    const leaving = new AbortController();
    const first = listNodePools({ http: api.stack.http, token: ADMIN, signal: leaving.signal });
    const second = listNodePools({
      http: api.stack.http,
      token: ADMIN,
      signal: new AbortController().signal,
    });
    await listArrived();
    leaving.abort(new Error('first caller left'));
    await expect(first).rejects.toThrow('first caller left');
    expect((await second).length).toBeGreaterThan(0);
    const calls = api.stack.sim.requests.filter((r) => r.operation === 'get_nodepools');
    expect(calls.map((r) => [r.status, r.aborted])).toEqual([[200, false]]);
  });

  it('is aborted once every caller has left', async () => {
    api.stack.sim.faults.setLatency(2_000, { operation: 'get_nodepools' });
    const callers = [new AbortController(), new AbortController()];
    const pending = callers.map((c) =>
      listNodePools({ http: api.stack.http, token: ADMIN, signal: c.signal }),
    );
    await listArrived();
    callers[0]?.abort(new Error('first left'));
    callers[1]?.abort(new Error('second left'));
    await expect(pending[0]).rejects.toThrow('first left');
    await expect(pending[1]).rejects.toThrow('second left');
    const req = await api.stack.sim.waitForRequest({ operation: 'get_nodepools', aborted: true }, 3_000);
    expect(req.aborted).toBe(true);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('stops its back-off once every caller has left; a new caller starts a call of its own', async () => {
    const { http, backingOff } = backingOffClient(api.stack);
    const callers = [new AbortController(), new AbortController()];
    const pending = callers.map((c) => listNodePools({ http, token: ADMIN, signal: c.signal }));
    await backingOff;
    callers[0]?.abort(new Error('first left'));
    await expect(pending[0]).rejects.toThrow('first left');
    callers[1]?.abort(new Error('second left'));
    await expect(pending[1]).rejects.toThrow('second left');
    // The shared call ended with its last caller instead of sleeping out the Retry-After: a new caller
    // starts a call of its own at once, rather than joining the abandoned one or waiting for its slot.
    const next = listNodePools({ http, token: ADMIN });
    await eventually(() => expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(2));
    expect((await next).length).toBeGreaterThan(0);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(2);
  });
});
