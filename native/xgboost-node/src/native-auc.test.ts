/**
 * Booster.train's loop computes binary:logistic's "auc" itself from the cached margins
 * (binary_auc.h) instead of XGBoosterEvalOneIter: every round's evaluation text must be XGBoost's
 * own, character for character, and the trees the same. The reference is XGBoost evaluating the
 * same rounds of an identical booster (same parameters, seed, thread count) through the plain
 * update/eval calls. The debug counter shows which path answered: the loop evaluates the first
 * round both ways (XGBoost's text is used) and computes the later rounds' AUCs itself.
 */
import { SeededRandom, tabularProblem } from '@kdap/test-support';
import { binding, type Column } from './binding';
import { Booster } from './booster';
import { DMatrix } from './dmatrix';

const COLORS = ['red', 'green', 'blue', 'amber', 'violet'];

interface Part {
  columns: Column[];
  rows: number;
  label: Float32Array;
}

/** Four numeric columns (about 2% missing, or small integers: many tied predictions) and a categorical one. */
function makePart(rows: number, seed: number, options: { integers?: boolean; softLabels?: boolean } = {}): Part {
  const p = tabularProblem(rows, 4, seed);
  const rng = new SeededRandom(seed + 500);
  const codes = new Int32Array(rows);
  const label = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    codes[r] = rng.next() < 0.03 ? -1 : Math.floor(rng.next() * COLORS.length);
    const y = p.yRegression[r]! + (codes[r]! % 2) + 0.8 * rng.normal() > 0.6 ? 1 : 0;
    // binary:logistic takes labels in [0, 1]: fractional ones exercise XGBoost's float/double mix.
    label[r] = options.softLabels && rng.next() < 0.3 ? Math.fround(0.25 + 0.5 * rng.next()) : y;
  }
  const numeric = [0, 1, 2, 3].map((c) => Float32Array.from({ length: rows }, (_, r) => (options.integers ? Math.min(3, Math.max(0, Math.round(p.x[r * 4 + c]! + 1.5))) : p.x[r * 4 + c]!)));
  return { columns: [...numeric, { categories: COLORS, codes }], rows, label };
}

function weights(rows: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: rows }, () => Math.fround(0.25 + 2 * rng.next()));
}

/** XGBoost's own texts: an identical booster stepped through XGBoosterUpdateOneIter + XGBoosterEvalOneIter. */
function xgboostTexts(params: Record<string, string | number>, dtrain: DMatrix, evals: [DMatrix, string][], rounds: number): { texts: string[]; model: Uint8Array } {
  const b = binding();
  const h = b.boosterCreate([dtrain.nativeHandle, ...evals.map(([d]) => d.nativeHandle)]);
  try {
    for (const [name, value] of Object.entries(params)) b.boosterSetParam(h, name, String(value));
    const texts: string[] = [];
    for (let i = 0; i < rounds; i++) {
      b.boosterUpdateOneIter(h, i, dtrain.nativeHandle);
      texts.push(b.boosterEvalOneIter(h, i, evals.map(([d]) => d.nativeHandle), evals.map(([, n]) => n)));
    }
    return { texts, model: b.boosterSaveModelToBuffer(h, 'json') };
  } finally {
    b.boosterFree(h);
  }
}

/** The training loop's texts for the same booster, and how many sets it evaluated itself. */
async function loopTexts(params: Record<string, string | number>, dtrain: DMatrix, evals: [DMatrix, string][], rounds: number): Promise<{ texts: string[]; model: Uint8Array; native: number }> {
  const b = binding();
  const h = b.boosterCreate([dtrain.nativeHandle, ...evals.map(([d]) => d.nativeHandle)]);
  try {
    for (const [name, value] of Object.entries(params)) b.boosterSetParam(h, name, String(value));
    const texts: string[] = [];
    const before = b.nativeAucEvaluations();
    await b.boosterTrainAsync(h, dtrain.nativeHandle, rounds, evals.map(([d]) => d.nativeHandle), evals.map(([, n]) => n), (_i, text) => void texts.push(text), null, null, -1).done;
    return { texts, model: b.boosterSaveModelToBuffer(h, 'json'), native: b.nativeAucEvaluations() - before };
  } finally {
    b.boosterFree(h);
  }
}

const base = { objective: 'binary:logistic', eval_metric: 'auc', nthread: 2, seed: 3, max_depth: 5, eta: 0.3, subsample: 0.8, colsample_bytree: 0.8, max_cat_to_onehot: 1 };

async function sameAsXGBoost(params: Record<string, string | number>, dtrain: DMatrix, evals: [DMatrix, string][], rounds: number, nativeSets: number): Promise<string[]> {
  const reference = xgboostTexts(params, dtrain, evals, rounds);
  const loop = await loopTexts(params, dtrain, evals, rounds);
  expect(loop.texts).toHaveLength(rounds);
  expect(loop.texts).toEqual(reference.texts);
  expect(Buffer.from(loop.model).equals(Buffer.from(reference.model))).toBe(true);
  expect(loop.native).toBe((rounds - 1) * nativeSets);
  return loop.texts;
}

