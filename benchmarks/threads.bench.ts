/**
 * Threads on a busy machine: fit time of the Budget Optimizer (default config, 3 LightGBM models,
 * early stopping on the last 20% of days) at several sizes, on an idle machine and next to one
 * competing CPU-bound process, with the default thread policy (n_jobs -1: idle cores, sized to
 * the data; native/napi-common/src/openmp.ts) next to 1 thread and all threads, alternating in
 * the same run. Goal: default <= 1.3x the best of 1/all threads when contended, <= 1.05x idle.
 * "All threads" runs twice per repetition: the ratio of the two is the run's noise floor.
 * "Idle" is the machine as found: on a shared machine it is not idle (the load is printed).
 *
 *   npm run bench -- threads [--rows 3000,100000] [--reps 7]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { budgetOptimizerDefaults } from '@kdap/core';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { arg, median } from './report';

function spinner(): ChildProcess {
  // One CPU-bound process, as another user's job would be.
  return spawn(process.execPath, ['-e', 'let x = 0; for (;;) x = (x + Math.sqrt(x + 1)) % 1e9;'], { stdio: 'ignore' });
}

const load = () => readFileSync('/proc/loadavg', 'utf8').trim();

/** CPU seconds a process has used (user + system, /proc/<pid>/stat fields 14-15). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
}

export async function threadsBench(argv: string[]): Promise<string> {
  const sizes = arg(argv, '--rows', '3000,100000').split(',').map(Number);
  const reps = Number(arg(argv, '--reps', '7'));
  const cores = os.availableParallelism();
  const settings: [string, number][] = [
    ['default (-1)', -1],
    ['1 thread', 1],
    [`all threads (${cores})`, cores],
    // The same setting again: how far two runs of identical work land apart in this run (the
    // noise the idle goal's 5% has to be read against on a shared machine).
    [`all threads again`, cores],
  ];
  const lines: string[] = [];
  const loads: string[] = [];
  for (const rows of sizes) {
    const { table } = syntheticMarketingSpend({ rows, seed: 7 });
    const cut = Math.floor((rows * 0.8) / 6) * 6;
    const train = table.slice(0, cut);
    const validation = table.slice(cut);
    // One untimed fit first: the process's first fit pays for loading and compiling the code,
    // and the default is the first setting timed.
    const warm = new BudgetOptimizerTrainer({ config: budgetOptimizerDefaults, overrides: { training: { n_jobs: 1 } } });
    await warm.fit(train, { validation });
    warm.model.dispose();
    for (const contended of [false, true]) {
      const times = new Map<string, number[]>(settings.map(([name]) => [name, []]));
      const chosen: number[] = [];
      const competitor = contended ? spinner() : undefined;
      try {
        if (competitor) await new Promise((r) => setTimeout(r, 300));
        const start = { wall: performance.now(), cpu: competitor ? cpuSeconds(competitor.pid!) : 0 };
        const startLoad = load();
        for (let rep = 0; rep < reps; rep++) {
          // Alternate the order so drift in the machine's load hits every setting alike.
          const order = rep % 2 === 0 ? settings : [...settings].reverse();
          for (const [name, jobs] of order) {
            const trainer = new BudgetOptimizerTrainer({ config: budgetOptimizerDefaults, overrides: { training: { n_jobs: jobs } } });
            const t0 = performance.now();
            await trainer.fit(train, { validation });
            times.get(name)!.push((performance.now() - t0) / 1000);
            if (jobs === -1) chosen.push(trainer.model.state.training.main.num_threads as number);
            trainer.model.dispose();
          }
        }
        // The contended figures mean something only if the competitor ran throughout: it must still
        // be alive, and the CPU it got says how hard it competed (1.0 = a whole core).
        let share = '';
        if (competitor) {
          if (competitor.exitCode !== null || competitor.signalCode !== null) throw new Error(`The competing process ended early (exit ${competitor.exitCode ?? competitor.signalCode}): the contended figures are void.`);
          share = `, competitor's CPU ${((cpuSeconds(competitor.pid!) - start.cpu) / ((performance.now() - start.wall) / 1000)).toFixed(2)} cores`;
        }
        loads.push(`${rows} rows, ${contended ? 'contended' : 'idle'}: /proc/loadavg at start ${startLoad}, at end ${load()}${share}`);
      } finally {
        competitor?.kill();
      }
      const med = (name: string) => median(times.get(name)!);
      const best = Math.min(med(settings[1]![0]), med(settings[2]![0]));
      const range = (name: string) => `${Math.min(...times.get(name)!).toFixed(2)}-${Math.max(...times.get(name)!).toFixed(2)}`;
      const ratio = med(settings[0]![0]) / best;
      const noise = med(settings[3]![0]) / med(settings[2]![0]);
      lines.push(
        `| ${rows.toLocaleString('en')} | ${contended ? 'one competing process' : 'idle'} | ${settings.map(([n]) => `${med(n).toFixed(2)} (${range(n)})`).join(' | ')} | ${[...new Set(chosen)].join(', ')} | ${ratio.toFixed(3)} | ${noise.toFixed(3)} | ${contended ? '<= 1.3' : '<= 1.05'} |`,
      );
    }
  }
  return [
    `### Threads: Budget Optimizer fit (s, median (range) of ${reps}, alternating), ${cores} cores`,
    '',
    `| rows | machine | ${settings.map(([n]) => n).join(' | ')} | threads the default chose | default / best of 1 and all | all threads again / all threads (noise) | goal |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
    '',
    ...loads.map((l) => `- ${l}`),
  ].join('\n');
}
