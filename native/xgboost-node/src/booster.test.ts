import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AbortError, DisposedError, NativeError } from '@kdap/errors';
import { expectKdapError, tabularProblem } from '@kdap/test-support';
import { Booster, parseEvalString, type IterationInfo } from './booster';
import { binding } from './binding';
import { DMatrix, type FeatureType } from './dmatrix';
import { setLogger as setXgbLogger, setVerbosity } from './library';
import type { Params } from './params';
import { argError, paramError } from './testing/matchers';

const train = tabularProblem(2000, 6, 21);
const valid = tabularProblem(500, 6, 22);
const binaryParams = { objective: 'binary:logistic', eval_metric: ['logloss', 'auc'], max_depth: 3, eta: 0.3, nthread: 2, seed: 1 };


let dtrain: DMatrix;
let dvalid: DMatrix;
beforeAll(() => {
  dtrain = new DMatrix(train.x, { rows: train.rows, cols: train.cols, label: train.yBinary });
  dvalid = new DMatrix(valid.x, { rows: valid.rows, cols: valid.cols, label: valid.yBinary });
});
afterAll(() => {
  dtrain.dispose();
  dvalid.dispose();
});

describe('Booster.train', () => {
  it('trains off the JS thread, reports each round and records the metric history', async () => {
    const seen: IterationInfo[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    using booster = await Booster.train(binaryParams, dtrain, {
      numBoostRound: 15,
      evals: [[dtrain, 'train'], [dvalid, 'valid']],
      onIteration: (info) => seen.push(info),
    });
    clearInterval(timer);
    expect(booster.numBoostedRounds).toBe(15);
    expect(booster.numFeatures).toBe(6);
    expect(booster.bestIteration).toBe(14);
    expect(booster.bestScore).toBeUndefined();
    expect(seen.map((s) => s.iteration)).toEqual([...Array(15).keys()]);
    expect(seen[0]!.evals.map((e) => `${e.dataName}-${e.metric}`)).toEqual(['train-logloss', 'train-auc', 'valid-logloss', 'valid-auc']);
    expect(Object.keys(booster.evalsResult)).toEqual(['train', 'valid']);
    expect(booster.evalsResult['valid']!['logloss']).toHaveLength(15);
    const trainLoss = booster.evalsResult['train']!['logloss']!;
    expect(trainLoss[14]!).toBeLessThan(trainLoss[0]!);
    expect(ticks).toBeGreaterThan(0); // the event loop ran while rounds trained
  });

  it('stops early with the semantics of the Python package and keeps every round', async () => {
    using booster = await Booster.train({ ...binaryParams, eval_metric: 'logloss', eta: 0.8, max_depth: 6 }, dtrain, {
      numBoostRound: 200,
      evals: [[dtrain, 'train'], [dvalid, 'valid']],
      earlyStoppingRounds: 5,
    });
    const history = booster.evalsResult['valid']!['logloss']!;
    const best = history.indexOf(Math.min(...history));
    expect(booster.bestIteration).toBe(best);
    expect(booster.bestScore).toBe(history[best]);
    expect(history).toHaveLength(best + 6);
    expect(booster.numBoostedRounds).toBe(best + 6);
    expect(booster.getAttr('best_iteration')).toBe(String(best));
    expect(booster.getAttr('best_ntree_limit')).toBe(String(best + 1));
    const reloaded = Booster.fromBuffer(booster.toBuffer('ubj'));
    expect([reloaded.bestIteration, reloaded.bestScore]).toEqual([best, history[best]]);
    reloaded.dispose();
  });

  it('maximizes auc when early stopping on it', async () => {
    using booster = await Booster.train({ ...binaryParams, eval_metric: ['logloss', 'auc'], eta: 1, max_depth: 8 }, dtrain, {
      numBoostRound: 100,
      evals: [[dvalid, 'valid']],
      earlyStoppingRounds: 4,
    });
    const auc = booster.evalsResult['valid']!['auc']!;
    expect(booster.bestScore).toBe(Math.max(...auc));
    expect(booster.bestIteration).toBe(auc.indexOf(Math.max(...auc)));
    expect(auc.length).toBe(booster.bestIteration + 5);
  });

  it('stops between rounds on an AbortSignal and frees the booster', async () => {
    const controller = new AbortController();
    const rounds: number[] = [];
    const pending = Booster.train(binaryParams, dtrain, {
      numBoostRound: 1000,
      onIteration: ({ iteration }) => {
        rounds.push(iteration);
        if (iteration === 2) controller.abort(new Error('enough'));
      },
      signal: controller.signal,
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ message: 'Booster.train was aborted', cause: new Error('enough') });
    expect(rounds).toEqual([0, 1, 2]);
    await expect(Booster.train(binaryParams, dtrain, { signal: controller.signal })).rejects.toThrow(AbortError);
  });

  it('with early stopping (rounds do not wait for the verdict), reports no round trained after an abort or a failed onIteration reached the loop', async () => {
    // onIteration holds this thread 40 ms at round 2, so the native loop trains more rounds meanwhile.
    const hold = () => {
      const until = performance.now() + 40;
      while (performance.now() < until);
    };
    const controller = new AbortController();
    const aborted: number[] = [];
    const abortedAt = Booster.train(binaryParams, dtrain, {
      numBoostRound: 1000,
      evals: [[dvalid, 'valid']],
      earlyStoppingRounds: 500,
      signal: controller.signal,
      onIteration: ({ iteration }) => {
        aborted.push(iteration);
        if (iteration === 2) {
          hold();
          controller.abort(new Error('enough'));
        }
      },
    });
    await expect(abortedAt).rejects.toThrow(AbortError);
    expect(aborted).toEqual([0, 1, 2]);
    const failed: number[] = [];
    const failedAt = Booster.train(binaryParams, dtrain, {
      numBoostRound: 1000,
      evals: [[dvalid, 'valid']],
      earlyStoppingRounds: 500,
      onIteration: ({ iteration }) => {
        failed.push(iteration);
        if (iteration === 2) {
          hold();
          throw new Error('progress display failed');
        }
      },
    });
    await expect(failedAt).rejects.toThrow('progress display failed');
    expect(failed).toEqual([0, 1, 2]);
  });

  it('rejects with NativeError carrying the XGBoost message and the JS call site', async () => {
    const error = (await Booster.train({ objective: 'binary:nonsense' }, dtrain, { numBoostRound: 2 }).catch((e: unknown) => e)) as NativeError;
    expect(error).toBeInstanceOf(NativeError);
    expect(error).toMatchObject({ library: 'XGBoost', returnCode: -1, function: 'XGBoosterUpdateOneIter' });
    expect(error.message).toMatch(/Unknown objective function: `binary:nonsense`/);
    expect(error.stack).toMatch(/booster\.test\.ts/);
    const unlabeled = new DMatrix(train.x, { rows: train.rows, cols: train.cols });
    await expect(Booster.train(binaryParams, unlabeled, { numBoostRound: 1 })).rejects.toThrow(NativeError);
    unlabeled.dispose();
  });

  it('fails with DisposedError when the training matrix is disposed mid-training', async () => {
    const d = new DMatrix(train.x, { rows: train.rows, cols: train.cols, label: train.yBinary });
    const pending = Booster.train(binaryParams, d, { numBoostRound: 50, onIteration: ({ iteration }) => iteration === 1 && d.dispose() });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DisposedError);
    expect(error).toMatchObject({ code: 'ERR_KDAP_DISPOSED', what: 'DMatrix' });
  });

  it('validates its options with one message shape', async () => {
    await expect(Booster.train(binaryParams, dtrain, { numBoostRounds: 3 } as never)).rejects.toThrow(
      paramError('numBoostRounds', "Booster.train has no option 'numBoostRounds'. Did you mean 'numBoostRound'? Known options: numBoostRound, evals, earlyStoppingRounds, maximize, onIteration, signal, keepBestPredictions."),
    );
    await expect(Booster.train(binaryParams, dtrain, { earlyStoppingRounds: 3 })).rejects.toThrow(
      paramError('earlyStoppingRounds', "The 'earlyStoppingRounds' option of Booster.train needs at least one evaluation set in 'evals'."),
    );
    await expect(Booster.train(binaryParams, dtrain, { evals: [[dvalid, 'valid-set']] })).rejects.toThrow(
      paramError('evals', "The 'evals' option of Booster.train needs names without whitespace, '-' or ':'. Got 'valid-set' at index 0."),
    );
    await expect(Booster.train(binaryParams, dtrain, { numBoostRound: -1 })).rejects.toThrow(
      paramError('numBoostRound', "The 'numBoostRound' option of Booster.train must be an integer >= 0. Got -1."),
    );
    await expect(Booster.train({ eta: NaN }, dtrain)).rejects.toThrow(
      paramError('eta', "The 'eta' parameter of XGBoost must be a string, finite number or boolean. Got NaN."),
    );
    await expect(Booster.train(binaryParams, {} as DMatrix)).rejects.toThrow(
      paramError('dtrain', "The 'dtrain' argument of Booster.train must be a DMatrix. Got {}."),
    );
  });

  it('parses XGBoost evaluation text', () => {
    expect(parseEvalString('[12]\ttrain-logloss:0.25\tvalid-error@0.7:0.125\n')).toEqual([
      { dataName: 'train', metric: 'logloss', value: 0.25 },
      { dataName: 'valid', metric: 'error@0.7', value: 0.125 },
    ]);
  });
});