describe('Booster.train: binary:logistic auc computed in the loop', () => {
  it('equals XGBoost every round, training and validation sets, categorical feature and missing values', async () => {
    const t = makePart(4000, 11);
    const v = makePart(1200, 12);
    using dtrain = DMatrix.fromColumns(t.columns, { label: t.label });
    using dvalid = DMatrix.fromColumns(v.columns, { label: v.label });
    const texts = await sameAsXGBoost(base, dtrain, [[dtrain, 'train'], [dvalid, 'valid']], 40, 2);
    expect(texts[39]).toMatch(/^\[39\]\ttrain-auc:0\.\d{17}\tvalid-auc:0\.\d{17}$/);
    // The AUC moves between rounds (the test would pass on a constant otherwise).
    expect(new Set(texts.map((s) => s.split('\t')[2])).size).toBeGreaterThan(20);
  });

  it('equals XGBoost with many tied predictions, soft labels and sample weights', async () => {
    const t = makePart(3000, 21, { integers: true, softLabels: true });
    const v = makePart(900, 22, { integers: true, softLabels: true });
    using dtrain = DMatrix.fromColumns(t.columns, { label: t.label, weight: weights(t.rows, 5) });
    using dvalid = DMatrix.fromColumns(v.columns, { label: v.label, weight: weights(v.rows, 6) });
    // Integer features and depth 2: a few hundred distinct predictions among thousands of rows.
    await sameAsXGBoost({ ...base, max_depth: 2 }, dtrain, [[dvalid, 'valid'], [dtrain, 'train']], 30, 2);
  });

  it('leaves a one-class set to XGBoost (its NaN), and evaluates the training matrix listed twice', async () => {
    const t = makePart(2000, 31);
    const v = makePart(500, 32);
    using dtrain = DMatrix.fromColumns(t.columns, { label: t.label });
    using negatives = DMatrix.fromColumns(v.columns, { label: new Float32Array(v.rows) });
    const texts = await sameAsXGBoost(base, dtrain, [[dtrain, 'a'], [negatives, 'none'], [dtrain, 'b']], 8, 2);
    expect(texts[0]).toContain('none-auc:nan');
  });

  it('is not used for other metrics or objectives: XGBoost evaluates, same texts', async () => {
    const t = makePart(2000, 41);
    const v = makePart(500, 42);
    using dtrain = DMatrix.fromColumns(t.columns, { label: t.label });
    using dvalid = DMatrix.fromColumns(v.columns, { label: v.label });
    await sameAsXGBoost({ ...base, eval_metric: 'logloss' }, dtrain, [[dvalid, 'valid']], 5, 0);
    await sameAsXGBoost({ ...base, objective: 'binary:logitraw' }, dtrain, [[dvalid, 'valid']], 5, 0);
    await sameAsXGBoost({ ...base, booster: 'dart' }, dtrain, [[dvalid, 'valid']], 5, 0);
    const two = xgboostTexts({ ...base }, dtrain, [[dvalid, 'valid']], 1);
    expect(two.texts[0]).toContain('valid-auc');
  });

  it('through Booster.train with early stopping and kept predictions: same history, best round and trees as XGBoost stepping', async () => {
    const t = makePart(4000, 51);
    const v = makePart(1200, 52);
    using dtrain = DMatrix.fromColumns(t.columns, { label: t.label });
    using dvalid = DMatrix.fromColumns(v.columns, { label: v.label });
    const params = { ...base, eta: 0.6, max_depth: 6 };
    const before = binding().nativeAucEvaluations();
    using booster = await Booster.train(params, dtrain, { numBoostRound: 200, evals: [[dtrain, 'train'], [dvalid, 'valid']], earlyStoppingRounds: 5, keepBestPredictions: true });
    const rounds = booster.numBoostedRounds;
    expect(rounds).toBeLessThan(200);
    expect(binding().nativeAucEvaluations() - before).toBe(2 * (rounds - 1));
    const reference = xgboostTexts(params, dtrain, [[dtrain, 'train'], [dvalid, 'valid']], rounds);
    const value = (text: string, set: number) => Number(text.split('\t')[set + 1]!.split(':')[1]);
    expect(booster.evalsResult['train']!['auc']).toEqual(reference.texts.map((s) => value(s, 0)));
    expect(booster.evalsResult['valid']!['auc']).toEqual(reference.texts.map((s) => value(s, 1)));
    // The kept margins (handed over from the evaluation's copy) are the best round's predictions.
    const best = booster.bestIteration;
    const kept = booster.bestPredictions!;
    expect(kept.iteration).toBe(best);
    const fresh = await booster.predictColumns(v.columns, { iterationRange: [0, best + 1] });
    expect(Buffer.from(kept.evals[1]!.buffer).equals(Buffer.from(fresh.buffer))).toBe(true);
    const freshTrain = await booster.predictColumns(t.columns, { iterationRange: [0, best + 1] });
    expect(Buffer.from(kept.training.buffer).equals(Buffer.from(freshTrain.buffer))).toBe(true);
  });
});
