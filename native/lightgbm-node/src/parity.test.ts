/**
 * Parity with LightGBM's Python package built from the same pinned source distribution
 * (.venv-ref): same data (a seeded 20,000 x 20 matrix written to a file both sides read), same
 * parameters, deterministic=true and fixed num_threads. Predictions must agree to 1e-9 relative;
 * models cross-load in both directions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPythonScript, SeededRandom } from '@kdap/test-support';
import { Booster, Dataset, type Params } from './index';

const ROWS = 20_000;
const COLS = 20;
const N_TRAIN = 16_000;

interface Case {
  name: string;
  label: string;
  params: Params;
  numBoostRound: number;
  earlyStoppingRounds?: number;
}

const common = { deterministic: true, num_threads: 2, seed: 42, verbosity: -1, num_leaves: 31, learning_rate: 0.1, force_col_wise: true };
const cases: Case[] = [
  { name: 'regression', label: 'y_reg.f64', params: { ...common, objective: 'regression' }, numBoostRound: 60 },
  { name: 'binary', label: 'y_bin.f64', params: { ...common, objective: 'binary', bagging_fraction: 0.8, bagging_freq: 1, feature_fraction: 0.8 }, numBoostRound: 60 },
  { name: 'quantile', label: 'y_reg.f64', params: { ...common, objective: 'quantile', alpha: 0.9 }, numBoostRound: 60 },
  { name: 'early_stopping', label: 'y_reg.f64', params: { ...common, objective: 'regression', learning_rate: 0.3 }, numBoostRound: 500, earlyStoppingRounds: 10 },
];

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1e-12, Math.abs(a[i]!), Math.abs(b[i]!));
    worst = Math.max(worst, d);
  }
  return worst;
}

const readF64 = (file: string) => {
  const buf = fs.readFileSync(file);
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

describe('parity with Python LightGBM (same pinned source build)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgb-parity-'));
  const r = new SeededRandom(20251126);
  const X = new Float64Array(ROWS * COLS);
  const yReg = new Float64Array(ROWS);
  const yBin = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    for (let j = 0; j < COLS; j++) X[i * COLS + j] = r.normal();
    const x = (j: number) => X[i * COLS + j]!;
    // Some missing values, as real data has.
    if (i % 97 === 0) X[i * COLS + 5] = NaN;
    yReg[i] = 2 * x(0) - x(1) * x(2) + Math.sin(3 * x(3)) + 0.5 * Math.abs(x(4)) + 0.3 * r.normal();
    const logit = 1.5 * x(0) - x(1) + 0.8 * x(2) * x(3);
    yBin[i] = r.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  fs.writeFileSync(path.join(dir, 'X.f64'), Buffer.from(X.buffer));
  fs.writeFileSync(path.join(dir, 'y_reg.f64'), Buffer.from(yReg.buffer));
  fs.writeFileSync(path.join(dir, 'y_bin.f64'), Buffer.from(yBin.buffer));
  const labels: Record<string, Float64Array> = { 'y_reg.f64': yReg, 'y_bin.f64': yBin };
  const Xtest = X.subarray(N_TRAIN * COLS);
  const tsResults = new Map<string, { pred: Float64Array; best: number; booster: Booster }>();
  let py: { lightgbm: string; cases: Record<string, { best_iteration: number; num_trees: number }> };

  beforeAll(async () => {
    for (const c of cases) {
      const y = labels[c.label]!;
      const train = new Dataset(X.subarray(0, N_TRAIN * COLS), { rows: N_TRAIN, cols: COLS, label: y.subarray(0, N_TRAIN) });
      const valid = new Dataset(Xtest, { rows: ROWS - N_TRAIN, cols: COLS, label: y.subarray(N_TRAIN), reference: train });
      const booster = await Booster.train(c.params, train, {
        numBoostRound: c.numBoostRound,
        ...(c.earlyStoppingRounds ? { validSets: [valid], earlyStoppingRounds: c.earlyStoppingRounds } : {}),
      });
      train.dispose();
      valid.dispose();
      booster.save(path.join(dir, `${c.name}.ts.model`));
      tsResults.set(c.name, { pred: await booster.predict(Xtest, { rows: ROWS - N_TRAIN, cols: COLS }), best: booster.bestIteration, booster });
    }
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ rows: ROWS, cols: COLS, nTrain: N_TRAIN, cases }));
    py = JSON.parse(runPythonScript('lightgbm_parity.py', [dir]));
  }, 600_000);

  afterAll(() => {
    for (const r of tsResults.values()) r.booster.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the reference uses the pinned LightGBM version', () => {
    expect(py.lightgbm).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'lightgbm.json'), 'utf8')).version);
  });

  test.each(cases.map((c) => c.name))('%s: predictions agree to 1e-9 relative', (name) => {
    const ts = tsResults.get(name)!;
    const diff = maxRelDiff(ts.pred, readF64(path.join(dir, `${name}.py.pred`)));
    console.log(`parity ${name}: max relative difference ${diff.toExponential(3)}`);
    expect(diff).toBeLessThanOrEqual(1e-9);
  });

  test('early stopping finds the same best iteration', () => {
    const ts = tsResults.get('early_stopping')!;
    expect(ts.best).toBeGreaterThan(0);
    expect(ts.best).toBe(py.cases.early_stopping!.best_iteration);
    // lightgbm.train returns the model truncated to the best iteration; so does Booster.train.
    expect(ts.booster.currentIteration()).toBe(py.cases.early_stopping!.num_trees);
    expect(tsResults.get('regression')!.booster.currentIteration()).toBe(py.cases.regression!.num_trees);
  });

  test.each(cases.map((c) => c.name))('%s: models cross-load (TS -> Python, Python -> TS)', (name) => {
    const ts = tsResults.get(name)!;
    expect(maxRelDiff(ts.pred, readF64(path.join(dir, `${name}.ts-in-py.pred`)))).toBeLessThanOrEqual(1e-12);
    using fromPython = Booster.load(path.join(dir, `${name}.py.model`));
    const pred = fromPython.predictSync(Xtest, { rows: ROWS - N_TRAIN, cols: COLS });
    expect(maxRelDiff(pred, readF64(path.join(dir, `${name}.py.pred`)))).toBeLessThanOrEqual(1e-12);
  });
});
