/**
 * Tuning the Budget Optimizer, 30 trials: BudgetOptimizerTrainer.tune (@kdap/tuning's TPE + median pruning on
 * the return model's per-round validation RMSE, each trial fitting the return and both quantile models) vs Optuna
 * + lightgbm doing the same (benchmarks/python/tuning_budget.py): the same search space (budget_optimizer.yaml),
 * base parameters, rounds and early stopping, TPE seeded alike (the seeds give different streams on each side),
 * MedianPruner with 10 warm-up rounds on both. Python trains on the feature matrices the TypeScript trainer's
 * boosters saw (carry-over included), so its trials skip the carry-over estimation ours repeat per trial.
 * Reports the best validation RMSE and the study's wall time per seed and side, alternating which side goes first,
 * with medians and ranges. Then, outside the timed studies, each side retrains the other side's best parameters
 * (unpruned): when each side gets the other's best RMSE back, the training paths agree and a gap in the best
 * metric comes from where the samplers searched.
 *
 *   npm run bench -- tuning-budget [--rows 20000] [--trials 30] [--seeds 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { budgetOptimizerDefaults } from '@kdap/core';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { runPythonScript } from '@kdap/test-support';
import { TPESampler, type ParamValue } from '@kdap/tuning';
import { arg, median } from './report';

interface Side {
  wall: number;
  best: number;
  bestParams: Record<string, ParamValue>;
  complete: number;
  pruned: number;
}

export async function tuningBudgetBench(argv: string[]): Promise<string> {
  const rows = Number(arg(argv, '--rows', '20000'));
  const nTrials = Number(arg(argv, '--trials', '30'));
  const nSeeds = Number(arg(argv, '--seeds', '3'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tuning-budget-bench-'));
  const lines: string[] = [];
  const checks: string[] = [];
  const ts: Side[] = [];
  const py: Side[] = [];
  let optunaVersion = '?';
  try {
    const { table } = syntheticMarketingSpend({ rows, seed: 7 });
    const cut = Math.floor((rows * 0.8) / 6) * 6;
    const train = table.slice(0, cut);
    const validation = table.slice(cut);
    // One thread a side: the study is sequential on both, and the machine is shared.
    const config = { config: budgetOptimizerDefaults, overrides: { training: { n_jobs: 1 } } };

    // The matrices and base parameters the trainer's boosters use, for Python.
    const reference = new BudgetOptimizerTrainer(config);
    await reference.fit(train, { validation });
    const write = (name: string, values: Float64Array) => fs.writeFileSync(path.join(dir, name), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    const xTrain = reference.featureMatrix(train);
    const xValid = reference.featureMatrix(validation);
    write('x_train.f64', xTrain.values);
    write('x_valid.f64', xValid.values);
    const target = reference.config.features.target;
    write('y_train.f64', Float64Array.from((train.column(target) as { values: ArrayLike<number> }).values));
    write('y_valid.f64', Float64Array.from((validation.column(target) as { values: ArrayLike<number> }).values));
    const s = reference.model.state.training;
    const categorical = reference.config.features.categorical;
    const document = (seed: number) => ({
      train: { file: 'x_train.f64', rows: xTrain.rows, cols: xTrain.cols },
      validation: { file: 'x_valid.f64', rows: xValid.rows, cols: xValid.cols },
      y_train: 'y_train.f64',
      y_validation: 'y_valid.f64',
      feature_names: xTrain.featureNames,
      categorical_indices: xTrain.featureNames.flatMap((n, i) => (categorical.includes(n) ? [i] : [])),
      models: { main: s.main, lower: s.lower, upper: s.upper },
      num_boost_round: s.numBoostRound,
      early_stopping_rounds: s.earlyStoppingRounds,
      search_space: reference.config.tuning.search_space,
      n_trials: nTrials,
      seed,
    });
    reference.dispose();

    const runTs = async (seed: number) => {
      const trainer = new BudgetOptimizerTrainer(config);
      const t0 = performance.now();
      const result = await trainer.tune(train, { validation, nTrials, sampler: new TPESampler({ seed }) });
      const wall = (performance.now() - t0) / 1000;
      // tune() ends with the refit on the best params: time it apart so both sides count the study alone.
      ts.push({ wall: wall - result.trainer.result.timings.fitMs / 1000, best: result.bestValue, bestParams: result.bestParams, complete: result.summary.n_complete, pruned: result.summary.n_pruned });
      result.trainer.dispose();
      trainer.dispose();
    };
    const runPy = (seed: number) => {
      const file = path.join(dir, `params-${seed}.json`);
      fs.writeFileSync(file, JSON.stringify(document(seed)));
      const out = JSON.parse(runPythonScript('tuning_budget.py', [file], { timeoutMs: 3_600_000 })) as {
        optuna: string;
        wall_s: number;
        best_value: number;
        best_params: Record<string, ParamValue>;
        n_complete: number;
        n_pruned: number;
      };
      optunaVersion = out.optuna;
      py.push({ wall: out.wall_s, best: out.best_value, bestParams: out.best_params, complete: out.n_complete, pruned: out.n_pruned });
    };
    // Each side's best parameters retrained by the other side, unpruned (not timed).
    const crossCheck = async (seed: number, a: Side, b: Side) => {
      const file = path.join(dir, `evaluate-${seed}.json`);
      fs.writeFileSync(file, JSON.stringify({ ...document(seed), evaluate: [a.bestParams] }));
      const pyOfOurs = (JSON.parse(runPythonScript('tuning_budget.py', [file], { timeoutMs: 600_000 })) as { rmse: number[] }).rmse[0]!;
      const trainer = new BudgetOptimizerTrainer({ ...config, params: b.bestParams });
      const oursOfPy = (await trainer.fit(train, { validation })).validationMetrics!.rmse!;
      trainer.dispose();
      checks.push(`| ${seed} | ${a.best.toFixed(4)} / ${pyOfOurs.toFixed(4)} | ${b.best.toFixed(4)} / ${oursOfPy.toFixed(4)} |`);
    };
    for (let seed = 0; seed < nSeeds; seed++) {
      if (seed % 2 === 0) {
        await runTs(seed);
        runPy(seed);
      } else {
        runPy(seed);
        await runTs(seed);
      }
      const [a, b] = [ts[ts.length - 1]!, py[py.length - 1]!];
      lines.push(`| ${seed} | ${a.best.toFixed(2)} | ${b.best.toFixed(2)} | ${a.wall.toFixed(1)} | ${b.wall.toFixed(1)} | ${(a.wall / b.wall).toFixed(3)} | ${a.complete} / ${a.pruned} | ${b.complete} / ${b.pruned} |`);
      console.error(lines[lines.length - 1]);
      await crossCheck(seed, a, b);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const mTs = median(ts.map((r) => r.wall));
  const mPy = median(py.map((r) => r.wall));
  const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
  const ratios = ts.map((r, i) => r.wall / py[i]!.wall);
  return [
    `### Tuning the Budget Optimizer: ${nTrials} trials, @kdap/tuning vs Optuna ${optunaVersion} + lightgbm (${rows.toLocaleString('en')} rows, 80/20 split by time, 3 LightGBM models per trial, 1 thread; load average ${os.loadavg()[0]!.toFixed(1)} at the end)`,
    '',
    '| seed | best validation RMSE, ours | best validation RMSE, Optuna | study wall s, ours | study wall s, Optuna | ratio | complete / pruned, ours | complete / pruned, Optuna |',
    '|---|---|---|---|---|---|---|---|',
    ...lines,
    `| median | ${median(ts.map((r) => r.best)).toFixed(2)} | ${median(py.map((r) => r.best)).toFixed(2)} | ${mTs.toFixed(1)} | ${mPy.toFixed(1)} | ${(mTs / mPy).toFixed(3)} (of the seeds' ratios: ${median(ratios).toFixed(3)}) | | |`,
    `| range | ${range(ts.map((r) => r.best), 2)} | ${range(py.map((r) => r.best), 2)} | ${range(ts.map((r) => r.wall), 1)} | ${range(py.map((r) => r.wall), 1)} | ${range(ratios, 3)} | | |`,
    '',
    "Each side's best parameters retrained by the other side (return model, unpruned, not timed):",
    '',
    '| seed | ours: best in the study / Python retraining our best params | Optuna: best in the study / our retraining of its best params |',
    '|---|---|---|',
    ...checks,
  ].join('\n');
}
