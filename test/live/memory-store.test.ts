/**
 * The in-memory live store (one process, or the cluster primary for its workers): leases, the change log's
 * bounds, and what a resume finds. Pure: its clock is the test's.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/live/coordination/memory-store.js';

const LOG = { length: 3, maxAgeMs: 60_000 };

function storeAt(start = 1_000_000) {
  const clock = { now: start };
  return { store: new MemoryStore(() => clock.now), clock };
}

describe('MemoryStore', () => {
  it('gives a lease to one owner until it lapses or is given up', () => {
    const { store, clock } = storeAt();
    expect(store.claim('t', 'a', 2_000)).toBe(true);
    expect(store.claim('t', 'b', 2_000)).toBe(false);
    clock.now += 1_500;
    expect(store.claim('t', 'a', 2_000)).toBe(true); // renewed
    clock.now += 1_500;
    expect(store.claim('t', 'b', 2_000)).toBe(false);
    store.release('t', 'b'); // not b's to give up
    expect(store.claim('t', 'b', 2_000)).toBe(false);
    store.release('t', 'a');
    expect(store.claim('t', 'b', 2_000)).toBe(true);
    store.releaseAll('b');
    clock.now += 100;
    expect(store.claim('t', 'c', 2_000)).toBe(true);
  });

  it('keeps the newest liveLogLength events, and a resume from a trimmed cursor finds nothing', () => {
    const { store } = storeAt();
    const ids = ['e1', 'e2', 'e3', 'e4', 'e5'].map(
      (data) => store.publish({ topic: 's', events: [data], log: LOG })[0]?.id as string,
    );
    expect(store.replay('s', ids[2] as string)?.map((e) => e.data)).toEqual(['e4', 'e5']);
    expect(store.replay('s', ids[4] as string)).toEqual([]);
    expect(store.replay('s', ids[1] as string)).toBeUndefined(); // trimmed: the caller answers RESYNC
    expect(store.replay('other', ids[4] as string)).toBeUndefined();
    expect(store.newest('s')).toBe(ids[4]);
    expect(store.owns(ids[0] as string)).toBe(true);
    expect(new MemoryStore().owns(ids[0] as string)).toBe(false);
  });

  it('drops events older than liveLogMaxAgeSeconds, and forgets a topic whose log and state expired', () => {
    const { store, clock } = storeAt();
    const [first] = store.publish({ topic: 's', events: ['old'], log: LOG, snapshot: 'state' });
    clock.now += 30_000;
    store.publish({ topic: 's', events: ['newer'], log: LOG });
    clock.now += 40_000;
    expect(store.replay('s', first?.id as string)).toBeUndefined();
    expect(store.snapshot('s')).toEqual({ data: 'state', confirmedAt: clock.now - 40_000 });
    clock.now += 120_000;
    store.publish({ topic: 'another', events: [], log: LOG });
    expect(store.snapshot('s')).toBeUndefined();
    expect(store.newest('s')).toBeUndefined();
  });

  it('notes at every publication that the stored state is current, and gives every listener the events', () => {
    const { store, clock } = storeAt();
    const heard: string[] = [];
    store.listen((topic, entries) => heard.push(...entries.map((e) => `${topic}:${e.data}`)));
    store.publish({ topic: 's', events: ['a'], log: LOG, snapshot: 'state-1' });
    clock.now += 5_000;
    store.publish({ topic: 's', events: [], log: LOG });
    expect(store.snapshot('s')).toEqual({ data: 'state-1', confirmedAt: clock.now });
    store.publish({ topic: 'm', events: ['b'] });
    expect(heard).toEqual(['s:a', 'm:b']);
    expect(store.newest('m')).toBeUndefined(); // not logged
  });

  it('holds the logs of every credential within one byte budget, the largest giving up its oldest first', () => {
    const store = new MemoryStore(Date.now, 10_000);
    const big = { length: 1_000, maxAgeMs: 3_600_000 };
    const first = store.publish({ topic: 'busy', events: ['x'.repeat(1_000)], log: big })[0]?.id as string;
    for (let i = 0; i < 30; i++) store.publish({ topic: 'busy', events: ['x'.repeat(1_000)], log: big });
    store.publish({ topic: 'quiet', events: ['q'.repeat(100)], log: big });
    expect(store.loggedBytes).toBeLessThanOrEqual(10_000);
    expect(store.replay('busy', first)).toBeUndefined();
    expect(store.replay('quiet', store.newest('quiet') as string)).toEqual([]);
  });

  it('holds the snapshots of every credential within one byte budget, the least recently written going first', () => {
    const store = new MemoryStore(Date.now, undefined, 10_000);
    for (let i = 0; i < 50; i++) {
      store.publish({ topic: `scope-${i}`, events: [], snapshot: 's'.repeat(1_000), snapshotTtlMs: 60_000 });
    }
    expect(store.snapshottedBytes).toBeLessThanOrEqual(10_000);
    expect(store.snapshot('scope-0')).toBeUndefined();
    expect(store.snapshot('scope-49')?.data).toHaveLength(1_000);
  });

  it('unites the wishes of every owner until they lapse', () => {
    const { store, clock } = storeAt();
    store.want('m', 'a', ['GPU_UTILIZATION'], 1_000);
    store.want('m', 'b', ['GPU_MEMORY_UTILIZATION', 'GPU_UTILIZATION'], 3_000);
    expect(store.wanted('m').sort()).toEqual(['GPU_MEMORY_UTILIZATION', 'GPU_UTILIZATION']);
    clock.now += 2_000;
    store.want('m', 'a', [], 1_000);
    clock.now += 2_000;
    expect(store.wanted('m')).toEqual([]);
  });
});
