/** Settings of one benchmark run. */
export interface BenchOptions {
  /** Seconds each load measurement runs (autocannon `duration`). */
  durationSec: number;
  /** Subscribers in the fan-out scenario. */
  subscribers: number;
  /** Poll intervals the fan-out scenario observes. */
  intervals: number;
}

/** What a scenario measured: rows to print, and named figures for the JSON file. */
export interface ScenarioResult {
  name: string;
  rows: Record<string, string | number>[];
  figures: Record<string, number>;
  /** The performance targets this scenario checks (bench/README.md), and whether they held. */
  targets?: Record<string, boolean>;
}

export type Scenario = (options: BenchOptions) => Promise<ScenarioResult>;

export const DEFAULT_OPTIONS: BenchOptions = { durationSec: 10, subscribers: 1000, intervals: 5 };
