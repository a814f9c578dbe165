/**
 * Booster.train's keepBestPredictions: the predictions XGBoost caches while it trains, copied at
 * the best round, must be the bits a fresh prediction with the best rounds gives, for every
 * objective the trainers use, with categorical features and missing values; and anything that
 * is not that round must give nothing rather than another round's predictions.
 */
import { AbortError, DisposedError } from '@kdap/errors';
import type { NativeTrainRun } from '@kdap/napi-common';
import { SeededRandom, tabularProblem } from '@kdap/test-support';
import { Booster } from './booster';
import { binding, type Column } from './binding';
import { DMatrix } from './dmatrix';
import { liveHandles } from './library';
import { paramError } from './testing/matchers';

const COLORS = ['red', 'green', 'blue', 'amber', 'violet'];
const EFFECT = [1.2, -0.9, 0.3, 2, -1.6];

interface Part {
  columns: Column[];
  dense: Float32Array;
  rows: number;
  yBinary: Float32Array;
  yRegression: Float32Array;
  yClass: Float32Array;
}

/** Four numeric columns (about 2% missing) and one categorical column (about 3% missing). */
function makePart(rows: number, seed: number): Part {
  const p = tabularProblem(rows, 4, seed);
  const rng = new SeededRandom(seed + 1000);
  const codes = new Int32Array(rows);
  const yBinary = new Float32Array(rows);
  const yRegression = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    codes[r] = rng.next() < 0.03 ? -1 : Math.floor(rng.next() * COLORS.length);
    const effect = codes[r]! < 0 ? 0 : EFFECT[codes[r]!]!;
    yRegression[r] = p.yRegression[r]! + effect;
    yBinary[r] = p.yRegression[r]! + effect + 0.8 * rng.normal() > 0.6 ? 1 : 0;
  }
  const numeric = [0, 1, 2, 3].map((c) => Float32Array.from({ length: rows }, (_, r) => p.x[r * 4 + c]!));
  const yClass = Float32Array.from(yRegression, (v) => (v < -0.5 ? 0 : v < 1 ? 1 : 2));
  return { columns: [...numeric, { categories: COLORS, codes }], dense: p.x, rows, yBinary, yRegression, yClass };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const trainPart = makePart(3000, 41);
const validPart = makePart(800, 42);

async function bestPredictionsAgree(params: Record<string, string | number | boolean>, label: 'yBinary' | 'yRegression' | 'yClass', categorical: boolean): Promise<void> {
  const make = (part: Part) =>
    categorical ? DMatrix.fromColumns(part.columns, { label: part[label] }) : new DMatrix(part.dense, { rows: part.rows, cols: 4, label: part[label] });
  using dtrain = make(trainPart);
  using dvalid = make(validPart);
  using booster = await Booster.train({ nthread: 2, seed: 1, ...params }, dtrain, {
    numBoostRound: 300,
    evals: [[dtrain, 'train'], [dvalid, 'valid']],
    earlyStoppingRounds: 5,
    keepBestPredictions: true,
  });
  const best = booster.bestIteration;
  // The copy must come from a round before the last one trained, or this would test the cache only.
  expect(best).toBeLessThan(booster.numBoostedRounds - 1);
  const kept = booster.bestPredictions!;
  expect(kept).toBeDefined();
  expect(kept.iteration).toBe(best);
  expect(kept.evals[0]).toBe(kept.training);
  const predict = (part: Part) =>
    categorical
      ? booster.predictColumns(part.columns, { iterationRange: [0, best + 1] })
      : booster.predict(part.dense, { rows: part.rows, cols: 4, iterationRange: [0, best + 1] });
  expect(sameBits(kept.training, await predict(trainPart))).toBe(true);
  expect(sameBits(kept.evals[1]!, await predict(validPart))).toBe(true);
  // And not merely the whole model's predictions.
  expect(sameBits(kept.evals[1]!, await (categorical ? booster.predictColumns(validPart.columns) : booster.predict(validPart.dense, { rows: validPart.rows, cols: 4 })))).toBe(false);
}

