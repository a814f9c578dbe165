/**
 * TPE quality and per-trial overhead: @kdap/tuning's TPESampler vs Optuna's TPESampler (.venv-ref) on the
 * same objectives, seeds and trial counts, in one run, alternating sides in blocks of seeds.
 * Quality: best value after 50/100/200 trials over >= 30 seeds, medians side by side, and a one-sided
 * Mann-Whitney test of "ours is worse" (passes when p >= 0.05; scipy's p in the same run as a check).
 * Overhead: mean CPU time (user + system, all threads: GC and JIT count against us) of trials 191-200;
 * the objectives cost microseconds, so this is the sampler plus the in-memory storage. Median over seeds;
 * goal <= 1/10 of Optuna's. CPU rather than wall time because this machine is shared (load 20+).
 *
 *   npm run bench -- tuning [--seeds 30] [--trials 200] [--block 5] [--objectives mixed,branin,hartmann6]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStudy, TPESampler, type Trial } from '@kdap/tuning';
import { mixedObjective, runPythonScript } from '@kdap/test-support';
import { arg, median } from './report';

const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];
const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];

/** Objective -> [function, known minimum]. */
const OBJECTIVES: Record<string, [(trial: Trial) => number, number]> = {
  mixed: [mixedObjective, 0],
  branin: [
    (t) => {
      const x1 = t.suggestFloat('x1', -5, 10);
      const x2 = t.suggestFloat('x2', 0, 15);
      const b = 5.1 / (4 * Math.PI ** 2);
      const c = 5 / Math.PI;
      const s = 1 / (8 * Math.PI);
      return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - s) * Math.cos(x1) + 10;
    },
    0.397887,
  ],
  hartmann6: [
    (t) => {
      const x = Array.from({ length: 6 }, (_, j) => t.suggestFloat(`x${j}`, 0, 1));
      let total = 0;
      for (let i = 0; i < 4; i++) {
        let inner = 0;
        for (let j = 0; j < 6; j++) inner += HARTMANN_A[i]![j]! * (x[j]! - HARTMANN_P[i]![j]! * 1e-4) ** 2;
        total += HARTMANN_ALPHA[i]! * Math.exp(-inner);
      }
      return -total;
    },
    -3.32237,
  ],
};

interface Run {
  seed: number;
  best: Record<string, number>;
  ms_last10: number;
}

const CHECKPOINTS = [50, 100, 200];

async function ours(objective: (trial: Trial) => number, seed: number, nTrials: number): Promise<Run> {
  const study = createStudy({ sampler: new TPESampler({ seed }) });
  const ends: number[] = [];
  const best: number[] = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const start = cpuMs();
  await study.optimize(objective, {
    nTrials,
    onTrial: (trial) => {
      ends.push(cpuMs());
      const value = trial.value ?? Infinity;
      best.push(best.length ? Math.min(best[best.length - 1]!, value) : value);
    },
  });
  const gaps = ends.map((e, i) => e - (i === 0 ? start : ends[i - 1]!));
  const last = gaps.slice(-10);
  return { seed, best: Object.fromEntries(CHECKPOINTS.filter((k) => k <= nTrials).map((k) => [String(k), best[k - 1]!])), ms_last10: last.reduce((a, b) => a + b, 0) / last.length };
}

/**
 * One-sided Mann-Whitney U test, H1: x tends to be greater than y. Normal approximation with mid-ranks,
 * tie correction and continuity correction (scipy's `method='asymptotic'`). Returns p.
 */
export function mannWhitneyGreater(x: number[], y: number[]): number {
  const all = [...x.map((v) => ({ v, g: 0 })), ...y.map((v) => ({ v, g: 1 }))].sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n1 = x.length;
  const n2 = y.length;
  const r1 = all.reduce((s, item, i) => s + (item.g === 0 ? ranks[i]! : 0), 0);
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (u1 - (n1 * n2) / 2 - 0.5) / sd;
  return 0.5 * erfcApprox(z / Math.SQRT2);
}

