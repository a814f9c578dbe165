/**
 * Budget Optimizer recommendation speed: `recommend` per record (p50) and `recommendMany` of
 * 1,000 records, on a model trained on `--rows` synthetic channel-days, vs the equivalent Python
 * path (benchmarks/python/budget_recommend.py: lightgbm predict of the three models on the same
 * grid matrix + scipy.optimize.curve_fit of the same Hill form and weights + SHAP at the optimum)
 * in the same run, alternating sides. Both sides predict on one thread (a request path).
 * Goals (issue 15): ratio <= 0.5; for orientation, p50 <= 1 ms and 1,000 records <= 0.3 s.
 *
 *   npm run bench -- budget-recommend [--rows 100000] [--reps 7] [--records 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BudgetOptimizerTrainer, type BudgetOptimizer } from '@kdap/budget';
import { budgetOptimizerDefaults } from '@kdap/core';
import { SeededRandom, syntheticMarketingSpend } from '@kdap/preprocessing';
import { runPythonScript } from '@kdap/test-support';
import { arg, median, ratioRow } from './report';

interface Internals {
  encode(owner: string, record: unknown): { channel: string; row: Float64Array };
  grid(channel: string, points: number): Float64Array;
  gridWeights(channel: string, points: number): Float64Array;
}

export async function budgetRecommendBench(argv: string[]): Promise<string> {
  const rows = Number(arg(argv, '--rows', '100000'));
  const reps = Number(arg(argv, '--reps', '7'));
  const n = Number(arg(argv, '--records', '1000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'budget-recommend-'));
  try {
    const { table } = syntheticMarketingSpend({ rows, seed: 7 });
    const cut = Math.floor((rows * 0.8) / 6) * 6;
    const trainer = new BudgetOptimizerTrainer({ config: budgetOptimizerDefaults, overrides: { training: { n_jobs: 1 } } });
    await trainer.fit(table.slice(0, cut), { validation: table.slice(cut) });
    await trainer.save(path.join(dir, 'bundle'));
    const optimizer: BudgetOptimizer = trainer.optimizer();
    // Requests: training rows' contexts at random current spends (0.3x-3x of the row's spend).
    const random = new SeededRandom(3);
    const all = table.slice(cut).toRecords();
    const records = Array.from({ length: n }, () => {
      const r = all[Math.floor(random.uniform() * all.length)]!;
      return { ...r, current_spend: Number(r.current_spend) * (0.3 + 2.7 * random.uniform()) };
    });

    // The grid matrices TypeScript traces, for Python to predict on.
    const internals = optimizer as unknown as Internals;
    const points = trainer.model.state.grid.points;
    const names = trainer.featureSchema.featureNames;
    const cols = names.length;
    const spendCol = names.indexOf('current_spend');
    const effectiveCol = names.indexOf('effective_spend');
    const X = new Float64Array(n * points * cols);
    const spend = new Float64Array(n * points);
    const weights = new Float64Array(n * points);
    const decays: number[] = [];
    records.forEach((record, r) => {
      const e = internals.encode('bench', record);
      const grid = internals.grid(e.channel, points);
      const decay = trainer.model.state.decays[e.channel] ?? 0;
      decays.push(decay);
      spend.set(grid, r * points);
      weights.set(internals.gridWeights(e.channel, points), r * points);
      for (let i = 0; i < points; i++) {
        X.set(e.row, (r * points + i) * cols);
        X[(r * points + i) * cols + spendCol] = grid[i]!;
        if (effectiveCol >= 0) X[(r * points + i) * cols + effectiveCol] = grid[i]! / (1 - decay);
      }
    });
    const write = (file: string, values: Float64Array) => fs.writeFileSync(path.join(dir, file), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    write('X.f64', X);
    write('spend.f64', spend);
    write('weights.f64', weights);
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ records: n, points, cols, spend_col: spendCol, effective_col: effectiveCol, decays }));
    for (const f of ['model.txt', 'model_lower.txt', 'model_upper.txt']) fs.copyFileSync(path.join(dir, 'bundle', f), path.join(dir, f));

    const tsSingle: number[] = [];
    const tsMany: number[] = [];
    const pySingle: number[] = [];
    const pyMany: number[] = [];
    optimizer.recommendMany(records.slice(0, 50)); // warm-up (JIT, grid caches)
    for (let rep = 0; rep < reps; rep++) {
      const ts = () => {
        const t0 = performance.now();
        optimizer.recommendMany(records);
        tsMany.push((performance.now() - t0) / 1000);
        for (let r = 0; r < Math.min(n, 200); r++) {
          const t1 = performance.now();
          optimizer.recommend(records[r]!);
          tsSingle.push(performance.now() - t1);
        }
      };
      const py = () => {
        const out = JSON.parse(runPythonScript('budget_recommend.py', [dir, '1'], { timeoutMs: 1_800_000 })) as { single_ms: number[]; many_s: number[] };
        pySingle.push(...out.single_ms);
        pyMany.push(...out.many_s);
      };
      if (rep % 2 === 0) {
        ts();
        py();
      } else {
        py();
        ts();
      }
    }
    trainer.model.dispose();
    const range = (v: number[], digits: number) => `${Math.min(...v).toFixed(digits)}-${Math.max(...v).toFixed(digits)}`;
    return [
      `### Budget Optimizer recommendations (model trained on ${rows.toLocaleString('en')} rows, ${points}-point grids, 3 curves per record; median of ${reps} alternating runs)`,
      '',
      '| measure | TypeScript | Python | ratio TS/Python | goal |',
      '|---|---|---|---|---|',
      ratioRow(`recommend, one record, p50 (ms; ${Math.min(n, 200)} records x ${reps})`, median(tsSingle), median(pySingle), '<= 0.5 (and <= 1 ms)'),
      ratioRow(`recommendMany, ${n.toLocaleString('en')} records (s)`, median(tsMany), median(pyMany), '<= 0.5 (and <= 0.3 s)'),
      `| ranges | single ${range(tsSingle, 3)} ms, many ${range(tsMany, 3)} s | single ${range(pySingle, 3)} ms, many ${range(pyMany, 3)} s | | |`,
    ].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
