/**
 * A first LightGBM model from TypeScript, on synthetic data: a Dataset, training with a validation
 * set and early stopping off the JS thread, batch and single-row prediction, feature importance,
 * save/load.
 *
 *   npx ts-node examples/lightgbm-quickstart.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Booster, Dataset } from '@kdap/lightgbm-node';

// Synthetic response: return on spend saturates (Hill curve) and varies by season.
const rows = 20_000;
const featureNames = ['spend', 'season', 'audience', 'noise'];
const cols = featureNames.length;
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const X = new Float64Array(rows * cols);
const y = new Float64Array(rows);
for (let i = 0; i < rows; i++) {
  const spend = rand() * 100_000;
  const season = Math.sin((2 * Math.PI * (i % 365)) / 365);
  const audience = rand();
  X.set([spend, season, audience, rand()], i * cols);
  y[i] = (250_000 * spend) / (spend + 40_000) * (1 + 0.2 * season) * (0.8 + 0.4 * audience) + (rand() - 0.5) * 5_000;
}

async function main(): Promise<void> {
  const nTrain = 16_000;
  using train = new Dataset(X.subarray(0, nTrain * cols), { rows: nTrain, cols, label: y.subarray(0, nTrain), featureNames });
  using valid = new Dataset(X.subarray(nTrain * cols), { rows: rows - nTrain, cols, label: y.subarray(nTrain), reference: train });

  const started = performance.now();
  using booster = await Booster.train(
    { objective: 'regression', learning_rate: 0.05, num_leaves: 31, verbosity: -1, monotone_constraints: [1, 0, 0, 0] },
    train,
    {
      numBoostRound: 2000,
      validSets: [valid],
      earlyStoppingRounds: 50,
      onIteration: ({ iteration, evals }) => {
        if (iteration % 100 === 0) console.log(`iteration ${iteration}: valid rmse ${Math.sqrt(evals[0]!.value).toFixed(0)}`);
      },
    },
  );
  console.log(`trained in ${((performance.now() - started) / 1000).toFixed(2)} s; best iteration ${booster.bestIteration}, valid l2 ${booster.bestScore[0]!.value.toFixed(0)}`);

  const Xvalid = X.subarray(nTrain * cols);
  const pred = await booster.predict(Xvalid, { rows: rows - nTrain, cols });
  let ssRes = 0;
  let ssTot = 0;
  const yValid = y.subarray(nTrain);
  const mean = yValid.reduce((a, b) => a + b, 0) / yValid.length;
  yValid.forEach((v, i) => {
    ssRes += (v - pred[i]!) ** 2;
    ssTot += (v - mean) ** 2;
  });
  console.log(`validation R^2 = ${(1 - ssRes / ssTot).toFixed(4)}`);

  const gain = booster.featureImportance('gain');
  console.log('gain importance:', Object.fromEntries(featureNames.map((n, i) => [n, Math.round(gain[i]!)])));
  console.log('expected return at spend 50,000, mid season:', Math.round(booster.predictRow([50_000, 0, 0.5, 0.5]) as number));

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-')), 'model.txt');
  booster.save(file);
  using loaded = Booster.load(file);
  console.log(`saved and reloaded ${file}: same prediction = ${loaded.predictRow([50_000, 0, 0.5, 0.5]) === booster.predictRow([50_000, 0, 0.5, 0.5])}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
