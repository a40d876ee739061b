/**
 * Metrics for the whole machine when the gateway runs as node:cluster
 * workers: a worker's scrape asks the primary, which collects every
 * worker's registry (prom-client's AggregatorRegistry).
 */
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';

const METRICS_CHANNEL = 'nodepool-gateway:metrics';

interface MachineMetricsMessage {
  channel: typeof METRICS_CHANNEL;
  id: number;
  /** The primary's answer: the machine's exposition, or why there is none. */
  text?: string;
  error?: string;
}

const isMetricsMessage = (message: unknown): message is MachineMetricsMessage =>
  (message as MachineMetricsMessage | null)?.channel === METRICS_CHANNEL;

/**
 * A cluster worker's registry: it holds this worker's metrics, and a scrape
 * answers for the whole machine. Round-robin hands each scrape to any worker,
 * so each one asks the primary, which collects every worker's registry
 * (prom-client's AggregatorRegistry: counters and histograms summed; gauges
 * summed unless they say otherwise). Should the primary not answer within 5 s
 * (prom-client's own deadline), the scrape shows this worker alone.
 */
export class MachineRegistry extends AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'> {
  private requests = 0;

  constructor() {
    super(); // installs the worker's answer to the primary's collection requests
    AggregatorRegistry.setRegistries([this]);
  }

  override async metrics(): Promise<string> {
    const id = ++this.requests;
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => done(undefined, 'no answer from the primary'), 6_000);
      const done = (text: string | undefined, error?: string) => {
        clearTimeout(timer);
        process.off('message', receive);
        if (text === undefined) reject(new Error(error));
        else resolve(text);
      };
      const receive = (message: unknown) => {
        if (isMetricsMessage(message) && message.id === id) done(message.text, message.error);
      };
      process.on('message', receive);
    });
    process.send?.({ channel: METRICS_CHANNEL, id } satisfies MachineMetricsMessage);
    return answer.catch(() => super.metrics());
  }
}

/**
 * The primary's end of machine-wide metrics: answers a worker's request with
 * every worker's metrics aggregated. Call once in the primary.
 */
export function serveMachineMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMetricsMessage(message) || message.text !== undefined) return;
    const reply = (answer: Partial<MachineMetricsMessage>) => {
      if (worker.isConnected()) worker.send({ channel: METRICS_CHANNEL, id: message.id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}
