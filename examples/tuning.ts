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

  // 1. A study: minimize a function of five parameters of every kind. Seeded, so it reruns identically.
  const study = createStudy({ direction: 'minimize', sampler: new TPESampler({ seed: 42 }) });
  await study.optimize(
    (trial) => {
      const x = trial.suggestFloat('x', -5, 5);
      const y = trial.suggestFloat('y', -5, 5);
      const lr = trial.suggestFloat('lr', 1e-5, 1, { log: true });
      const n = trial.suggestInt('n', 1, 20);
      const c = trial.suggestCategorical('c', ['a', 'b', 'c']);
      return (x - 2) ** 2 + (y + 1) ** 2 + (Math.log10(lr) + 2) ** 2 + (n - 7) ** 2 / 10 + (c !== 'b' ? 1 : 0);
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