describe('Booster.train keepBestPredictions', () => {
  it('binary:logistic with a categorical feature and missing values: the best round bit for bit', async () => {
    await bestPredictionsAgree({ objective: 'binary:logistic', eval_metric: 'logloss', max_depth: 6, eta: 0.6, max_cat_to_onehot: 1 }, 'yBinary', true);
  });

  it('binary:logistic stopping on auc (larger is better, from the metric name)', async () => {
    await bestPredictionsAgree({ objective: 'binary:logistic', eval_metric: 'auc', max_depth: 6, eta: 0.6 }, 'yBinary', false);
  });

  it('regression (squared error)', async () => {
    await bestPredictionsAgree({ objective: 'reg:squarederror', max_depth: 6, eta: 0.7 }, 'yRegression', false);
  });

  it('quantile regression with a categorical feature', async () => {
    await bestPredictionsAgree({ objective: 'reg:quantileerror', quantile_alpha: 0.9, max_depth: 6, eta: 0.9, max_cat_to_onehot: 1 }, 'yRegression', true);
  });

  it('multi:softprob (rows x classes, softmax of the copied margins)', async () => {
    await bestPredictionsAgree({ objective: 'multi:softprob', num_class: 3, max_depth: 6, eta: 0.7 }, 'yClass', true);
  });

  it('without evaluation sets: the whole model, read from the cache once training ends', async () => {
    using dtrain = new DMatrix(trainPart.dense, { rows: trainPart.rows, cols: 4, label: trainPart.yBinary });
    using booster = await Booster.train({ objective: 'binary:logistic', max_depth: 3, nthread: 2 }, dtrain, { numBoostRound: 12, keepBestPredictions: true });
    const kept = booster.bestPredictions!;
    expect(kept.iteration).toBe(11);
    expect(kept.evals).toEqual([]);
    expect(sameBits(kept.training, await booster.predict(trainPart.dense, { rows: trainPart.rows, cols: 4 }))).toBe(true);
  });

  it('is undefined without the option, for dart, and after dispose it is released', async () => {
    using dtrain = new DMatrix(trainPart.dense, { rows: trainPart.rows, cols: 4, label: trainPart.yBinary });
    using dvalid = new DMatrix(validPart.dense, { rows: validPart.rows, cols: 4, label: validPart.yBinary });
    const options = { numBoostRound: 20, evals: [[dvalid, 'valid']] as const, earlyStoppingRounds: 3 };
    using plain = await Booster.train({ objective: 'binary:logistic', nthread: 2 }, dtrain, options);
    expect(plain.bestPredictions).toBeUndefined();
    using dart = await Booster.train({ objective: 'binary:logistic', booster: 'dart', rate_drop: 0.2, nthread: 2 }, dtrain, { ...options, numBoostRound: 4, keepBestPredictions: true });
    expect(dart.bestPredictions).toBeUndefined();
    const kept = await Booster.train({ objective: 'binary:logistic', nthread: 2 }, dtrain, { ...options, keepBestPredictions: true });
    expect(kept.bestPredictions).toBeDefined();
    kept.dispose();
    expect(() => kept.bestPredictions).toThrow(DisposedError);
  });

  it('an abort rejects and leaves no handle behind', async () => {
    const before = liveHandles();
    using dtrain = new DMatrix(trainPart.dense, { rows: trainPart.rows, cols: 4, label: trainPart.yBinary });
    using dvalid = new DMatrix(validPart.dense, { rows: validPart.rows, cols: 4, label: validPart.yBinary });
    const controller = new AbortController();
    await expect(
      Booster.train({ objective: 'binary:logistic', nthread: 2 }, dtrain, {
        numBoostRound: 500,
        evals: [[dvalid, 'valid']],
        earlyStoppingRounds: 400,
        keepBestPredictions: true,
        signal: controller.signal,
        onIteration: (info) => {
          if (info.iteration === 3) controller.abort();
        },
      }),
    ).rejects.toThrow(AbortError);
    expect(liveHandles().Booster).toBe(before.Booster);
  });

  it('checks the option', async () => {
    using dtrain = new DMatrix(trainPart.dense, { rows: trainPart.rows, cols: 4, label: trainPart.yBinary });
    await expect(Booster.train({}, dtrain, { keepBestPredictions: 'yes' as unknown as boolean })).rejects.toThrow(
      paramError('keepBestPredictions', "The 'keepBestPredictions' option of Booster.train must be a boolean. Got \"yes\"."),
    );
  });
});

describe('boosterTrainAsync bestPredictions (layer 1)', () => {
  /** 40 overfitting rounds (eta 0.9, depth 8) watching the validation rmse (smaller is better). */
  async function withTrainedRun(check: (run: NativeTrainRun<Float32Array>, bestRound: number, atBest: (d: DMatrix) => Float32Array, d: { dtrain: DMatrix; dvalid: DMatrix }) => void): Promise<void> {
    using dtrain = new DMatrix(trainPart.dense, { rows: trainPart.rows, cols: 4, label: trainPart.yRegression });
    using dvalid = new DMatrix(validPart.dense, { rows: validPart.rows, cols: 4, label: validPart.yRegression });
    const b = binding();
    const handle = b.boosterCreate([dtrain.nativeHandle, dvalid.nativeHandle]);
    try {
      for (const [k, v] of [['objective', 'reg:squarederror'], ['eta', '0.9'], ['max_depth', '8'], ['nthread', '2']]) b.boosterSetParam(handle, k!, v!);
      const values: number[] = [];
      const run = b.boosterTrainAsync(handle, dtrain.nativeHandle, 40, [dvalid.nativeHandle], ['valid'], (_i, text) => {
        values.push(Number(text.split(':').pop()));
        return false;
      }, 0);
      expect(await run.done).toBe(40);
      const bestRound = values.indexOf(Math.min(...values));
      // Overfitting: the best round is not the last one.
      expect(bestRound).toBeLessThan(39);
      check(run, bestRound, (d) => b.boosterPredictFromDMatrix(handle, d.nativeHandle, 0, 0, bestRound + 1).values, { dtrain, dvalid });
    } finally {
      b.boosterFree(handle);
    }
  }

  it('holds the best round of the watched score, and releases everything once taken', async () => {
    await withTrainedRun((run, bestRound, atBest, { dtrain, dvalid }) => {
      const sets = run.takeBestPredictions!(bestRound)!;
      expect(sets).toHaveLength(2);
      expect(sets[0]!.length).toBe(trainPart.rows);
      expect(sameBits(sets[0]!, atBest(dtrain))).toBe(true);
      expect(sameBits(sets[1]!, atBest(dvalid))).toBe(true);
      // Taken once: everything is released after.
      expect(run.takeBestPredictions!(bestRound)).toBeUndefined();
    });
  });

  it('gives undefined for a round it does not hold (the last, which did not improve)', async () => {
    await withTrainedRun((run, bestRound) => {
      expect(run.takeBestPredictions!(39)).toBeUndefined();
      // The miss released the copies too.
      expect(run.takeBestPredictions!(bestRound)).toBeUndefined();
    });
  });
});
