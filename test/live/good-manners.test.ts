/**
 * The live layer under load, on fake timers: pollers back off with jitter while Run:ai fails (honouring
 * Retry-After) and return to their interval when it recovers; a subscriber that does not read holds a
 * bounded queue and is told what it missed. Run:ai is a stand-in transport that counts calls.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BoundedQueue } from '../../src/live/fan-out/bounded-queue.js';
import { LiveUpdates } from '../../src/live/live-updates.js';
import { nextPollDelay } from '../../src/live/pollers/backoff.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import type { UpstreamHttp, UpstreamRequest } from '../../src/upstream/http.js';
import { examplePool } from '../upstream/parse-fixtures.js';

const INTERVAL_MS = 1_000;

/** A transport whose answer to each list call `answer` decides, recording the time of every call. */
function standIn(answer: (call: number) => Record<string, unknown> | UpstreamError) {
  const calls: number[] = [];
  const http = {
    logger: undefined,
    async request(req: UpstreamRequest) {
      if (req.operation !== 'get_nodepools') throw new Error(`unexpected ${req.operation}`);
      calls.push(Date.now());
      const result = answer(calls.length);
      if (result instanceof UpstreamError) throw result;
      return { status: 200, headers: {}, body: { nodepools: [result] } };
    },
  };
  return { http: http as unknown as UpstreamHttp, calls };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('back-off', () => {
  const schedule = { intervalMs: INTERVAL_MS, maxBackoffMs: 60_000 };

  it('waits the interval while polls succeed, and a jittered, growing, capped wait after failures', () => {
    expect(nextPollDelay(schedule, 0)).toBe(INTERVAL_MS);
    // Full jitter between the interval and interval × 2ⁿ, capped.
    expect(nextPollDelay(schedule, 3, undefined, () => 0)).toBe(INTERVAL_MS);
    expect(nextPollDelay(schedule, 3, undefined, () => 1)).toBe(8 * INTERVAL_MS);
    expect(nextPollDelay(schedule, 30, undefined, () => 1)).toBe(60_000);
    const spread = new Set(Array.from({ length: 50 }, () => nextPollDelay(schedule, 4)));
    expect(spread.size).toBeGreaterThan(40);
  });

  it("never polls sooner than a 429's Retry-After", () => {
    const limited = new UpstreamError({
      code: 'RATE_LIMITED',
      operation: 'get_nodepools',
      status: 429,
      retryAfterMs: 20_000,
    });
    expect(nextPollDelay(schedule, 1, limited, () => 0)).toBe(20_000);
  });

  it('a poller backs off through 429s and 503s and comes back to its interval', async () => {
    const failing = new Set([2, 3, 4, 5]);
    const { http, calls } = standIn((n) =>
      !failing.has(n)
        ? examplePool()
        : n === 2
          ? new UpstreamError({
              code: 'RATE_LIMITED',
              operation: 'get_nodepools',
              status: 429,
              retryAfterMs: 5_000,
            })
          : new UpstreamError({ code: 'UPSTREAM_UNAVAILABLE', operation: 'get_nodepools', status: 503 }),
    );
    const live = new LiveUpdates({ http, intervalMs: INTERVAL_MS, maxBackoffMs: 30_000 });
    const events = live.subscribe({ token: 'token', caller: 'caller' });
    void events.next();
    await vi.advanceTimersByTimeAsync(120_000);
    const gaps = calls.slice(1).map((at, i) => at - (calls[i] ?? 0));
    // Poll 2 got a 429 with Retry-After 5 s; polls 3-5 got 503s: waits at least the interval, growing.
    expect(gaps[1]).toBeGreaterThanOrEqual(5_000);
    for (const gap of gaps.slice(2, 4)) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS);
    expect(gaps.slice(1, 4).reduce((a, b) => a + b, 0)).toBeGreaterThan(3 * INTERVAL_MS);
    // Recovered: back to the interval.
    expect(gaps.slice(-10).every((gap) => gap === INTERVAL_MS)).toBe(true);
    live.stop();
  });
});

describe('a slow subscriber', () => {
  it('holds at most its queue, and the next event it reads says how many it missed', async () => {
    // Every poll relabels the pool: one change event per poll.
    const { http } = standIn((n) => examplePool({ labelValue: `v${n}` }));
    const dropped: string[] = [];
    const live = new LiveUpdates({
      http,
      intervalMs: INTERVAL_MS,
      queueCapacity: 10,
    });
    live.on('drop', (kind) => dropped.push(kind));
    const events = live.subscribe({ token: 'token', caller: 'caller' }, (event) => event.kind === 'pool');
    const first = events.next();
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect((await first).value).toMatchObject({ kind: 'pool', missedEvents: 0 });
    // It stops reading for 500 polls.
    await vi.advanceTimersByTimeAsync(500 * INTERVAL_MS);
    expect((events as BoundedQueue<object>).size).toBe(10);
    expect(dropped.length).toBeGreaterThan(480);
    const next = (await events.next()).value as {
      missedEvents: number;
      change: { pool: { labelValue: string } };
    };
    expect(next.missedEvents).toBe(dropped.length);
    // What it reads next is recent: the oldest events went first.
    const rest = await Promise.all(Array.from({ length: 9 }, () => events.next()));
    expect(rest.every((r) => (r.value as { missedEvents: number }).missedEvents === 0)).toBe(true);
    expect(dropped.every((kind) => kind === 'list')).toBe(true);
    await events.return?.();
    expect(live.subscriptions).toBe(0);
    live.stop();
  });

  it('a queue that is closed ends after what it holds', async () => {
    const queue = new BoundedQueue<{ n: number }>({ capacity: 2 });
    queue.push({ n: 1 });
    queue.push({ n: 2 });
    queue.push({ n: 3 });
    queue.close();
    expect(await queue.next()).toEqual({ value: { n: 2, missedEvents: 1 }, done: false });
    expect(await queue.next()).toEqual({ value: { n: 3, missedEvents: 0 }, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});
