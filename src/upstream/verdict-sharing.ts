/**
 * How the processes of a deployment share what Run:ai said of tokens
 * (src/upstream/credential-verdicts.ts): a refusal seen anywhere reaches every
 * process at once, and an acceptance seen anywhere can be looked up by any.
 * Redis between replicas (redis-verdicts.ts); between the workers of one
 * machine without Redis, the cluster primary relays refusals over IPC
 * (below); their response caches are their own, so their acceptances need
 * not travel. Only scope hashes travel, never a token.
 */
import cluster from 'node:cluster';

export interface VerdictSharing {
  /** Run:ai accepted `scope` at `at` (epoch ms): others may rely on it for `windowMs`. */
  accepted(scope: string, at: number, windowMs: number): void;
  /** When another process last saw Run:ai accept `scope`, if within its window. Rejects when unreachable. */
  acceptedAt(scope: string): Promise<number | undefined>;
  /** Run:ai refused `scope`: every process drops its acceptance. */
  refused(scope: string): void;
  /** Refusals other processes saw. */
  onRefused(handler: (scope: string) => void): void;
  close(): Promise<void>;
}

const CHANNEL = 'nodepool-gateway:verdicts';

interface RefusalMessage {
  channel: typeof CHANNEL;
  scope: string;
}

const isRefusal = (message: unknown): message is RefusalMessage =>
  (message as RefusalMessage | null)?.channel === CHANNEL &&
  typeof (message as RefusalMessage).scope === 'string';

/** A worker's end: refusals go to the primary, which hands them to every other worker. */
export function createClusterVerdicts(): VerdictSharing {
  const handlers: ((scope: string) => void)[] = [];
  const receive = (message: unknown) => {
    if (isRefusal(message)) for (const handler of handlers) handler(message.scope);
  };
  process.on('message', receive);
  return {
    accepted: () => {},
    acceptedAt: async () => undefined,
    refused: (scope) => {
      if (process.connected) process.send?.({ channel: CHANNEL, scope } satisfies RefusalMessage);
    },
    onRefused: (handler) => {
      handlers.push(handler);
    },
    close: async () => {
      process.off('message', receive);
    },
  };
}

/** The primary's end: each worker's refusals go to every other worker. */
export function relayVerdicts(): void {
  cluster.on('message', (from, message: unknown) => {
    if (!isRefusal(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(message);
    }
  });
}
