import { describe, expect, it } from 'vitest';
import { runBenchmarks } from '../bench/run.js';

/**
 * The benchmarks are not timed tests: this runs every scenario for about a
 * second and checks only that each produced its figures, and that the call
 * budget (which does not depend on the machine) is exact.
 */
describe('bench smoke', () => {
  it('runs all ten scenarios and produces their figures; the call budget is exact', async () => {
    // The tables are for people: printed only when asked (BENCH_VERBOSE=1), so a passing run stays quiet.
    const results = await runBenchmarks({ durationSec: 1, subscribers: 50, intervals: 1 }, undefined, {
      build: false,
      print: process.env['BENCH_VERBOSE'] === '1',
    });
    expect(results.map((r) => r.name)).toEqual([
      'call budget',
      'overhead (concurrency 1)',
      'throughput (concurrency 32, stub upstream)',
      'dashboard latency (concurrency 1)',
      'fan-out',
      'deployment fan-out',
      'cold-start',
      'workers (concurrency 32, distinct callers, stub upstream)',
      'defer (time to first payload, concurrency 1)',
      'response cache',
    ]);
    for (const result of results) {
      expect(result.rows.length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(result.figures)) {
        expect(Number.isFinite(value), `${result.name}: ${name} = ${value}`).toBe(true);
      }
    }
    const budget = results[0]?.figures;
    expect(budget).toMatchObject({
      dashboardCalls: 52,
      dashboardList: 1,
      dashboardCount: 1,
      dashboardMetrics: 50,
      refetchExtraCalls: 0,
      threeAliasMetricsCalls: 2,
    });
    expect(results[4]?.figures['pollers']).toBe(1);
    // One poller per scope for the machine, whatever the workers.
    expect(results[5]?.figures).toMatchObject({ leases1: 10, leases4: 10 });
    // A warm cache answers the dashboard without Run:ai; with it off, every dashboard makes its 52 calls.
    expect(results[9]?.figures).toMatchObject({ warmCallsPerDashboard: 0, coldCallsPerDashboard: 52 });
    if (process.platform === 'linux') {
      // CPU per dashboard comes from /proc: every process of the gateway path used some.
      const dashboard = results[3]?.figures ?? {};
      for (const figure of ['gatewayCpuMs', 'gatewayPathSimulatorCpuMs', 'criticalPathSimulatorCpuMs']) {
        expect(dashboard[figure], figure).toBeGreaterThan(0);
      }
    }
  }, 240_000);
});
