/**
 * How much CPU other processes used while a benchmark step ran, for the paired TS/Python benches
 * (xgboost, lightgbm): on a shared machine a pair where another job ran is flagged, not trusted.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const TICKS = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux

/** CPU seconds used by the whole machine, and by this process plus its waited-for children. */
function cpuClock(): { machine: number; ours: number } {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const busy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3]! - cpu[4]!;
  // /proc/self/stat: fields after the ")" of the command name; utime stime cutime cstime are 14-17.
  const self = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
  return { machine: busy / TICKS, ours: (f[11]! + f[12]! + f[13]! + f[14]!) / TICKS };
}

/** Runs `step`, returning its wall time (s) and the CPUs other processes used meanwhile. */
export async function measure<T>(step: () => Promise<T> | T): Promise<{ seconds: number; other: number; value: T }> {
  const c0 = cpuClock();
  const t0 = performance.now();
  const value = await step();
  const seconds = (performance.now() - t0) / 1000;
  const c1 = cpuClock();
  return { seconds, other: Math.max(0, c1.machine - c0.machine - (c1.ours - c0.ours)) / seconds, value };
}

/** Waits (up to `limit` s) until other processes use at most `maxOther` CPUs over one second. */
export async function waitIdle(limit: number, maxOther: number): Promise<void> {
  const end = performance.now() + limit * 1000;
  while (performance.now() < end) {
    const m = await measure(() => new Promise((resolve) => setTimeout(resolve, 1000)));
    if (m.other <= maxOther) return;
  }
}
