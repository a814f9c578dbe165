import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KdapError } from '@kdap/errors';
import { expectKdapError, SeededRandom } from '@kdap/test-support';
import { AbortError, Booster, Dataset, DisposedError, NativeError, ParameterError, binding, liveHandles, setLogger } from './index';

const COLS = 6;

/** y = 3*x0 + sin(2*x1) + x2^2 - x3 + noise; x4, x5 are noise features. */
function regressionData(rows: number, seed: number) {
  const r = new SeededRandom(seed);
  const X = new Float64Array(rows * COLS);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < COLS; j++) X[i * COLS + j] = r.normal();
    const x = (j: number) => X[i * COLS + j]!;
    y[i] = 3 * x(0) + Math.sin(2 * x(1)) + x(2) * x(2) - x(3) + 0.1 * r.normal();
  }
  return { X, y };
}

const base = { objective: 'regression', num_threads: 2, verbosity: -1, seed: 1, deterministic: true };

function r2(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]! / y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i]! - p[i]!) ** 2;
    ssTot += (y[i]! - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

describe('Booster.train / predict', () => {
  const { X, y } = regressionData(3000, 11);
  const nTrain = 2400;
  const Xtr = X.subarray(0, nTrain * COLS);
  const Xva = X.subarray(nTrain * COLS);
  const yva = y.subarray(nTrain);

  test('learns a regression and predicts held-out rows (R^2 > 0.9)', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    using booster = await Booster.train(base, train, { numBoostRound: 150 });
    const pred = await booster.predict(Xva, { rows: 600, cols: COLS });
    expect(pred).toHaveLength(600);
    expect(r2(yva, pred)).toBeGreaterThan(0.9);
    expect(booster.currentIteration()).toBe(150);
    expect(booster.bestIteration).toBe(0);
  });

  test.each([
    ['no evaluation (no answers)', false, undefined],
    ['history (pipelined answers)', true, undefined],
    ['early stopping (pipelined answers, rounds past the stop dropped)', true, 10],
  ])('when train() resolves, the training booster is freed at once: %s', async (_name, withValid, earlyStoppingRounds) => {
    const before = liveHandles();
    const train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    const valid = withValid ? new Dataset(Xva, { rows: 600, cols: COLS, label: yva, reference: train }) : undefined;
    const booster = await Booster.train({ ...base, learning_rate: 0.3 }, train, { numBoostRound: 60, validSets: valid ? [valid] : [], earlyStoppingRounds });
    train.dispose();
    valid?.dispose();
    // Counted before any other tick: the loop's step (which held the training booster, and
    // through it the Datasets) is released when the run settles, not when Node finalizes it later.
    expect(liveHandles()).toEqual({ ...before, Booster: before.Booster + 1 });
    booster.dispose();
    expect(liveHandles()).toEqual(before);
  });

  test('early stopping finds a best iteration and predict uses it by default', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    using valid = new Dataset(Xva, { rows: 600, cols: COLS, label: yva, reference: train });
    const seen: number[] = [];
    using booster = await Booster.train({ ...base, learning_rate: 0.3 }, train, {
      numBoostRound: 1000,
      validSets: [valid],
      earlyStoppingRounds: 5,
      onIteration: ({ iteration, evals }) => {
        seen.push(iteration);
        expect(evals[0]).toMatchObject({ dataName: 'valid_0', metric: 'l2', higherBetter: false });
      },
    });
    expect(booster.bestIteration).toBeGreaterThan(5);
    expect(booster.bestIteration).toBeLessThan(1000);
    // Trained up to best + 5, then stopped.
    expect(seen).toHaveLength(booster.bestIteration + 5);
    const history = booster.evalHistory.valid_0!.l2!;
    const best = Math.min(...history);
    expect(history[booster.bestIteration - 1]).toBe(best);
    expect(booster.bestScore[0]!.value).toBe(best);
    // As lightgbm.train returns it: truncated to the best iteration.
    expect(booster.currentIteration()).toBe(booster.bestIteration);
    using kept = await Booster.train({ ...base, learning_rate: 0.3 }, train, { numBoostRound: 1000, validSets: [valid], earlyStoppingRounds: 5, keepTrainingBooster: true });
    expect(kept.currentIteration()).toBe(booster.bestIteration + 5);
    const byDefault = kept.predictSync(Xva, { rows: 600, cols: COLS });
    const atBest = kept.predictSync(Xva, { rows: 600, cols: COLS, numIteration: kept.bestIteration });
    const all = kept.predictSync(Xva, { rows: 600, cols: COLS, numIteration: -1 });
    expect(byDefault).toEqual(atBest);
    expect(byDefault).not.toEqual(all);
    expect(booster.predictSync(Xva, { rows: 600, cols: COLS })).toEqual(atBest);
  });

  test('a trained booster hands out the text it was reloaded from once, identical to serializing it again', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    using valid = new Dataset(Xva, { rows: 600, cols: COLS, label: yva, reference: train });
    const options = { numBoostRound: 1000, validSets: [valid], earlyStoppingRounds: 5 };
    using booster = await Booster.train({ ...base, learning_rate: 0.3 }, train, options);
    using kept = await Booster.train({ ...base, learning_rate: 0.3 }, train, { ...options, keepTrainingBooster: true });
    // Another range is serialized, and leaves the reloaded text for the default range.
    const firstTrees = booster.toModelString({ numIteration: 3 });
    expect(Booster.fromModelString(firstTrees).currentIteration()).toBe(3);
    const first = booster.toModelString();
    const again = booster.toModelString();
    expect(first).toBe(again);
    // Cut at the best iteration: the model the training booster (waiting for every verdict) holds up to there.
    expect(first).toBe(kept.toModelString());
    expect(Booster.fromModelString(first).currentIteration()).toBe(booster.bestIteration);
    booster.dispose();
    expect(() => booster.toModelString()).toThrow(DisposedError);
  });

  test('batched iterations (boosterUpdateBatchAsync) train the same trees and evals as one call per iteration', async () => {
    const b = binding();
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) }).construct();
    using valid = new Dataset(Xva, { rows: 600, cols: COLS, label: yva, reference: train }).construct();
    const params = 'objective=regression num_threads=2 verbosity=-1 seed=1 deterministic=true';
    const create = () => {
      const h = b.boosterCreate(train.nativeHandle, params);
      b.boosterAddValidData(h, valid.nativeHandle);
      return h;
    };
    const stepwise = create();
    const batched = create();
    try {
      const l2: number[] = [];
      for (let i = 0; i < 21; i++) {
        b.boosterUpdateOneIter(stepwise);
        l2.push(b.boosterGetEval(stepwise, 1)[0]!);
      }
      const evals = [...(await b.boosterUpdateBatchAsync(batched, 8, Int32Array.from([1]))), ...(await b.boosterUpdateBatchAsync(batched, 13, Int32Array.from([1])))];
      expect(evals).toEqual(l2);
      expect(b.boosterSaveModelToString(batched, 0, -1, 0)).toBe(b.boosterSaveModelToString(stepwise, 0, -1, 0));
      // Training data and validation set together: iteration-major, then data index.
      const both = await b.boosterUpdateBatchAsync(batched, 2, Int32Array.from([0, 1]));
      expect(both).toHaveLength(4);
      // Layer 1 checks its arguments.
      expect(() => b.boosterUpdateBatchAsync(batched, 2, Int32Array.from([2]))).toThrow(/The 'evalIdx' argument entries must be 0 .*Got 2\./);
      expect(() => b.boosterUpdateBatchAsync(batched, 0, new Int32Array(0))).toThrow(/The 'count' argument must be between 1/);
      expect(() => b.boosterUpdateBatchAsync(batched, 1, new Float64Array(1) as unknown as Int32Array)).toThrow(/'evalIdx'/);
    } finally {
      b.boosterFree(stepwise);
      b.boosterFree(batched);
    }
  });

  test('the native training loop (boosterTrainAsync): same trees as stepwise, three answer modes, stop() within one round, throws', async () => {
    const b = binding();
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) }).construct();
    using valid = new Dataset(Xva, { rows: 600, cols: COLS, label: yva, reference: train }).construct();
    const params = 'objective=regression num_threads=2 verbosity=-1 seed=1 deterministic=true';
    const created: ReturnType<typeof b.boosterCreate>[] = [];
    const create = () => {
      const h = b.boosterCreate(train.nativeHandle, params);
      b.boosterAddValidData(h, valid.nativeHandle);
      created.push(h);
      return h;
    };
    try {
      const stepwise = create();
      const l2: number[] = [];
      for (let i = 0; i < 12; i++) {
        b.boosterUpdateOneIter(stepwise);
        l2.push(b.boosterGetEval(stepwise, 1)[0]!);
      }
      const model = b.boosterSaveModelToString(stepwise, 0, -1, 0);
      // Nothing reported per round: the same model.
      const silent = create();
      expect(await b.boosterTrainAsync(silent, 12, new Int32Array(0), 0, null).done).toBe(12);
      expect(b.boosterSaveModelToString(silent, 0, -1, 0)).toBe(model);
      // Pipelined and awaited: every round's evaluation, in order, the same model.
      for (const answers of [1, 2] as const) {
        const seen: number[] = [];
        const h = create();
        expect(await b.boosterTrainAsync(h, 12, Int32Array.from([1]), answers, (iter, values) => {
          expect(iter).toBe(seen.length);
          seen.push(values[0]!);
        }).done).toBe(12);
        expect(seen).toEqual(l2);
        expect(b.boosterSaveModelToString(h, 0, -1, 0)).toBe(model);
      }
      // Awaited: a true answer stops before the next round; the callback may call the binding.
      const answered = create();
      const rounds: number[] = [];
      expect(await b.boosterTrainAsync(answered, 50, Int32Array.from([0, 1]), 2, (iter, values) => {
        expect(values).toHaveLength(2);
        rounds.push(b.boosterGetCurrentIteration(answered));
        return iter === 3;
      }).done).toBe(4);
      expect(rounds).toEqual([1, 2, 3, 4]);
      expect(b.boosterGetCurrentIteration(answered)).toBe(4);
      // stop() lands within one round: the round running when it is called is the last one.
      const stopped = create();
      const run = b.boosterTrainAsync(stopped, 100_000, new Int32Array(0), 0, null);
      run.stop();
      expect(await run.done).toBeLessThanOrEqual(1);
      expect(b.boosterGetCurrentIteration(stopped)).toBeLessThanOrEqual(1);
      // A throw rejects with the thrown error and trains no further round (awaited) or at most the running one (pipelined).
      const thrown = create();
      await expect(b.boosterTrainAsync(thrown, 10, Int32Array.from([1]), 2, () => { throw new Error('from onRound'); }).done).rejects.toThrow('from onRound');
      expect(b.boosterGetCurrentIteration(thrown)).toBe(1);
      const thrownPipelined = create();
      await expect(b.boosterTrainAsync(thrownPipelined, 10_000, Int32Array.from([1]), 1, () => { throw new Error('pipelined'); }).done).rejects.toThrow('pipelined');
      // The loop ended (its last event settles nothing): the model stops growing.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const after = b.boosterGetCurrentIteration(thrownPipelined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(b.boosterGetCurrentIteration(thrownPipelined)).toBe(after);
      // Bad arguments throw before anything runs.
      expect(() => b.boosterTrainAsync(silent, 3, Int32Array.from([2]), 0, null)).toThrow(/The 'evalIdx' argument entries must be 0 .*Got 2\./);
      expect(() => b.boosterTrainAsync(silent, 3, new Int32Array(0), 3 as never, null)).toThrow(/The 'answers' argument must be between 0 and 2/);
      expect(() => b.boosterTrainAsync(silent, 3, new Int32Array(0), 1, null)).toThrow("The 'onRound' argument must be a function. Got null.");
      expect(() => b.boosterTrainAsync(silent, 3, new Int32Array(0), 0, 5 as never)).toThrow("The 'onRound' argument must be a function or null. Got a number.");
      expect(() => b.boosterTrainAsync(train.nativeHandle as never, 3, new Int32Array(0), 0, null)).toThrow(/'booster' argument must be a Booster handle/);
    } finally {
      for (const h of created) b.boosterFree(h);
    }
  });

  test('the training set may be listed for evaluation; alone it does not early-stop (as lightgbm.train)', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    using valid = new Dataset(Xva, { rows: 600, cols: COLS, label: yva, reference: train });
    const order: string[][] = [];
    using both = await Booster.train(base, train, {
      numBoostRound: 20,
      validSets: [valid, train],
      validNames: ['holdout', 'fit'],
      onIteration: ({ evals }) => order.push(evals.map((e) => e.dataName)),
    });
    expect(order[0]).toEqual(['fit', 'holdout']);
    expect(Object.keys(both.evalHistory).sort()).toEqual(['fit', 'holdout']);
    expect(both.evalHistory.fit!.l2!.at(-1)!).toBeLessThan(both.evalHistory.fit!.l2![0]!);
    using onlyTrain = await Booster.train(base, train, { numBoostRound: 20, validSets: [train], earlyStoppingRounds: 1 });
    expect(onlyTrain.bestIteration).toBe(0);
    expect(onlyTrain.currentIteration()).toBe(20);
    await expect(Booster.train(base, train, { validSets: [new Dataset(Xva, { rows: 600, cols: COLS, label: yva })] })).rejects.toThrow(
      'Validation set 0 given to Booster.train must be created with { reference: trainSet } so that it shares the training bins.',
    );
  });

  test('training runs off the JS thread: timers fire while it trains', async () => {
    const big = regressionData(20000, 3);
    using train = new Dataset(big.X, { rows: 20000, cols: COLS, label: big.y });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = Date.now();
    using booster = await Booster.train({ ...base, num_leaves: 63 }, train, { numBoostRound: 60 });
    clearInterval(timer);
    const elapsed = Date.now() - t0;
    expect(booster.currentIteration()).toBe(60);
    // A blocked event loop would give ~0 ticks; allow for a slow, busy machine.
    expect(ticks).toBeGreaterThan(Math.min(20, elapsed / 20));
  });

  test('an aborted signal stops training between iterations with AbortError', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    const controller = new AbortController();
    let last = 0;
    const promise = Booster.train(base, train, {
      numBoostRound: 10_000,
      signal: controller.signal,
      onIteration: ({ iteration }) => {
        last = iteration;
        if (iteration === 3) controller.abort();
      },
    });
    await expect(promise).rejects.toThrow(AbortError);
    await expect(promise).rejects.toThrow('Training was aborted');
    expect(last).toBe(3);
    // An already aborted signal never starts.
    await expect(Booster.train(base, train, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });

  test('prediction types: contributions sum to the raw score, leaves are integers', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    using booster = await Booster.train(base, train, { numBoostRound: 20 });
    const rows = 50;
    const Xs = Xva.subarray(0, rows * COLS);
    const raw = booster.predictSync(Xs, { rows, cols: COLS, type: 'raw' });
    const contrib = await booster.predict(Xs, { rows, cols: COLS, type: 'contrib' });
    expect(contrib).toHaveLength(rows * (COLS + 1));
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j <= COLS; j++) sum += contrib[i * (COLS + 1) + j]!;
      expect(sum).toBeCloseTo(raw[i]!, 9);
    }
    const leaves = booster.predictSync(Xs, { rows, cols: COLS, type: 'leaf' });
    expect(leaves).toHaveLength(rows * 20);
    expect(leaves.every((v) => Number.isInteger(v) && v >= 0 && v < 31)).toBe(true);
    // Column-major input gives the same answer.
    const colMajor = new Float64Array(rows * COLS);
    for (let i = 0; i < rows; i++) for (let j = 0; j < COLS; j++) colMajor[j * rows + i] = Xs[i * COLS + j]!;
    expect(booster.predictSync(colMajor, { rows, cols: COLS, layout: 'column', type: 'raw' })).toEqual(raw);
    // Float32 input works too.
    const f32 = booster.predictSync(Float32Array.from(Xs), { rows, cols: COLS });
    expect(f32).toHaveLength(rows);
  });

  test('predictRow (single-row fast path) equals batch prediction, for each type', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    using booster = await Booster.train(base, train, { numBoostRound: 30 });
    const batch = booster.predictSync(Xva.subarray(0, 20 * COLS), { rows: 20, cols: COLS });
    for (let i = 0; i < 20; i++) {
      const row = Xva.subarray(i * COLS, (i + 1) * COLS);
      expect(booster.predictRow(row)).toBe(batch[i]);
      expect(booster.predictRow(Array.from(row))).toBe(batch[i]);
    }
    const contribBatch = booster.predictSync(Xva.subarray(0, COLS), { rows: 1, cols: COLS, type: 'contrib' });
    expect(Array.from(booster.predictRow(Xva.subarray(0, COLS), { type: 'contrib' }) as Float64Array)).toEqual(Array.from(contribBatch));
    expect(() => booster.predictRow([1, 2, 3])).toThrow("The 'row' argument of Booster.predictRow must hold 6 values (one per feature). Got 3.");
  });

  test('feature importance and names', async () => {
    const featureNames = ['spend', 'season', 'audience', 'competition', 'noise_a', 'noise_b'];
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain), featureNames });
    using booster = await Booster.train(base, train, { numBoostRound: 30 });
    expect(booster.featureNames()).toEqual(featureNames);
    const gain = booster.featureImportance('gain');
    const split = booster.featureImportance('split');
    expect(gain).toHaveLength(COLS);
    expect(split.every(Number.isInteger)).toBe(true);
    // x0 carries the most signal.
    expect(gain.indexOf(Math.max(...gain))).toBe(0);
    expect(gain[0]!).toBeGreaterThan(gain[4]! * 10);
  });

  test('categorical features by name', async () => {
    const rows = 2000;
    const r = new SeededRandom(5);
    const X = new Float64Array(rows * 2);
    const yy = new Float64Array(rows);
    const effect = [5, -3, 0, 8];
    for (let i = 0; i < rows; i++) {
      const c = Math.floor(r.next() * 4);
      X[i * 2] = c;
      X[i * 2 + 1] = r.normal();
      yy[i] = effect[c]! + X[i * 2 + 1]! + 0.1 * r.normal();
    }
    using train = new Dataset(X, { rows, cols: 2, label: yy, featureNames: ['channel', 'x'], categoricalFeatures: ['channel'] });
    using booster = await Booster.train({ ...base, min_data_per_group: 10 }, train, { numBoostRound: 50 });
    expect(booster.toModelString()).toContain('num_cat=');
    const p = booster.predictSync(new Float64Array([3, 0, 1, 0]), { rows: 2, cols: 2 });
    expect(p[0]!).toBeCloseTo(8, 0);
    expect(p[1]!).toBeCloseTo(-3, 0);
  });

  test('model string and file round trips predict identically; save is atomic', async () => {
    using train = new Dataset(Xtr, { rows: nTrain, cols: COLS, label: y.subarray(0, nTrain) });
    using booster = await Booster.train(base, train, { numBoostRound: 25 });
    const expected = booster.predictSync(Xva, { rows: 600, cols: COLS });
    using fromString = Booster.fromModelString(booster.toModelString());
    expect(fromString.predictSync(Xva, { rows: 600, cols: COLS })).toEqual(expected);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgb-'));
    const file = path.join(dir, 'model.txt');
    booster.save(file);
    expect(fs.readdirSync(dir)).toEqual(['model.txt']);
    using loaded = Booster.load(file);
    expect(loaded.predictSync(Xva, { rows: 600, cols: COLS })).toEqual(expected);
    expect(loaded.numFeatures()).toBe(COLS);
    fs.writeFileSync(file, 'not a model');
    expect(() => Booster.load(file)).toThrow(NativeError);
    expect(() => Booster.load(file)).toThrow(`${file}: `);
    expect(() => Booster.load(path.join(dir, 'missing.txt'))).toThrow(/Booster.load could not read '.*missing.txt'/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('dispose', () => {
  const { X, y } = regressionData(500, 2);

  test('double dispose is a no-op; use after dispose is a DisposedError', async () => {
    const train = new Dataset(X, { rows: 500, cols: COLS, label: y });
    const booster = await Booster.train(base, train, { numBoostRound: 5 });
    booster.dispose();
    booster.dispose();
    expect(booster.disposed).toBe(true);
    expect(() => booster.predictSync(X, { rows: 500, cols: COLS })).toThrow(DisposedError);
    expect(() => booster.predictRow(X.subarray(0, COLS))).toThrow('Booster has been disposed');
    await expect(booster.predict(X, { rows: 500, cols: COLS })).rejects.toThrow('Booster has been disposed');
    train.dispose();
    expect(() => train.numData()).toThrow('Dataset has been disposed');
  });

  test('disposing the training Dataset does not break a booster kept for training', async () => {
    const train = new Dataset(X, { rows: 500, cols: COLS, label: y });
    using booster = await Booster.train(base, train, { numBoostRound: 5, keepTrainingBooster: true });
    train.dispose();
    // The native dataset stays alive as long as the booster needs it.
    expect(binding().boosterUpdateOneIter((booster as unknown as { handle: never }).handle)).toBe(false);
    expect(booster.currentIteration()).toBe(6);
  });

  test('layer 1 rejects a wrong-kind handle with a ParameterError and a disposed one with a DisposedError', async () => {
    const b = binding();
    const train = new Dataset(X, { rows: 500, cols: COLS, label: y }).construct();
    const ds = train.nativeHandle;
    const booster = b.boosterCreate(ds, 'objective=regression verbosity=-1');
    const err = expectKdapError(() => b.boosterGetNumFeature(ds as never), 'ERR_KDAP_PARAMETER', "The 'booster' argument must be a Booster handle. Got another kind of handle.");
    expect(err).toBeInstanceOf(ParameterError);
    expect(err).toBeInstanceOf(KdapError);
    expect(err).toMatchObject({ parameter: 'booster' });
    expectKdapError(() => b.datasetGetNumData(booster as never), 'ERR_KDAP_PARAMETER', "The 'dataset' argument must be a Dataset handle. Got another kind of handle.");
    expect(b.boosterFree(booster)).toBe(true);
    expect(b.boosterFree(booster)).toBe(false);
    expect(expectKdapError(() => b.boosterGetNumFeature(booster), 'ERR_KDAP_DISPOSED', 'Booster has been disposed')).toBeInstanceOf(DisposedError);
    train.dispose();
    expectKdapError(() => b.datasetGetNumData(ds), 'ERR_KDAP_DISPOSED', 'Dataset has been disposed');
  });
});

describe('bad input gets typed errors', () => {
  const { X, y } = regressionData(100, 4);

  test('Dataset shape and option errors name the option', () => {
    expect(() => new Dataset(X, { rows: 99, cols: COLS, label: y })).toThrow(
      new ParameterError('data', "The 'data' argument of Dataset must hold rows * cols = 99 * 6 = 594 values. Got 600."),
    );
    expect(() => new Dataset(X, { rows: 100.5, cols: COLS, label: y })).toThrow("The 'rows' option of Dataset must be an integer >= 1. Got 100.5.");
    expect(() => new Dataset([1, 2] as never, { rows: 1, cols: 2 })).toThrow("The 'data' argument of Dataset must be a Float64Array or Float32Array. Got [1,2].");
    expect(() => new Dataset(X, { rows: 100, cols: COLS, label: y.subarray(1) })).toThrow("The 'label' option of Dataset must have one value per row (100). Got 99.");
    const badLabel = Float64Array.from(y);
    badLabel[7] = NaN;
    expect(() => new Dataset(X, { rows: 100, cols: COLS, label: badLabel })).toThrow("The 'label' option of Dataset must hold finite numbers. Got NaN at row 7.");
    expect(() => new Dataset(X, { rows: 100, cols: COLS, labels: y } as never)).toThrow("Dataset has no option 'labels'. Did you mean 'label'?");
    expect(() => new Dataset(X, { rows: 100, cols: COLS, categoricalFeatures: [9] })).toThrow(ParameterError);
    expect(() => new Dataset(X, { rows: 100, cols: COLS, params: { max_bn: 10 } })).toThrow("Unknown LightGBM parameter 'max_bn' given to Dataset. Did you mean 'max_bin'?");
  });

  test('training and prediction option errors', async () => {
    using train = new Dataset(X, { rows: 100, cols: COLS, label: y });
    await expect(Booster.train({ ...base, num_leavs: 3 }, train)).rejects.toThrow("Unknown LightGBM parameter 'num_leavs' given to Booster.train. Did you mean 'num_leaves'?");
    await expect(Booster.train({ ...base, num_leaves: 31, max_leaves: 15 }, train)).rejects.toThrow("The LightGBM parameter 'num_leaves' is given twice to Booster.train, as 'num_leaves' and as 'max_leaves'. Keep one.");
    await expect(Booster.train({ ...base, learning_rate: NaN }, train)).rejects.toThrow("The 'learning_rate' parameter of Booster.train must be a finite number. Got NaN.");
    await expect(Booster.train({ ...base, objective: 'regresion' }, train)).rejects.toThrow(new NativeError('Unknown objective type name: regresion', { library: 'LightGBM', returnCode: -1 }));
    await expect(Booster.train(base, train, { numBoostRound: 0 })).rejects.toThrow("The 'numBoostRound' option of Booster.train must be an integer >= 1. Got 0.");
    using unlabeled = new Dataset(X, { rows: 100, cols: COLS });
    await expect(Booster.train(base, unlabeled)).rejects.toThrow('has no label');
    using booster = await Booster.train(base, train, { numBoostRound: 2 });
    expect(() => booster.predictSync(X, { rows: 100, cols: 5 })).toThrow(ParameterError);
    expect(() => booster.predictSync(X.subarray(0, 60), { rows: 10, cols: COLS, type: 'probability' as never })).toThrow("The 'type' option of Booster.predict must be one of 'normal', 'raw', 'leaf', 'contrib'. Got \"probability\".");
    expect(() => booster.featureImportance('cover' as never)).toThrow(ParameterError);
  });

  test('NativeError carries library, function and the JS call site for async failures', async () => {
    using train = new Dataset(X, { rows: 100, cols: COLS, label: y });
    const err = (await Booster.train({ ...base, objective: "nope" }, train).then(() => null, (e: unknown) => e)) as NativeError;
    expect(err).toBeInstanceOf(NativeError);
    expect(err.library).toBe('LightGBM');
    expect(err.function).toBe('LGBM_BoosterCreate');
    expect(err.stack).toContain('booster.test.ts');
  });

  test('the logger receives whole LightGBM lines', async () => {
    const lines: string[] = [];
    setLogger((l) => lines.push(l));
    try {
      using train = new Dataset(X, { rows: 100, cols: COLS, label: y });
      using booster = await Booster.train({ ...base, verbosity: 1 }, train, { numBoostRound: 3 });
      await new Promise((r) => setTimeout(r, 50));
      expect(booster.currentIteration()).toBe(3);
      expect(lines.some((l) => l.startsWith('[LightGBM] [Info] Total Bins'))).toBe(true);
      expect(lines.every((l) => !l.endsWith('\n'))).toBe(true);
    } finally {
      setLogger(null);
    }
    expect(() => setLogger('console' as never)).toThrow('setLogger needs a function or null');
  });
});

describe('contributions (SHAP) after further training', () => {
  // LightGBM 4.7.0 computes each tree's depth for SHAP only on a booster's first contribution
  // prediction; trees trained afterwards failed a CHECK inside an OpenMP loop, which aborted the
  // process (Python's lightgbm too). Two build patches fix it (scripts/build-lightgbm.mjs:
  // tree-max-depth-on-split, omp-rethrow-once). Without them this test kills the jest worker.
  test('a booster predicts contributions, trains on, and predicts them again, as a fresh copy does', () => {
    const b = binding();
    const { X, y } = regressionData(400, 21);
    const ds = b.datasetCreateFromMat(X, 400, COLS, true, 'verbosity=-1', null);
    b.datasetSetField(ds, 'label', Float32Array.from(y));
    const booster = b.boosterCreate(ds, 'objective=regression verbosity=-1 num_threads=2 seed=1');
    try {
      b.boosterUpdateOneIter(booster);
      const first = b.boosterPredictForMat(booster, X, 400, COLS, true, 3, 0, -1, '');
      for (let i = 0; i < 5; i++) b.boosterUpdateOneIter(booster);
      const again = b.boosterPredictForMat(booster, X, 400, COLS, true, 3, 0, -1, '');
      const fresh = b.boosterLoadModelFromString(b.boosterSaveModelToString(booster, 0, -1, 0));
      try {
        expect(Array.from(again)).toEqual(Array.from(b.boosterPredictForMat(fresh.booster, X, 400, COLS, true, 3, 0, -1, '')));
      } finally {
        b.boosterFree(fresh.booster);
      }
      // The contributions still add up to the raw score, and moved with the new trees.
      const raw = b.boosterPredictForMat(booster, X, 400, COLS, true, 1, 0, -1, '');
      for (let i = 0; i < 400; i += 37) {
        let sum = 0;
        for (let j = 0; j <= COLS; j++) sum += again[i * (COLS + 1) + j]!;
        expect(sum).toBeCloseTo(raw[i]!, 10);
      }
      expect(Array.from(again)).not.toEqual(Array.from(first));
      // Rolled back and retrained: the same holds.
      b.boosterRollbackOneIter(booster);
      b.boosterUpdateOneIter(booster);
      expect(b.boosterPredictForMat(booster, X, 400, COLS, true, 3, 0, -1, '')).toHaveLength(400 * (COLS + 1));
    } finally {
      b.boosterFree(booster);
      b.datasetFree(ds);
    }
  });
});
