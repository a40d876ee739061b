import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

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
  private waiters: (() => void)[] = [];

  constructor(client: Client, variables: Record<string, unknown> = {}, query = PHASE_SUBSCRIPTION) {
    this.unsubscribe = client.subscribe<{ nodePoolPhaseChanged: PhaseEvent }>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data?.nodePoolPhaseChanged) this.events.push(result.data.nodePoolPhaseChanged);
          this.wake();
        },
        error: (error) => {
          this.errors.push(error);
          this.done = true;
          this.wake();
        },
        complete: () => {
          this.done = true;
          this.wake();
        },
      },
    );
  }

  readonly unsubscribe: () => void;

  /** Resolves once `predicate` holds, checked after each message; rejects after `timeoutMs`. */
  async until(predicate: (c: Collected) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out; events so far: ${JSON.stringify(this.events)} errors: ${JSON.stringify(this.errors)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
}
