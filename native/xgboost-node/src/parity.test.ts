/**
 * Parity with XGBoost's Python package (the reference environment .venv-ref) on one fixed
 * 20,000 x 20 dataset written to files both sides read: predictions, margins, SHAP values, early
 * stopping and metric history, and models loaded across languages, all exactly equal (max
 * difference 0). Fails (never skips) without the reference environment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { maxDifference, readFloat32, runPythonScript, tabularProblem, writeFloat32 } from '@kdap/test-support';
import { Booster } from './booster';
import { DMatrix } from './dmatrix';
import type { Params } from './params';

const ROWS_TRAIN = 20_000;
const ROWS_VALID = 5_000;
const COLS = 20;
const CONTRIB_ROWS = 500;

interface Case {
  name: string;
  target: 'binary' | 'regression';
  params: Params;
  num_boost_round: number;
  early_stopping_rounds?: number;
}

const common = { tree_method: 'hist', nthread: 2, seed: 7 };
const CASES: Case[] = [
  {
    name: 'binary',
    target: 'binary',
    params: { ...common, objective: 'binary:logistic', eval_metric: ['logloss', 'auc'], scale_pos_weight: 3.5, max_depth: 5, eta: 0.1, subsample: 0.8, colsample_bytree: 0.8 },
    num_boost_round: 80,
  },
  {
    name: 'regression',
    target: 'regression',
    params: { ...common, objective: 'reg:squarederror', max_depth: 6, eta: 0.1, min_child_weight: 2 },
    num_boost_round: 80,
  },
  {
    name: 'early',
    target: 'binary',
    params: { ...common, objective: 'binary:logistic', eval_metric: 'logloss', scale_pos_weight: 2, max_depth: 8, eta: 0.4 },
    num_boost_round: 400,
    early_stopping_rounds: 10,
  },
];

interface PyCase {
  best_iteration: number;
  best_score: number | null;
  num_boosted_rounds: number;
  evals_result: Record<string, Record<string, number[]>>;
}

describe('parity with the Python xgboost package', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgb-parity-'));
  const report: string[] = [];
  let py: Record<string, PyCase> & { xgboost: string };
  const ts = new Map<string, { booster: Booster; value: Float32Array; margin: Float32Array; contrib: Float32Array; best: Float32Array }>();
  let xValid: Float32Array;

  beforeAll(async () => {
    const train = tabularProblem(ROWS_TRAIN, COLS, 20240501);
    const valid = tabularProblem(ROWS_VALID, COLS, 20240502);
    writeFloat32(path.join(dir, 'x_train.f32'), train.x);
    writeFloat32(path.join(dir, 'x_valid.f32'), valid.x);
    for (const [name, fx] of [['train', train], ['valid', valid]] as const) {
      writeFloat32(path.join(dir, `y_binary_${name}.f32`), fx.yBinary);
      writeFloat32(path.join(dir, `y_regression_${name}.f32`), fx.yRegression);
    }
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ rows_train: ROWS_TRAIN, rows_valid: ROWS_VALID, cols: COLS, contrib_rows: CONTRIB_ROWS, cases: CASES }));

    // The TypeScript side reads the same files.
    const xTrain = readFloat32(path.join(dir, 'x_train.f32'));
    xValid = readFloat32(path.join(dir, 'x_valid.f32'));
    for (const c of CASES) {
      const dtrain = new DMatrix(xTrain, { rows: ROWS_TRAIN, cols: COLS, label: readFloat32(path.join(dir, `y_${c.target}_train.f32`)) });
      const dvalid = new DMatrix(xValid, { rows: ROWS_VALID, cols: COLS, label: readFloat32(path.join(dir, `y_${c.target}_valid.f32`)) });
      const booster = await Booster.train(c.params, dtrain, {
        numBoostRound: c.num_boost_round,
        evals: [[dtrain, 'train'], [dvalid, 'valid']],
        ...(c.early_stopping_rounds ? { earlyStoppingRounds: c.early_stopping_rounds } : {}),
      });
      dtrain.dispose();
      dvalid.dispose();
      const opts = { rows: ROWS_VALID, cols: COLS };
      ts.set(c.name, {
        booster,
        value: await booster.predict(xValid, opts),
        margin: await booster.predict(xValid, { ...opts, outputMargin: true }),
        contrib: await booster.predict(xValid.subarray(0, CONTRIB_ROWS * COLS), { rows: CONTRIB_ROWS, cols: COLS, contributions: true }),
        best: await booster.predict(xValid, { ...opts, iterationRange: [0, booster.bestIteration + 1] }),
      });
      booster.save(path.join(dir, `ts_${c.name}.json`));
      booster.save(path.join(dir, `ts_${c.name}.ubj`));
    }
    runPythonScript(path.join(__dirname, '..', 'test', 'python', 'xgb_reference.py'), [dir]);
    py = JSON.parse(fs.readFileSync(path.join(dir, 'py_results.json'), 'utf8')) as typeof py;
  }, 600_000);

  afterAll(() => {
    for (const t of ts.values()) t.booster.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    // Observed differences, for the record (jest prints console output of the suite).
    console.log(`XGBoost parity (Python xgboost ${py?.xgboost ?? '?'}):\n${report.join('\n')}`);
  });

  // One library build on both sides (scripts/python-ref.sh points Python at the addon's
  // libxgboost.so), so the results are the same floats: max difference 0.
  function compare(label: string, a: Float32Array, b: Float32Array): void {
    const d = maxDifference(a, b);
    report.push(`  ${label}: max relative ${d.relative.toExponential(3)}, max absolute ${d.absolute.toExponential(3)}`);
    expect({ label, length: a.length, absolute: d.absolute }).toEqual({ label, length: b.length, absolute: 0 });
  }

  it.each(CASES.map((c) => [c.name]))('%s: predictions, margins and SHAP values agree', (name) => {
    const t = ts.get(name)!;
    compare(`${name} value`, t.value, readFloat32(path.join(dir, `py_${name}_value.f32`)));
    compare(`${name} margin`, t.margin, readFloat32(path.join(dir, `py_${name}_margin.f32`)));
    compare(`${name} contributions`, t.contrib, readFloat32(path.join(dir, `py_${name}_contrib.f32`)));
    compare(`${name} best-iteration value`, t.best, readFloat32(path.join(dir, `py_${name}_best.f32`)));
  });

  it.each(CASES.map((c) => [c.name]))('%s: rounds, best iteration and metric history agree', (name) => {
    const t = ts.get(name)!;
    const p = py[name]!;
    report.push(`  ${name}: rounds TS ${t.booster.numBoostedRounds} / Python ${p.num_boosted_rounds}, best iteration TS ${t.booster.bestIteration} / Python ${p.best_iteration}`);
    expect(t.booster.numBoostedRounds).toBe(p.num_boosted_rounds);
    expect(t.booster.bestIteration).toBe(p.best_iteration);
    if (p.best_score !== null) expect(t.booster.bestScore).toBe(p.best_score);
    else expect(t.booster.bestScore).toBeUndefined();
    expect(Object.keys(t.booster.evalsResult)).toEqual(Object.keys(p.evals_result));
    for (const [data, metrics] of Object.entries(p.evals_result)) {
      expect(Object.keys(t.booster.evalsResult[data]!)).toEqual(Object.keys(metrics));
      for (const [metric, values] of Object.entries(metrics)) {
        const mine = t.booster.evalsResult[data]![metric]!;
        expect(mine).toHaveLength(values.length);
        expect({ data, metric, values: mine }).toEqual({ data, metric, values });
      }
    }
  });

  it('early stopping actually stopped early on both sides', () => {
    expect(ts.get('early')!.booster.numBoostedRounds).toBeLessThan(400);
    expect(py['early']!.num_boosted_rounds).toBe(py['early']!.best_iteration + 11);
  });

  it.each(CASES.map((c) => [c.name]))('%s: models load across languages (JSON and UBJSON)', (name) => {
    const t = ts.get(name)!;
    for (const fmt of ['json', 'ubj']) {
      // A TypeScript model predicted by Python ...
      compare(`${name} TS model (${fmt}) in Python`, readFloat32(path.join(dir, `py_from_ts_${name}_${fmt}.f32`)), t.value);
      // ... and a Python model predicted here.
      using loaded = Booster.load(path.join(dir, `py_${name}.${fmt}`));
      compare(`${name} Python model (${fmt}) in TS`, loaded.predictSync(xValid, { rows: ROWS_VALID, cols: COLS }), readFloat32(path.join(dir, `py_${name}_value.f32`)));
      expect(loaded.bestIteration).toBe(py[name]!.best_iteration);
    }
  });
});
