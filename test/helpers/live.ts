import { type Client, createClient } from 'graphql-ws';
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
