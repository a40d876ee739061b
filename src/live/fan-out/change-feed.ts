/**
 * The change feed's resume: a subscriber that passes the cursor of the last
 * event it saw gets the events of its scope's log after it, in order, then
 * the live ones; or, when the log no longer holds that cursor (or holds a
 * gap after it: event-codec.ts), one `resync` event telling it to refetch.
 */
import { decodeWatcherEvent } from '../coordination/event-codec.js';
import type { LiveStore } from '../coordination/live-store.js';
import type { WatcherEvent } from '../pollers/list-watcher.js';

/**
 * What a change feed subscriber receives: the watcher's events, each with
 * its cursor when it was logged, and the `resync` that replaces a replay the
 * log cannot give (its cursor: the newest event of the log, if any).
 */
export type FeedEvent = (WatcherEvent | { kind: 'resync'; observedAt: Date }) & {
  cursor?: string;
  /** Read from the log by a resume, not delivered live: a replay shares its subscription's call budget. */
  replayed?: true;
};

export interface ResumeRequest {
  /** The stores whose logs a cursor may come from: the deployment's, then this process's own. */
  stores: readonly LiveStore[];
  topic: string;
  after: string;
  /**
   * More events than this are answered with a resync: more than the subscriber's queue holds (it would
   * drop them), or than its call budget pays for.
   */
  capacity: number;
  accept: (event: FeedEvent) => boolean;
}

export type Resumed = { kind: 'replay'; events: FeedEvent[] } | { kind: 'resync'; events: FeedEvent[] };

/** Reads the log after the cursor (see the module's comment). A store that cannot be reached means a resync. */
export async function resumeFeed(request: ResumeRequest): Promise<Resumed> {
  const { stores, topic, after, capacity, accept } = request;
  const store = stores.find((candidate) => candidate.owns(after)) ?? stores[0];
  const entries = store ? await store.replay(topic, after).catch(() => undefined) : undefined;
  if (entries) {
    const events: FeedEvent[] = [];
    let gap = false;
    for (const entry of entries) {
      const logged = decodeWatcherEvent(entry.data);
      if (logged.kind === 'gap') gap = true;
      else if (logged.kind !== 'end' && accept(logged))
        events.push({ ...logged, cursor: entry.id, replayed: true });
    }
    if (!gap && events.length <= capacity) return { kind: 'replay', events };
  }
  const newest = await stores[0]?.newest(topic).catch(() => undefined);
  return {
    kind: 'resync',
    events: [{ kind: 'resync', observedAt: new Date(), ...(newest ? { cursor: newest } : {}) }],
  };
}

export interface FeedDeliveryOptions {
  /** The cursor the subscriber resumes after, if it does. */
  after: string | undefined;
  accept: (event: FeedEvent) => boolean;
  /** Hands an event to the subscriber. */
  push: (event: FeedEvent) => void;
  /** Reads the log after `after` ({@link resumeFeed}). */
  resume: () => Promise<Resumed>;
}

/**
 * One subscriber's delivery of a scope's events: the events it accepts, an
 * `end` always, and a `resync` only when it resumes, once. Called `resume()`,
 * it holds live events while the log is read, then delivers the log's events
 * and the held ones the log did not already hold, in order.
 */
export function feedDelivery(
  options: FeedDeliveryOptions,
): ((event: FeedEvent) => void) & { resume(): void } {
  const { after, accept, push } = options;
  /** Live events that come while the log is read, delivered after it. */
  let held: FeedEvent[] | undefined;
  let resynced = false;
  const deliver = (event: FeedEvent) => {
    if (event.kind === 'resync') {
      // A gap in the log matters only to a subscriber that resumes from before it, and only once.
      if (after === undefined || resynced) return;
      resynced = true;
    } else if (event.kind !== 'end' && !accept(event)) return;
    push(event);
  };
  return Object.assign((event: FeedEvent) => (held ? held.push(event) : deliver(event)), {
    resume() {
      held = [];
      void options.resume().then((resumed) => {
        for (const event of resumed.events) deliver(event);
        const seen = new Set(resumed.events.map((event) => event.cursor));
        for (const event of held ?? [])
          if (event.cursor === undefined || !seen.has(event.cursor)) deliver(event);
        held = undefined;
      });
    },
  });
}