describe('Booster prediction', () => {
  let booster: Booster;
  beforeAll(async () => {
    booster = await Booster.train(binaryParams, dtrain, { numBoostRound: 20 });
  });
  afterAll(() => booster.dispose());
  const opts = { rows: valid.rows, cols: valid.cols };

  it('predicts the same sync and async, from Float32 and Float64 data', async () => {
    const sync = booster.predictSync(valid.x, opts);
    expect(sync).toHaveLength(valid.rows);
    expect(await booster.predict(valid.x, opts)).toEqual(sync);
    expect(await booster.predict(Float64Array.from(valid.x), opts)).toEqual(sync);
    expect(Math.min(...sync)).toBeGreaterThan(0);
    expect(Math.max(...sync)).toBeLessThan(1);
  });

  it('predicts a large input (its async copy 2 MiB-aligned, huge pages advised) as predictSync does', async () => {
    // 180,000 x 6 float64 = 8.6 MB and 4.3 MB as float32: both over the 4 MiB where the copy changes.
    const rows = 180_000;
    const big = new Float64Array(rows * valid.cols);
    for (let i = 0; i < big.length; i++) big[i] = valid.x[i % valid.x.length]! + (i % 7) * 0.01;
    for (const data of [big, Float32Array.from(big)]) {
      const sync = booster.predictSync(data, { rows, cols: valid.cols });
      expect(await booster.predict(data, { rows, cols: valid.cols })).toEqual(sync);
    }
  });

  it('reuses large input copies without mixing up concurrent calls, and keeps at most 64 MiB of them', async () => {
    // 5 different 4.3 MB float32 inputs in flight at once: each async call needs its own copy.
    const rows = 180_000;
    const inputs = [0, 1, 2, 3, 4].map((k) => {
      const x = new Float32Array(rows * valid.cols);
      for (let i = 0; i < x.length; i++) x[i] = valid.x[(i + k * 7) % valid.x.length]! + k * 0.05;
      return x;
    });
    const expected = inputs.map((x) => booster.predictSync(x, { rows, cols: valid.cols }));
    for (let round = 0; round < 2; round++) {
      // The second round reads through buffers the first one filled with other data.
      const got = await Promise.all(inputs.map((x) => booster.predict(x, { rows, cols: valid.cols })));
      got.forEach((p, k) => expect(p).toEqual(expected[k]));
    }
    expect(expected[0]).not.toEqual(expected[1]);
    const idle = binding().idleInputBytes();
    expect(idle).toBeGreaterThanOrEqual(5 * 4 * 1024 * 1024); // all five kept: 5 x 6 MiB (2 MiB pages)
    await booster.predict(inputs[0]!, { rows, cols: valid.cols });
    expect(binding().idleInputBytes()).toBe(idle); // taken and given back, not a sixth buffer
    // A 40 MB input: kept alone within the 64 MiB bound (older buffers freed), never beyond it.
    const bigRows = 10 * rows;
    const big = new Float32Array(bigRows * valid.cols).map((_, i) => inputs[0]![i % inputs[0]!.length]!);
    const bigResult = await booster.predict(big, { rows: bigRows, cols: valid.cols });
    expect(bigResult.subarray(0, rows)).toEqual(expected[0]);
    expect(binding().idleInputBytes()).toBeLessThanOrEqual(64 * 1024 * 1024);
  });

  it('hands large results over as their own arrays, which later calls do not touch', async () => {
    const rows = 40_000; // 160 KB of results: over the size where they stop being copied
    const x = new Float32Array(rows * valid.cols).map((_, i) => valid.x[i % valid.x.length]!);
    const first = booster.predictSync(x, { rows, cols: valid.cols });
    const kept = Float32Array.from(first);
    first.fill(-1);
    const again = await booster.predict(x, { rows, cols: valid.cols });
    expect(again).toEqual(kept);
    expect(booster.predictSync(x, { rows, cols: valid.cols })).toEqual(kept);
    expect(first[0]).toBe(-1);
  });

  it('returns margins, SHAP contributions that add up to them, and iteration ranges', async () => {
    const p = booster.predictSync(valid.x, opts);
    const margin = await booster.predict(valid.x, { ...opts, outputMargin: true });
    const contrib = await booster.predict(valid.x, { ...opts, contributions: true });
    expect(contrib).toEqual(booster.predictSync(valid.x, { ...opts, contributions: true }));
    expect(contrib).toHaveLength(valid.rows * (valid.cols + 1));
    for (let r = 0; r < valid.rows; r++) {
      expect(p[r]!).toBeCloseTo(1 / (1 + Math.exp(-margin[r]!)), 6);
      const sum = contrib.subarray(r * 7, r * 7 + 7).reduce((a, v) => a + v, 0);
      expect(sum).toBeCloseTo(margin[r]!, 4);
    }
    const first5 = booster.predictSync(valid.x, { ...opts, iterationRange: [0, 5] });
    using sliced = booster.slice(0, 5);
    expect(sliced.numBoostedRounds).toBe(5);
    expect(sliced.predictSync(valid.x, opts)).toEqual(first5);
    expect(first5).not.toEqual(p);
  });

  it('treats the configured missing value like NaN', async () => {
    const x = train.x.map((v) => (Number.isNaN(v) ? -999 : v));
    const d = new DMatrix(x, { rows: train.rows, cols: train.cols, label: train.yBinary, missing: -999 });
    using withSentinel = await Booster.train(binaryParams, d, { numBoostRound: 20 });
    d.dispose();
    const vx = valid.x.map((v) => (Number.isNaN(v) ? -999 : v));
    expect(withSentinel.predictSync(vx, { ...opts, missing: -999 })).toEqual(booster.predictSync(valid.x, opts));
    expect(withSentinel.predictSync(vx, opts)).not.toEqual(booster.predictSync(valid.x, opts));
  });

  it('runs many predictions concurrently with the same results', async () => {
    const want = booster.predictSync(valid.x, opts);
    const all = await Promise.all(Array.from({ length: 12 }, () => booster.predict(valid.x, opts)));
    for (const got of all) expect(got).toEqual(want);
  });

  it('rejects wrong shapes and options', async () => {
    expect(() => booster.predictSync(valid.x, { rows: valid.rows * 2, cols: 3 })).toThrow(
      paramError('cols', "The 'cols' option of Booster.predictSync must equal the model's number of features (6). Got 3."),
    );
    await expect(booster.predict(valid.x, { ...opts, iterationRange: [0, 21] })).rejects.toThrow(
      paramError('iterationRange', "The 'iterationRange' option of Booster.predict must be [begin, end) with 0 <= begin < end <= 20 (or [0, 0] for all rounds). Got [0,21]."),
    );
    await expect(booster.predict(valid.x, { ...opts, outputMargin: true, contributions: true })).rejects.toThrow(
      paramError('contributions', "The 'outputMargin' and 'contributions' options of Booster.predict cannot both be set."),
    );
    await expect(booster.predict(valid.x, { ...opts, margin: true } as never)).rejects.toThrow(
      paramError('margin', "Booster.predict has no option 'margin'. Known options: rows, cols, outputMargin, contributions, iterationRange, missing."),
    );
    expect(booster.predictSync(new Float32Array(0), { rows: 0, cols: 6 })).toEqual(new Float32Array(0));
  });
});