function erfcApprox(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for small p; use the continued fraction via the complement.
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : 2 - y;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(2));

export async function tuningBench(argv: string[]): Promise<string> {
  const nSeeds = Number(arg(argv, '--seeds', '30'));
  const nTrials = Number(arg(argv, '--trials', '200'));
  const block = Number(arg(argv, '--block', '5'));
  const names = arg(argv, '--objectives', 'mixed,branin,hartmann6').split(',');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tuning-bench-'));
  const quality: string[] = [];
  const overhead: string[] = [];
  let optunaVersion = '?';
  try {
    for (const name of names) {
      const [objective, optimum] = OBJECTIVES[name]!;
      const ts: Run[] = [];
      const py: Run[] = [];
      for (let first = 0; first < nSeeds; first += block) {
        const count = Math.min(block, nSeeds - first);
        // Alternate which side goes first from block to block.
        const runTs = async () => {
          for (let seed = first; seed < first + count; seed++) ts.push(await ours(objective, seed, nTrials));
        };
        const runPy = () => {
          const out = JSON.parse(runPythonScript('tuning_bench.py', ['quality', name, String(first), String(count), String(nTrials)], { timeoutMs: 3_600_000 })) as { optuna: string; runs: Run[] };
          optunaVersion = out.optuna;
          py.push(...out.runs);
        };
        if ((first / block) % 2 === 0) {
          await runTs();
          runPy();
        } else {
          runPy();
          await runTs();
        }
      }
      for (const k of CHECKPOINTS.filter((c) => c <= nTrials).map(String)) {
        const x = ts.map((r) => r.best[k]!);
        const y = py.map((r) => r.best[k]!);
        const p = mannWhitneyGreater(x, y);
        const file = path.join(dir, `mwu-${name}-${k}.json`);
        fs.writeFileSync(file, JSON.stringify({ x, y }));
        const scipy = (JSON.parse(runPythonScript('tuning_bench.py', ['mwu', file])) as { p_greater: number }).p_greater;
        const pBetter = mannWhitneyGreater(y, x);
        quality.push(
          `| ${name} | ${k} | ${fmt(median(x))} | ${fmt(median(y))} | ${fmt(median(x) - optimum)} / ${fmt(median(y) - optimum)} | ${p.toFixed(3)} (scipy ${scipy.toFixed(3)}) | ${pBetter.toFixed(3)} | ${p >= 0.05 ? 'yes' : '**no**'} |`,
        );
      }
      const msTs = median(ts.map((r) => r.ms_last10));
      const msPy = median(py.map((r) => r.ms_last10));
      const range = (runs: Run[]) => `${fmt(Math.min(...runs.map((r) => r.ms_last10)))}-${fmt(Math.max(...runs.map((r) => r.ms_last10)))}`;
      overhead.push(`| ${name} | ${fmt(msTs)} (${range(ts)}) | ${fmt(msPy)} (${range(py)}) | ${(msTs / msPy).toFixed(3)} | ${msTs / msPy <= 0.1 ? 'yes' : '**no**'} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [
    `### TPE: @kdap/tuning vs Optuna ${optunaVersion} (${nSeeds} seeds, ${nTrials} trials, default TPESampler(seed), blocks of ${block} seeds alternating sides; load average ${os.loadavg()[0]!.toFixed(1)} at the end)`,
    '',
    '| objective | after trials | median best, ours | median best, Optuna | median gap to optimum, ours / Optuna | p (ours worse) | p (ours better) | not worse at p < 0.05 |',
    '|---|---|---|---|---|---|---|---|',
    ...quality,
    '',
    `Per-trial CPU time at trials ${nTrials - 9}-${nTrials} (ms; median over seeds, range in brackets):`,
    '',
    '| objective | ours | Optuna | ratio | <= 0.1 |',
    '|---|---|---|---|---|',
    ...overhead,
  ].join('\n');
}
