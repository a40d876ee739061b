import { readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks of 10 ms (USER_HZ = 100 on every mainstream build). */
const MS_PER_TICK = 10;

function ticks(statPath: string): number | undefined {
  try {
    const stat = readFileSync(statPath, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
}

/** CPU time a child process has used, in ms, split into its main thread and all threads (GC and compiler helpers included). */
export interface CpuTimes {
  mainMs: number;
  allMs: number;
}

/** Reads a process's CPU times from /proc; `undefined` where /proc is unavailable (not Linux). */
function processCpu(pid: number | undefined): CpuTimes | undefined {
  if (pid === undefined) return undefined;
  const all = ticks(`/proc/${pid}/stat`);
  const main = ticks(`/proc/${pid}/task/${pid}/stat`);
  if (all === undefined || main === undefined) return undefined;
  return { mainMs: main * MS_PER_TICK, allMs: all * MS_PER_TICK };
}

/** CPU time this process (the bench client) has used, in ms. */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Accumulates CPU used by some processes across several timed slices. */
export class CpuMeter {
  private readonly totals = new Map<string, CpuTimes>();
  private readonly started = new Map<string, CpuTimes>();

  constructor(private readonly processes: Record<string, number | undefined>) {}

  private read(): Map<string, CpuTimes> {
    const now = new Map<string, CpuTimes>();
    for (const [name, pid] of Object.entries(this.processes)) {
      const times = processCpu(pid);
      if (times) now.set(name, times);
    }
    const own = ownCpuMs();
    now.set('client', { mainMs: own, allMs: own });
    return now;
  }

  /** Marks the start of a slice. */
  start(): void {
    this.started.clear();
    for (const [name, times] of this.read()) this.started.set(name, times);
  }

  /** Ends the slice begun by {@link start}, adding what each process used during it. */
  stop(): void {
    for (const [name, times] of this.read()) {
      const from = this.started.get(name);
      if (!from) continue;
      const total = this.totals.get(name) ?? { mainMs: 0, allMs: 0 };
      total.mainMs += times.mainMs - from.mainMs;
      total.allMs += times.allMs - from.allMs;
      this.totals.set(name, total);
    }
  }

  /** CPU ms per run of each process over all slices; NaN where it could not be read. */
  perRun(name: string, runs: number): CpuTimes {
    const total = this.totals.get(name);
    if (!total || runs === 0) return { mainMs: Number.NaN, allMs: Number.NaN };
    return { mainMs: total.mainMs / runs, allMs: total.allMs / runs };
  }
}