describe('Booster model I/O and lifecycle', () => {
  it('saves and loads JSON and UBJSON files, and round-trips toJSON', async () => {
    const named = new DMatrix(train.x, { rows: train.rows, cols: train.cols, label: train.yBinary, featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] });
    using booster = await Booster.train(binaryParams, named, { numBoostRound: 8 });
    named.dispose();
    expect(booster.featureNames).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgb-io-'));
    const want = booster.predictSync(valid.x, { rows: valid.rows, cols: valid.cols });
    for (const file of ['model.json', 'model.ubj']) {
      booster.save(path.join(dir, file));
      const bytes = fs.readFileSync(path.join(dir, file));
      expect(bytes.subarray(0, 2).toString()).toBe(file.endsWith('.json') ? '{"' : '{L');
      using loaded = Booster.load(path.join(dir, file));
      expect(loaded.numBoostedRounds).toBe(8);
      expect(loaded.featureNames).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(loaded.predictSync(valid.x, { rows: valid.rows, cols: valid.cols })).toEqual(want);
    }
    booster.save(path.join(dir, 'forced.bin'), { format: 'ubj' });
    expect(fs.readFileSync(path.join(dir, 'forced.bin')).subarray(0, 2).toString()).toBe('{L');
    const json = booster.toJSON();
    expect((JSON.parse(json) as { learner: { feature_names: string[] } }).learner.feature_names).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(JSON.parse(JSON.stringify({ model: booster }))).toEqual({ model: json });
    using fromJson = Booster.fromJSON(json);
    expect(fromJson.predictSync(valid.x, { rows: valid.rows, cols: valid.cols })).toEqual(want);
    expectKdapError(() => Booster.fromJSON(JSON.parse(json) as string), 'ERR_KDAP_PARAMETER', /^The 'text' argument of Booster.fromJSON must be the model's JSON text \(from toJSON\(\)\)\. Got \{"learner":/);
    expect(() => Booster.fromBuffer(new TextEncoder().encode('{"learner": 1}'))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: missing learner_model_param."),
    );
    // Structurally sound but semantically wrong: XGBoost itself refuses it.
    const wrongType = new TextEncoder().encode(json.replace('"num_nodes":"', '"num_nodes":"x'));
    expect(() => Booster.fromBuffer(wrongType)).toThrow(argError("The 'buf' argument is not a valid XGBoost model: num_nodes is not a number."));
    const badObjective = new TextEncoder().encode(json.replace('"name":"binary:logistic"', '"name":"binary:nonsense"'));
    expect(() => Booster.fromBuffer(badObjective)).toThrow(NativeError);
    fs.rmSync(dir, { recursive: true });
  });

  it('round-trips every kind of model (categorical, multiclass, dart, gblinear, forests, exact) through JSON and UBJSON', async () => {
    const rows = 3000;
    const cols = 3;
    const x = new Float32Array(rows * cols);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const category = r % 7;
      x.set([category, Math.sin(r), (r * 13) % 5], r * cols);
      y[r] = (category === 2 || category === 5 ? 1 : 0) ^ (Math.sin(r) > 0.9 ? 1 : 0);
    }
    const kinds: Params[] = [
      { objective: 'binary:logistic', tree_method: 'hist', max_cat_to_onehot: 1 },
      { objective: 'multi:softprob', num_class: 3, tree_method: 'hist' },
      { objective: 'binary:logistic', booster: 'dart', rate_drop: 0.1 },
      { objective: 'binary:logistic', booster: 'gblinear' },
      { objective: 'binary:logistic', tree_method: 'approx', num_parallel_tree: 3, subsample: 0.5, colsample_bynode: 0.5 },
      { objective: 'reg:squarederror', tree_method: 'exact' },
    ];
    for (const params of kinds) {
      const label = params['num_class'] ? y.map((v, i) => (v + (i % 2)) % 3) : y;
      // XGBoost 3 refuses categorical features for gblinear (no splits) and the exact tree method.
      const numericOnly = params['booster'] === 'gblinear' || params['tree_method'] === 'exact';
      const featureTypes: FeatureType[] = numericOnly ? ['q', 'q', 'int'] : ['c', 'q', 'int'];
      using d = new DMatrix(x, { rows, cols, label, featureTypes });
      using trained = await Booster.train({ nthread: 2, ...params }, d, { numBoostRound: 6 });
      const want = await trained.predict(x, { rows, cols });
      expect(want).toHaveLength(params['num_class'] ? rows * 3 : rows);
      for (const format of ['json', 'ubj'] as const) {
        using loaded = Booster.fromBuffer(trained.toBuffer(format));
        const asyncSame = (await loaded.predict(x, { rows, cols })).every((v, i) => v === want[i]);
        const syncSame = loaded.predictSync(x, { rows, cols }).every((v, i) => v === want[i]);
        expect({ params, format, asyncSame, syncSame }).toEqual({ params, format, asyncSame: true, syncSame: true });
      }
    }
    // The categorical model really has set-based splits, so the model check saw its categories.
    using d = new DMatrix(x, { rows, cols, label: y, featureTypes: ['c', 'q', 'int'] });
    using categorical = await Booster.train({ tree_method: 'hist', max_cat_to_onehot: 1, objective: 'binary:logistic' }, d, { numBoostRound: 2 });
    // (Its JSON holds NaN split conditions, which JSON.parse rejects: hence toJSON returns text.)
    expect(categorical.toJSON()).toMatch(/"categories":\[\d/);
  });

  it('reports feature importance by name like get_score', async () => {
    using booster = await Booster.train(binaryParams, dtrain, { numBoostRound: 10 });
    const weight = booster.featureImportance();
    const gain = booster.featureImportance('total_gain');
    expect(Object.keys(weight).every((k) => /^f[0-5]$/.test(k))).toBe(true);
    expect(Object.keys(gain).sort()).toEqual(Object.keys(weight).sort());
    // f0 and f1 carry most of the signal in the fixture.
    const ranked = Object.entries(gain).sort((a, b) => b[1] - a[1]).map(([k]) => k);
    expect(ranked.slice(0, 2).sort()).toEqual(['f0', 'f1']);
    expect(() => booster.featureImportance('split' as 'gain')).toThrow(
      paramError('type', "The 'type' argument of Booster.featureImportance must be one of weight, gain, cover, total_gain, total_cover. Got \"split\"."),
    );
  });

  it('disposes once, and every later call says so', async () => {
    const booster = await Booster.train(binaryParams, dtrain, { numBoostRound: 2 });
    const pending = booster.predict(valid.x, { rows: valid.rows, cols: valid.cols });
    booster.dispose();
    booster[Symbol.dispose]();
    expect(await pending).toHaveLength(valid.rows); // the in-flight prediction keeps its share
    expect(booster.disposed).toBe(true);
    expect(() => booster.predictSync(valid.x, { rows: valid.rows, cols: valid.cols })).toThrow(new DisposedError('Booster'));
    expect(() => booster.numBoostedRounds).toThrow('Booster has been disposed');
    expect(() => booster.toJSON()).toThrow(DisposedError);
  });
});

describe('setLogger', () => {
  test('XGBoost warnings reach the JS logger; a non-function is refused', async () => {
    const lines: string[] = [];
    setXgbLogger((l) => lines.push(l));
    try {
      setVerbosity(2);
      const x = new Float32Array(300).map((_, i) => Math.sin(i));
      using d = new DMatrix(x, { rows: 100, cols: 3, label: new Float32Array(100).map((_, i) => i % 2) });
      // A parameter XGBoost does not know: it warns "Parameters: { ... } are not used".
      using b = await Booster.train({ objective: 'binary:logistic', not_a_parameter: 1 }, d, { numBoostRound: 2 });
      await new Promise((r) => setTimeout(r, 50));
      expect(b.numBoostedRounds).toBe(2);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => !l.endsWith('\n'))).toBe(true);
    } finally {
      setVerbosity(1);
      setXgbLogger(null);
    }
    expect(() => setXgbLogger('stderr' as never)).toThrow('setLogger needs a function or null. Got "stderr".');
  });
});
