import { type Client, createClient } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { eventually } from './eventually.js';

export interface PhaseEvent {
  nodePoolId: string;
  previousPhase: string | null;
  phase: string;
  nodePool: { runaiId: string; name: string; clusterId: string } | null;
}

export const PHASE_SUBSCRIPTION = `subscription($filter: PhaseChangeFilter) {
  nodePoolPhaseChanged(filter: $filter) { nodePoolId previousPhase phase observedAt nodePool { runaiId name clusterId } }
}`;

/** A graphql-ws client of the gateway; `token: null` sends no credentials. */
export function wsClient(
  url: string,
  token: string | null = 'demo-admin',
  options: { lazy?: boolean } = {},
): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    lazy: options.lazy ?? true,
    retryAttempts: 0,
    connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

/** Collects the events (and the end) of one subscription. */
export class Collected {
  readonly events: PhaseEvent[] = [];
  readonly errors: unknown[] = [];
  done = false;

  constructor(client: Client, variables: Record<string, unknown> = {}, query = PHASE_SUBSCRIPTION) {
    this.unsubscribe = client.subscribe<{ nodePoolPhaseChanged: PhaseEvent }>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data?.nodePoolPhaseChanged) this.events.push(result.data.nodePoolPhaseChanged);
        },
        error: (error) => {
          this.errors.push(error);
          this.done = true;
        },
        complete: () => {
          this.done = true;
        },
      },
    );
  }

  readonly unsubscribe: () => void;

  /** Resolves once `predicate` holds; rejects after `timeoutMs`, with what came so far. */
  async until(predicate: (c: Collected) => boolean, timeoutMs = 10_000): Promise<void> {
    await eventually(
      () => {
        if (!predicate(this)) {
          throw new Error(
            `not yet; events so far: ${JSON.stringify(this.events)} errors: ${JSON.stringify(this.errors)}`,
          );
        }
      },
      { timeout: timeoutMs },
    );
  }
}

/**
 * A subscription over server-sent events (POST, `accept: text/event-stream`), read in the background:
 * `payloads` holds each `data` payload as it comes, `ids` each event's `id:` (if any); `close()` ends the
 * stream. `headers` go with the request (a reconnecting EventSource's `Last-Event-ID`).
 */
export async function sseSubscription(
  url: string,
  query: string,
  token = 'demo-admin',
  headers: Record<string, string> = {},
): Promise<{
  contentType: string | null;
  status: number;
  payloads: { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] }[];
  ids: (string | undefined)[];
  close(): Promise<void>;
}> {
  const controller = new AbortController();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
      ...headers,
    },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  const payloads: { data?: Record<string, unknown> }[] = [];
  const ids: (string | undefined)[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      const blocks = text.split('\n\n');
      text = blocks.pop() ?? '';
      for (const block of blocks) {
        const lines = block.split('\n');
        const data = lines.find((line) => line.startsWith('data:'));
        if (!data || data === 'data:') continue;
        payloads.push(JSON.parse(data.slice(5)));
        ids.push(lines.find((line) => line.startsWith('id: '))?.slice(4));
      }
    }
  })().catch(() => undefined);
  return {
    contentType: res.headers.get('content-type'),
    status: res.status,
    payloads,
    ids,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/**
 * Waits three polls of the live layer's list watchers and asserts that each was one list call (`lists`
 * counts them at Run:ai), whatever the number of subscribers: the seed fits one page.
 */
export async function expectOneListCallPerPoll(
  live: { readonly pollCount: number },
  lists: () => number,
): Promise<void> {
  const startPolls = live.pollCount;
  const startLists = lists();
  await eventually(() => expect(live.pollCount).toBeGreaterThanOrEqual(startPolls + 3));
  const polls = live.pollCount - startPolls;
  // A poll in flight at the start is in `startLists` (Run:ai has its request) but not in `startPolls`, and
  // one in flight at the end the other way round: each way, one call at most.
  expect(lists() - startLists).toBeGreaterThanOrEqual(polls - 1);
  expect(lists() - startLists).toBeLessThanOrEqual(polls + 1);
}

/** How an operation over graphql-ws went: `'ok'` at its first result, or the codes of its errors. */
export type WsOutcome = 'ok' | 'completed' | (string | undefined)[];

/**
 * Starts one operation over graphql-ws; `outcome` resolves at its first result (`'ok'`), its refusal
 * (the codes: of an `error` message, or of a `next` with errors and no data, as the pipeline refuses
 * an operation as it starts), or its completion without a result. `stop` ends it (a subscription
 * stays open until then).
 */
export function wsOperation(
  client: Client,
  payload: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> },
): { outcome: Promise<WsOutcome>; stop: () => void } {
  let stop: () => void = () => undefined;
  const outcome = new Promise<WsOutcome>((resolve) => {
    stop = client.subscribe(payload, {
      next: (result) =>
        resolve(
          result.data == null && result.errors?.length
            ? result.errors.map((e) => (e as { extensions?: { code?: string } }).extensions?.code)
            : 'ok',
        ),
      error: (errors) =>
        resolve((errors as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code)),
      complete: () => resolve('completed'),
    });
  });
  return { outcome, stop };
}

/**
 * A change feed subscription of pool 3's labels, resumable with `$after`: what the change feed tests
 * (test/live/change-feed.test.ts, test/redis/deployment.test.ts) subscribe to.
 */
export const LABEL_FEED = `subscription($after: String) {
  nodePoolChanged(after: $after, filter: { ids: ["3"], fields: ["labelValue"] }) { kind cursor nodePool { labelValue } }
}`;

/** One event of {@link LABEL_FEED}. */
export interface LabelFeedEvent {
  kind: string;
  cursor: string | null;
  nodePool: { labelValue: string } | null;
}

/** The labels a feed brought, in order; `RESYNC` for a resync. */
export const labelsOf = (events: readonly LabelFeedEvent[]) =>
  events.map((e) => (e.kind === 'RESYNC' ? 'RESYNC' : e.nodePool?.labelValue));

/**
 * Changes pool 3's label at Run:ai itself (`PATCH /api/v1/node-pools/{nodepoolId}` on the simulator, as
 * demo-admin), as Run:ai's own UI or CLI would: no gateway sees it coming.
 */
export async function relabelAtRunai(simulatorUrl: string, labelValue: string): Promise<void> {
  const res = await fetch(`${simulatorUrl}/api/v1/node-pools/3`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
    body: JSON.stringify({ labelValue }),
  });
  expect(res.status).toBeLessThan(300);
}
