/**
 * Hyperparameter tuning, step by step: a study on a toy objective (TPE, pruning, a journal file Optuna
 * can open), then tuning the Budget Optimizer's LightGBM over the search space of its YAML.
 *
 *   node --conditions=@kdap/source -r ts-node/register examples/tuning.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { createStudy, MedianPruner, TPESampler, TrialPruned } from '@kdap/tuning';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-tuning-example-'));

  // 1. A study: minimize a made-up validation loss over a parameter of every kind (log-scale float,
  //    int, stepped float, categorical); its minimum is at learning_rate 0.03, max_depth 6,
  //    subsample 0.8, booster 'gbtree'. Seeded, so it reruns identically.
  const study = createStudy({ direction: 'minimize', sampler: new TPESampler({ seed: 42 }) });
  await study.optimize(
    (trial) => {
      const learningRate = trial.suggestFloat('learning_rate', 1e-4, 0.3, { log: true });
      const maxDepth = trial.suggestInt('max_depth', 2, 12);
      const subsample = trial.suggestFloat('subsample', 0.5, 1, { step: 0.05 });
      const booster = trial.suggestCategorical('booster', ['gbtree', 'dart', 'gblinear']);
      const loss = (Math.log10(learningRate / 0.03)) ** 2 + (maxDepth - 6) ** 2 / 20 + 4 * (subsample - 0.8) ** 2;
      return loss + (booster === 'gbtree' ? 0 : 0.5);
    },
    { nTrials: 100 },
  );
  console.log('best value', study.bestValue.toFixed(4), 'best params', study.bestParams);

  // 2. Pruning: report a learning curve; the median pruner stops trials worse than the median at their step.
  const pruned = createStudy({ sampler: new TPESampler({ seed: 1 }), pruner: new MedianPruner({ nStartupTrials: 5 }) });
  await pruned.optimize(
    (trial) => {
      const level = trial.suggestFloat('level', 0, 10);
      for (let step = 0; step < 20; step++) {
        trial.report(level + 10 / (step + 1), step);
        if (trial.shouldPrune()) throw new TrialPruned();
      }
      return level;
    },
    { nTrials: 30 },
  );
  console.log('states', pruned.summary());

  // 3. A journal file: Optuna's JournalFileBackend format. Another process (or Python's
  //    optuna.load_study(study_name='demo', storage=JournalStorage(JournalFileBackend(path)))) can join or resume it.
  const journal = path.join(dir, 'demo.log');
  const first = createStudy({ storage: journal, studyName: 'demo', sampler: new TPESampler({ seed: 3 }) });
  await first.optimize((t) => (t.suggestFloat('x', -10, 10) - 3) ** 2, { nTrials: 15 });
  const resumed = createStudy({ storage: journal, studyName: 'demo', loadIfExists: true });
  await resumed.optimize((t) => (t.suggestFloat('x', -10, 10) - 3) ** 2, { nTrials: 5 });
  console.log('journal trials', resumed.trials.length, 'numbers continue to', resumed.trials.at(-1)!.number);

  // 4. Tune a model: the Budget Optimizer's LightGBM over tuning.search_space of budget_optimizer.yaml,
  //    pruning on the per-iteration validation metric, then retrained on the best parameters.
  const generated = syntheticMarketingSpend({ rows: 6_000, seed: 42 });
  const cut = 4_800;
  const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 200 } });
  const tuned = await trainer.tune(generated.table.slice(0, cut), {
    validation: generated.table.slice(cut),
    nTrials: 12,
    sampler: new TPESampler({ seed: 7 }),
    onTrial: (t) => console.log(`trial ${t.number} ${t.state} after ${t.intermediateValues.size} rounds`, t.value?.toFixed(2) ?? ''),
  });
  console.log('tuned', tuned.summary);
  await tuned.trainer.save(path.join(dir, 'bundle')); // state/tuning.json holds the study summary
  console.log('bundle written to', path.join(dir, 'bundle'));
}

void main();
