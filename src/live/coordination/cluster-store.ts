/**
 * The live store of the workers of one machine without Redis: the cluster
 * primary holds a {@link MemoryStore}, and each worker reaches it over IPC.
 * A worker's calls are answered in order; the primary broadcasts every
 * publication to every worker, the publisher's included.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { LiveStore, StoredSnapshot, TopicEntry } from './live-store.js';
import { MemoryStore } from './memory-store.js';

const STORE_MESSAGES = 'nodepool-gateway:live';

type Operation = 'claim' | 'release' | 'publish' | 'snapshot' | 'replay' | 'newest' | 'want' | 'wanted';

type Message =
  | {
      channel: typeof STORE_MESSAGES;
      kind: 'call';
      id: number;
      owner: string;
      op: Operation;
      args: unknown[];
    }
  | {
      channel: typeof STORE_MESSAGES;
      kind: 'reply';
      id: number;
      store: string;
      result?: unknown;
      error?: string;
    }
  | { channel: typeof STORE_MESSAGES; kind: 'entries'; topic: string; entries: TopicEntry[]; store: string };

function isMessage(message: unknown): message is Message {
  return (message as Message | null)?.channel === STORE_MESSAGES;
}

/** How long a worker waits for the primary before it treats the store as unreachable. */
const CALL_TIMEOUT_MS = 5_000;

/** The worker's end: a {@link LiveStore} whose every call is a round trip to the primary. */
export function createClusterStore(): LiveStore {
  const owner = randomUUID();
  let next = 0;
  /** The primary's store id, learnt from its first broadcast or reply: its cursors start with it. */
  let storeId: string | undefined;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const handlers: ((topic: string, entries: TopicEntry[]) => void)[] = [];
  const receive = (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.kind === 'entries') {
      storeId = message.store;
      for (const handler of handlers) handler(message.topic, message.entries);
    } else if (message.kind === 'reply') {
      storeId = message.store;
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) call?.reject(new Error(message.error));
      else call?.resolve(message.result);
    }
  };
  process.on('message', receive);
  const call = <T>(op: Operation, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!process.connected || !process.send) return reject(new Error('the cluster primary is gone'));
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the cluster primary did not answer'));
      }, CALL_TIMEOUT_MS);
      timer.unref();
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send({ channel: STORE_MESSAGES, kind: 'call', id, owner, op, args } satisfies Message);
    });
  return {
    shared: true,
    get connected() {
      return process.connected;
    },
    claim: (lease, ttlMs) => call('claim', lease, ttlMs),
    release: (lease) => call('release', lease),
    publish: (publication) => call('publish', publication),
    snapshot: async (topic) => (await call<StoredSnapshot | null>('snapshot', topic)) ?? undefined,
    replay: async (topic, cursor) => (await call<TopicEntry[] | null>('replay', topic, cursor)) ?? undefined,
    newest: async (topic) => (await call<string | null>('newest', topic)) ?? undefined,
    owns: (cursor) => storeId !== undefined && cursor.startsWith(`${storeId}.`),
    want: (topic, wishes, ttlMs) => call('want', topic, wishes, ttlMs),
    wanted: (topic) => call('wanted', topic),
    listen: (handler) => {
      handlers.push(handler);
    },
    close: async () => {
      process.off('message', receive);
      for (const { reject } of pending.values()) reject(new Error('the live store is closed'));
      pending.clear();
    },
  };
}

/** The primary's end: one {@link MemoryStore} for every worker; a worker that exits gives up its leases. */
export function serveClusterStore(): void {
  const store = new MemoryStore();
  const owners = new Map<Worker, Set<string>>();
  const send = (worker: Worker, message: Message) => {
    if (worker.isConnected()) worker.send(message);
  };
  store.listen((topic, entries) => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker) send(worker, { channel: STORE_MESSAGES, kind: 'entries', topic, entries, store: store.id });
    }
  });
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage(message) || message.kind !== 'call') return;
    const seen = owners.get(worker) ?? new Set<string>();
    owners.set(worker, seen.add(message.owner));
    const { owner, args } = message;
    const [a, b, c] = args as [never, never, never];
    let result: unknown;
    switch (message.op) {
      case 'claim':
        result = store.claim(a, owner, b);
        break;
      case 'release':
        result = store.release(a, owner);
        break;
      case 'publish':
        store.publish(a);
        break;
      case 'snapshot':
        result = store.snapshot(a) ?? null;
        break;
      case 'replay':
        result = store.replay(a, b) ?? null;
        break;
      case 'newest':
        result = store.newest(a) ?? null;
        break;
      case 'want':
        result = store.want(a, owner, b, c);
        break;
      case 'wanted':
        result = store.wanted(a);
        break;
    }
    send(worker, {
      channel: STORE_MESSAGES,
      kind: 'reply',
      id: message.id,
      store: store.id,
      result: result ?? null,
    });
  });
  cluster.on('exit', (worker) => {
    for (const owner of owners.get(worker) ?? []) store.releaseAll(owner);
    owners.delete(worker);
  });
}
