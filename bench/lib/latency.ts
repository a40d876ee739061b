import { Pool } from 'undici';

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Latency at concurrency 1, timed per request with performance.now().
 * autocannon's histogram counts whole milliseconds, too coarse for a 1 ms
 * budget, so sequential requests over one keep-alive connection are timed
 * here instead, after a warm-up.
 */
export async function measureLatency(options: {
  origin: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  durationSec: number;
  warmupSec?: number;
}): Promise<LatencyFigures> {
  const pool = new Pool(options.origin, { connections: 1 });
  const once = async () => {
    const res = await pool.request({
      path: options.path,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      body: options.body ?? null,
    });
    await res.body.dump();
    if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode} from ${options.path}`);
  };
  try {
    const warmupEnd = performance.now() + (options.warmupSec ?? Math.min(1, options.durationSec / 4)) * 1000;
    while (performance.now() < warmupEnd) await once();
    const samples: number[] = [];
    const end = performance.now() + options.durationSec * 1000;
    while (performance.now() < end) {
      const started = performance.now();
      await once();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return {
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
      samples: samples.length,
    };
  } finally {
    await pool.close();
  }
}

export interface LatencyTarget {
  name: string;
  origin: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Compares several targets at concurrency 1 on a noisy shared machine: each
 * is warmed up, then measured in `rounds` interleaved slices, and the median
 * of the slices' percentiles is reported, so a burst of noise on the machine
 * hits all targets alike instead of one.
 */
export async function compareLatency(
  targets: LatencyTarget[],
  durationSec: number,
  rounds = 5,
): Promise<Map<string, LatencyFigures>> {
  const warmupSec = Math.min(2, durationSec / 2);
  for (const target of targets) await measureLatency({ ...target, durationSec: 0.2, warmupSec });
  const slices = new Map<string, LatencyFigures[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      slices
        .get(target.name)
        ?.push(await measureLatency({ ...target, durationSec: durationSec / rounds, warmupSec: 0.2 }));
    }
  }
  const out = new Map<string, LatencyFigures>();
  for (const [name, figures] of slices) {
    out.set(name, {
      p50Ms: median(figures.map((f) => f.p50Ms)),
      p99Ms: median(figures.map((f) => f.p99Ms)),
      meanMs: median(figures.map((f) => f.meanMs)),
      samples: figures.reduce((n, f) => n + f.samples, 0),
    });
  }
  return out;
}
