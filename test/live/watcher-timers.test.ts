/**
 * When the live layer's pollers stop, on fake timers: a stopped poller must never list again, however much
 * time passes, and only fake time can show "never" without waiting for it. Run:ai is a stand-in transport
 * that answers every list at once and counts the calls.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveUpdates } from '../../src/live/live-updates.js';
import type { UpstreamHttp, UpstreamRequest } from '../../src/upstream/http.js';
import { examplePool } from '../upstream/parse-fixtures.js';

const INTERVAL_MS = 500;
/** Far more than any poll or settling delay of a poller still running. */
const LONG_AFTER_MS = 60 * INTERVAL_MS;

/** A transport that answers every list call at once with one pool, recording the calls. */
function countingHttp(): { http: UpstreamHttp; lists: () => number } {
  const requests: UpstreamRequest[] = [];
  const http = {
    logger: undefined,
    async request(req: UpstreamRequest) {
      requests.push(req);
      return { status: 200, headers: {}, body: { nodepools: [examplePool()] } };
    },
  };
  return {
    http: http as unknown as UpstreamHttp,
    lists: () => requests.filter((r) => r.operation === 'get_nodepools').length,
  };
}

/** Subscribes as `token` and waits for its poller's first snapshot; `leave()` ends the subscription. */
async function subscriber(live: LiveUpdates, token: string) {
  const events = live.subscribe({ token, caller: token });
  // The subscription starts with the first pull.
  void events.next();
  await vi.advanceTimersByTimeAsync(0);
  await live.ready(token);
  return { leave: () => events.return?.() };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a poller that stops lists no more', () => {
  it('when the last subscriber of its token leaves', async () => {
    const { http, lists } = countingHttp();
    const live = new LiveUpdates({ http, intervalMs: INTERVAL_MS });
    const first = await subscriber(live, 'demo-admin');
    const second = await subscriber(live, 'demo-admin');
    expect(live.topicCounts.list).toBe(1);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    // Its first snapshot and one poll per interval: it was polling.
    expect(lists()).toBe(4);

    await first.leave();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(lists()).toBe(5);
    await second.leave();
    expect(live.topicCounts.list).toBe(0);
    await vi.advanceTimersByTimeAsync(LONG_AFTER_MS);
    expect(lists()).toBe(5);
  });

  it('when the live layer stops (gateway shutdown), for every token', async () => {
    const { http, lists } = countingHttp();
    const live = new LiveUpdates({ http, intervalMs: INTERVAL_MS });
    await subscriber(live, 'demo-admin');
    await subscriber(live, 'demo-admin-2');
    expect(live.topicCounts.list).toBe(2);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(lists()).toBe(4);

    live.stop();
    expect(live.topicCounts.list).toBe(0);
    await vi.advanceTimersByTimeAsync(LONG_AFTER_MS);
    expect(live.subscriptions).toBe(0);
    expect(lists()).toBe(4);
  });
});
