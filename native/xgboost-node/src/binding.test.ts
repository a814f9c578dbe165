import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NativeError } from '@kdap/errors';
import { tabularProblem } from '@kdap/test-support';
import { binding, explainLoadError, type BoosterHandle, type DMatrixHandle } from './binding';
import { argError, disposedError } from './testing/matchers';

const b = binding();

const fx = tabularProblem(300, 4, 11);

function trainedBooster(rounds = 3): { booster: BoosterHandle; dmat: DMatrixHandle } {
  const dmat = b.dmatrixCreateFromDense(fx.x, fx.rows, fx.cols, NaN, -1);
  b.dmatrixSetInfoFromInterface(dmat, 'label', fx.yBinary);
  const booster = b.boosterCreate([dmat]);
  b.boosterSetParam(booster, 'objective', 'binary:logistic');
  b.boosterSetParam(booster, 'max_depth', '3');
  for (let i = 0; i < rounds; i++) b.boosterUpdateOneIter(booster, i, dmat);
  return { booster, dmat };
}

describe('XGBoost layer-1 binding', () => {
  it('reports the version of the XGBoost library it loaded', () => {
    const v = b.version();
    // The headers the addon was built against (build-addon.mjs records their prefix).
    const prefix = fs.readFileSync(path.resolve(__dirname, '..', 'build', 'Release', 'xgboost-prefix.txt'), 'utf8').trim();
    const header = fs.readFileSync(path.join(prefix, 'include', 'xgboost', 'version_config.h'), 'utf8');
    const want = ['MAJOR', 'MINOR', 'PATCH'].map((k) => Number(new RegExp(`XGBOOST_VER_${k} (\\d+)`).exec(header)![1]));
    expect([v.major, v.minor, v.patch]).toEqual(want);
    expect(JSON.parse(b.buildInfo())).toHaveProperty('USE_OPENMP');
  });

  it('creates a DMatrix from Float32 and Float64 data with NaN as missing', () => {
    const f64 = Float64Array.from(fx.x);
    for (const data of [fx.x, f64]) {
      const d = b.dmatrixCreateFromDense(data, fx.rows, fx.cols, NaN, -1);
      expect(b.dmatrixNumRow(d)).toBe(fx.rows);
      expect(b.dmatrixNumCol(d)).toBe(fx.cols);
      b.dmatrixSetInfoFromInterface(d, 'label', fx.yRegression);
      expect(b.dmatrixGetFloatInfo(d, 'label')).toEqual(fx.yRegression);
      b.dmatrixSetInfoFromInterface(d, 'weight', Float64Array.from({ length: fx.rows }, () => 2));
      expect(Array.from(new Set(b.dmatrixGetFloatInfo(d, 'weight')))).toEqual([2]);
      b.dmatrixSetStrFeatureInfo(d, 'feature_name', ['a', 'b', 'c', 'd']);
      expect(b.dmatrixGetStrFeatureInfo(d, 'feature_name')).toEqual(['a', 'b', 'c', 'd']);
      expect(b.dmatrixFree(d)).toBe(true);
      expect(b.dmatrixFree(d)).toBe(false);
    }
  });

  it('rejects wrong types, shapes and lengths with ParameterError before any C call', () => {
    const d = b.dmatrixCreateFromDense(fx.x, fx.rows, fx.cols, NaN, -1);
    expect(() => b.dmatrixCreateFromDense(fx.x, fx.rows, 5, NaN, -1)).toThrow(
      argError("The 'data' argument must hold nrow * ncol = 300 * 5 = 1500 values. Got 1200."),
    );
    expect(() => b.dmatrixCreateFromDense([1, 2] as unknown as Float32Array, 1, 2, NaN, -1)).toThrow(
      argError("The 'data' argument must be a Float32Array or Float64Array. Got an array."),
    );
    expect(() => b.dmatrixCreateFromDense(new Int32Array(4) as unknown as Float32Array, 2, 2, NaN, -1)).toThrow(argError("The 'data' argument must be a Float32Array or Float64Array. Got a Int32Array."));
    expect(() => b.dmatrixCreateFromDense(fx.x, 1.5, fx.cols, NaN, -1)).toThrow(argError("The 'nrow' argument must be an integer. Got 1.5."));
    expect(() => b.dmatrixCreateFromDense(fx.x, fx.rows, fx.cols, Infinity, -1)).toThrow(argError("The 'missing' argument must be NaN or a finite number. Got Infinity."));
    expect(() => b.dmatrixSetInfoFromInterface(d, 'label', new Float32Array(299))).toThrow(argError("The 'data' argument for label must have rows * k values (rows = 300). Got 299."));
    expect(() => b.dmatrixSetInfoFromInterface(d, 'weight', new Float32Array(600))).toThrow(argError("The 'data' argument for weight must have one value per row (300). Got 600."));
    expect(() => b.dmatrixSetInfoFromInterface(d, 'group' as 'label', new Float32Array(300))).toThrow(argError("The 'field' argument must be one of label, weight, base_margin. Got 'group'."));
    expect(() => b.dmatrixSetStrFeatureInfo(d, 'feature_name', ['a'])).toThrow(argError("The 'features' argument must have one entry per column (4). Got 1."));
    expect(() => b.dmatrixSetStrFeatureInfo(d, 'feature_type', ['q', 'q', 'q', 'x'])).toThrow(argError("The 'features[3]' argument must be a feature type (q, i, int, float, c). Got 'x'."));
    expect(() => b.boosterCreate([d, {} as DMatrixHandle])).toThrow(argError("The 'dmats[1]' argument must be a DMatrix handle. Got an object."));
    b.dmatrixFree(d);
  });

  it('tells handle kinds apart by type tag and refuses disposed handles', () => {
    const { booster, dmat } = trainedBooster();
    expect(() => b.boosterUpdateOneIter(booster, 3, booster as unknown as DMatrixHandle)).toThrow(argError("The 'dtrain' argument must be a DMatrix handle. Got another kind of handle."));
    expect(() => b.boosterBoostedRounds(dmat as unknown as BoosterHandle)).toThrow(argError("The 'booster' argument must be a Booster handle. Got another kind of handle."));
    b.dmatrixFree(dmat);
    expect(() => b.boosterUpdateOneIter(booster, 3, dmat)).toThrow(disposedError('DMatrix'));
    // The booster does not need the matrix it was trained on.
    expect(b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN).values).toHaveLength(fx.rows);
    b.boosterFree(booster);
    expect(() => b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN)).toThrow(disposedError('Booster'));
  });

  it('turns library failures into NativeError with XGBGetLastError, sync and async', async () => {
    const dmat = b.dmatrixCreateFromDense(fx.x, fx.rows, fx.cols, NaN, -1);
    b.dmatrixSetInfoFromInterface(dmat, 'label', fx.yBinary);
    const booster = b.boosterCreate([dmat]);
    b.boosterSetParam(booster, 'max_depth', 'deep');
    let caught: unknown;
    try {
      b.boosterUpdateOneIter(booster, 0, dmat);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NativeError);
    expect(caught).toMatchObject({ library: 'XGBoost', returnCode: -1, function: 'XGBoosterUpdateOneIter' });
    expect((caught as Error).message).toMatch(/Invalid Parameter format for max_depth expect int but value='deep'/);
    expect((caught as Error).message).not.toMatch(/Stack trace/);

    // XGBoost 1.7 crashes when a learner whose first configuration failed is trained again, so
    // the binding retires such a booster: every later call fails, sync or async, without a crash.
    const retired = "this Booster is unusable: XGBoosterUpdateOneIter failed before its model was initialized (Invalid Parameter format for max_depth expect int but value='deep'). Create a new Booster with corrected parameters or data.";
    expect(() => b.boosterSetParam(booster, 'max_depth', '3')).toThrow(new NativeError(retired, { library: 'XGBoost', returnCode: -1 }));
    expect(() => b.boosterUpdateOneIterAsync(booster, 0, dmat)).toThrow(
      expect.objectContaining({ name: 'NativeError', library: 'XGBoost', function: 'XGBoosterUpdateOneIter', message: retired }),
    );

    const async = b.boosterCreate([dmat]);
    b.boosterSetParam(async, 'eta', '-1');
    const failed = await b.boosterUpdateOneIterAsync(async, 0, dmat).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(NativeError);
    expect(failed).toMatchObject({ library: 'XGBoost', returnCode: -1, function: 'XGBoosterUpdateOneIter' });
    expect((failed as Error).message).toMatch(/^value -1 for Parameter learning_rate should be greater equal to 0/);
    b.boosterFree(async);

    expect(() => b.boosterLoadModelFromBuffer(booster, new TextEncoder().encode('{"not": "a model"}'))).toThrow(NativeError);
    b.boosterFree(booster);
    b.dmatrixFree(dmat);
  });

  it('validates prediction shapes and iteration ranges against the model', async () => {
    const { booster, dmat } = trainedBooster(3);
    expect(() => b.boosterPredictFromDense(booster, fx.x, fx.rows * 2, fx.cols / 2, 0, 0, 0, NaN)).toThrow(argError("The 'ncol' argument must equal the model's number of features (4). Got 2."));
    expect(() => b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 0, 0, 4, NaN)).toThrow(argError("The 'iterationEnd' argument must be at most the number of boosted rounds (3). Got 4."));
    expect(() => b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 0, 2, 1, NaN)).toThrow(argError("The 'iterationBegin' argument must be less than 'iterationEnd' (1). Got 2."));
    expect(() => b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 2 as 0, 0, 0, NaN)).toThrow(argError("The 'type' argument must be between 0 and 1. Got 2."));
    // Checks that need the model run on the worker for the async variant and still reject typed.
    const fresh = b.boosterCreate([]);
    await expect(b.boosterPredictFromDMatrixAsync(fresh, dmat, 0, 0, 0)).rejects.toThrow(argError('The Booster has no boosted rounds yet: train or load a model before predicting.'));
    expect(() => b.boosterSlice(booster, 0, 5, 1)).toThrow(argError("The 'endLayer' argument must be at most the number of boosted rounds (3). Got 5."));
    expect(b.boosterBoostedRounds(b.boosterSlice(booster, 1, 3, 1))).toBe(2);
    b.boosterFree(fresh);
    b.boosterFree(booster);
    b.dmatrixFree(dmat);
  });

  it('predicts value, margin and contributions consistently', () => {
    const { booster, dmat } = trainedBooster(5);
    const value = b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN);
    const margin = b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 1, 0, 0, NaN);
    const contrib = b.boosterPredictFromDMatrix(booster, dmat, 2, 0, 0);
    expect(value.shape).toEqual([fx.rows]);
    expect(contrib.shape).toEqual([fx.rows, fx.cols + 1]);
    for (let r = 0; r < fx.rows; r++) {
      expect(value.values[r]!).toBeCloseTo(1 / (1 + Math.exp(-margin.values[r]!)), 6);
      let sum = 0;
      for (let c = 0; c <= fx.cols; c++) sum += contrib.values[r * (fx.cols + 1) + c]!;
      expect(sum).toBeCloseTo(margin.values[r]!, 4);
    }
    const fromDMatrix = b.boosterPredictFromDMatrix(booster, dmat, 0, 0, 0);
    expect(fromDMatrix.values).toEqual(value.values);
    b.boosterFree(booster);
    b.dmatrixFree(dmat);
  });

  it('predicts batches of up to 64 rows on the calling thread, bit-identical to the XGBoost thread, following model changes', () => {
    const { booster, dmat } = trainedBooster(3);
    const rowsOf = (from: number, rows: number): Float32Array => fx.x.subarray(from * fx.cols, (from + rows) * fx.cols);
    // 300 rows go to the XGBoost thread (its thread team); 1 to 64 rows are predicted here.
    const all = (type: 0 | 1, begin = 0, end = 0): Float32Array => b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, type, begin, end, NaN).values;
    const small = (from: number, rows: number, type: 0 | 1, begin = 0, end = 0): Float32Array =>
      b.boosterPredictFromDense(booster, rowsOf(from, rows), rows, fx.cols, type, begin, end, NaN).values;
    const threads = (): number => Number(/Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]);
    const value = all(0);
    const threadsBefore = threads();
    const copies = b.smallBatchCopies();
    for (const [from, rows] of [[0, 1], [7, 1], [10, 64], [236, 64], [299, 1]] as const) {
      expect(small(from, rows, 0)).toEqual(value.subarray(from, from + rows));
      expect(small(from, rows, 1)).toEqual(all(1).subarray(from, from + rows));
      expect(small(from, rows, 0, 1, 2)).toEqual(all(0, 1, 2).subarray(from, from + rows));
    }
    // Same checks as the batch path, with the same messages.
    expect(() => b.boosterPredictFromDense(booster, rowsOf(0, 2), 1, fx.cols * 2, 0, 0, 0, NaN)).toThrow(argError("The 'ncol' argument must equal the model's number of features (4). Got 8."));
    expect(() => b.boosterPredictFromDense(booster, rowsOf(0, 1), 1, fx.cols, 0, 0, 4, NaN)).toThrow(argError("The 'iterationEnd' argument must be at most the number of boosted rounds (3). Got 4."));
    expect(b.smallBatchCopies()).toBe(copies + 1); // one copy of the model served them all
    // Training another round changes the model: the next small prediction follows it.
    b.boosterUpdateOneIter(booster, 3, dmat);
    const after = all(0);
    expect(after).not.toEqual(value);
    expect(small(5, 1, 0)).toEqual(after.subarray(5, 6));
    expect(small(0, 1, 0, 0, 4)).toEqual(after.subarray(0, 1));
    expect(b.smallBatchCopies()).toBe(copies + 2);
    // No OpenMP team started on this thread (a team of two would add a thread to the process).
    expect(threads()).toBe(threadsBefore);
    const fresh = b.boosterCreate([]);
    expect(() => b.boosterPredictFromDense(fresh, rowsOf(0, 1), 1, fx.cols, 0, 0, 0, NaN)).toThrow(argError('The Booster has no boosted rounds yet: train or load a model before predicting.'));
    b.boosterFree(fresh);
    b.boosterFree(booster);
    expect(() => b.boosterPredictFromDense(booster, rowsOf(0, 1), 1, fx.cols, 0, 0, 0, NaN)).toThrow(disposedError('Booster'));
    b.dmatrixFree(dmat);
  });

  it('runs concurrent in-place predictions on one booster and copies async inputs', async () => {
    const { booster, dmat } = trainedBooster(10);
    const want = b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN).values;
    const input = Float32Array.from(fx.x);
    const pending = Array.from({ length: 16 }, () => b.boosterPredictFromDenseAsync(booster, input, fx.rows, fx.cols, 0, 0, 0, NaN));
    input.fill(0); // the workers hold their own copy
    b.boosterFree(booster); // and their own share of the booster
    for (const r of await Promise.all(pending)) expect(r.values).toEqual(want);
    b.dmatrixFree(dmat);
  });

  it('saves and loads models as JSON and UBJSON, keeping attributes', () => {
    const { booster, dmat } = trainedBooster(4);
    b.boosterSetAttr(booster, 'best_iteration', '2');
    const want = b.boosterPredictFromDense(booster, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN).values;
    for (const format of ['json', 'ubj'] as const) {
      const bytes = b.boosterSaveModelToBuffer(booster, format);
      expect(bytes[0]).toBe('{'.charCodeAt(0));
      if (format === 'json') expect(JSON.parse(new TextDecoder().decode(bytes))).toHaveProperty('learner');
      const loaded = b.boosterCreate([]);
      b.boosterLoadModelFromBuffer(loaded, bytes);
      expect(b.boosterBoostedRounds(loaded)).toBe(4);
      expect(b.boosterGetAttr(loaded, 'best_iteration')).toBe('2');
      expect(b.boosterGetAttr(loaded, 'nothing')).toBeNull();
      expect(b.boosterPredictFromDense(loaded, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN).values).toEqual(want);
      b.boosterFree(loaded);
    }
    expect(() => b.boosterSaveModelToBuffer(booster, 'deprecated' as 'json')).toThrow(argError("The 'format' argument must be 'json' or 'ubj'. Got 'deprecated'."));
    b.boosterFree(booster);
    b.dmatrixFree(dmat);
  });

  it('refuses truncated, corrupted and deeply nested models before XGBoost reads them', () => {
    const { booster, dmat } = trainedBooster(2);
    const target = b.boosterCreate([]);
    const json = b.boosterSaveModelToBuffer(booster, 'json');
    const ubj = b.boosterSaveModelToBuffer(booster, 'ubj');
    expect(() => b.boosterLoadModelFromBuffer(target, json.subarray(0, json.length - 3))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: truncated JSON."),
    );
    expect(() => b.boosterLoadModelFromBuffer(target, ubj.subarray(0, 200))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: UBJSON length beyond the end of the data."),
    );
    const model = JSON.parse(new TextDecoder().decode(json)) as { learner: { gradient_booster: { model: { trees: Array<Record<string, number[]>> } } } };
    model.learner.gradient_booster.model.trees[1]!['left_children']![0] = 40;
    expect(() => b.boosterLoadModelFromBuffer(target, new TextEncoder().encode(JSON.stringify(model)))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: trees[1] has a child index out of range at node 0."),
    );
    const text = new TextDecoder().decode(json);
    expect(() => b.boosterLoadModelFromBuffer(target, new TextEncoder().encode(text.replace('"id":1,', '"id":0,')))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: tree ids are not 0..num_trees-1 each once."),
    );
    expect(() => b.boosterLoadModelFromBuffer(target, new TextEncoder().encode(text.replace('"num_feature":"4","num_target"', '"num_feature":"2147483647","num_target"')))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: num_feature is out of range (0..67108864)."),
    );
    expect(() => b.boosterLoadModelFromBuffer(target, new TextEncoder().encode(text.replace(/"split_indices":\[\d+/, '"split_indices":[9')))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: trees[0] splits on a feature index out of range at node 0."),
    );
    expect(() => b.boosterLoadModelFromBuffer(target, new TextEncoder().encode('{"a":' + '['.repeat(5000)))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: JSON nested too deeply."),
    );
    expect(() => b.boosterLoadModelFromBuffer(target, new Uint8Array([0x62, 0x69, 0x6e, 0x66]))).toThrow(
      argError("The 'buf' argument is not a valid XGBoost model: expected JSON or UBJSON (a document starting with '{\"' or '{' and a UBJSON marker)."),
    );
    b.boosterLoadModelFromBuffer(target, ubj);
    expect(b.boosterBoostedRounds(target)).toBe(2);
    b.boosterFree(target);
    b.boosterFree(booster);
    b.dmatrixFree(dmat);
  });

  it('computes feature scores of every importance type', () => {
    const { booster, dmat } = trainedBooster(5);
    for (const type of ['weight', 'gain', 'cover', 'total_gain', 'total_cover'] as const) {
      const s = b.boosterFeatureScore(booster, type);
      expect(s.features.length).toBe(s.values.length);
      expect(s.features.every((f) => /^f\d$/.test(f))).toBe(true);
      expect(Math.min(...s.values)).toBeGreaterThan(0);
    }
    expect(() => b.boosterFeatureScore(booster, 'split' as 'gain')).toThrow(argError("The 'importanceType' argument must be one of weight, gain, cover, total_gain, total_cover. Got 'split'."));
    b.boosterFree(booster);
    b.dmatrixFree(dmat);
  });

  it('runs the training loop on the XGBoost thread: rounds, evals, answers, stop() and throws', async () => {
    const dmat = b.dmatrixCreateFromDense(fx.x, fx.rows, fx.cols, NaN, -1);
    b.dmatrixSetInfoFromInterface(dmat, 'label', fx.yBinary);
    const fresh = (): BoosterHandle => {
      const h = b.boosterCreate([dmat]);
      b.boosterSetParam(h, 'objective', 'binary:logistic');
      b.boosterSetParam(h, 'max_depth', '3');
      return h;
    };
    // Without onRound: no stop before the end; the same model as round-by-round training.
    const native = fresh();
    expect(await b.boosterTrainAsync(native, dmat, 5, [], [], null).done).toBe(5);
    const { booster: stepwise } = trainedBooster(5);
    expect(b.boosterPredictFromDense(native, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN)).toEqual(
      b.boosterPredictFromDense(stepwise, fx.x, fx.rows, fx.cols, 0, 0, 0, NaN),
    );
    // onRound sees every round's evaluation, may call the binding synchronously, and stops training.
    const seen: string[] = [];
    const answered = fresh();
    const run = b.boosterTrainAsync(answered, dmat, 50, [dmat], ['train'], (iter, text) => {
      seen.push(text.split('\t')[0]! + ' ' + String(b.boosterBoostedRounds(answered)));
      return iter === 3;
    });
    expect(await run.done).toBe(4);
    expect(seen).toEqual(['[0] 1', '[1] 2', '[2] 3', '[3] 4']);
    // stop() ends training before the next round; a throw rejects with the thrown error.
    const stopped = fresh();
    const run2 = b.boosterTrainAsync(stopped, dmat, 1000, [], [], null);
    run2.stop();
    expect(await run2.done).toBeLessThan(1000);
    const thrown = fresh();
    await expect(b.boosterTrainAsync(thrown, dmat, 10, [], [], () => { throw new Error('from onRound'); }).done).rejects.toThrow('from onRound');
    expect(b.boosterBoostedRounds(thrown)).toBe(1);
    // Library failures reject with NativeError; bad arguments throw before anything runs.
    const bad = fresh();
    b.boosterSetParam(bad, 'objective', 'binary:nonsense');
    await expect(b.boosterTrainAsync(bad, dmat, 3, [], [], null).done).rejects.toMatchObject({ name: 'NativeError', function: 'XGBoosterUpdateOneIter' });
    expect(() => b.boosterTrainAsync(native, dmat, 3, [dmat], [], null)).toThrow(argError("The 'evnames' argument must have one name per DMatrix (1). Got 0."));
    expect(() => b.boosterTrainAsync(native, dmat, 3, [], [], 5 as never)).toThrow(argError("The 'onRound' argument must be a function or null. Got a number."));
    expect(() => b.boosterTrainAsync(dmat as never, dmat, 3, [], [], null)).toThrow(argError("The 'booster' argument must be a Booster handle. Got another kind of handle."));
    // Handles disposed mid-training stay alive until the loop ends.
    const disposed = fresh();
    const run3 = b.boosterTrainAsync(disposed, dmat, 3, [], [], null);
    b.boosterFree(disposed);
    expect(await run3.done).toBe(3);
    for (const h of [native, stepwise, answered, stopped, thrown, bad]) b.boosterFree(h);
    b.dmatrixFree(dmat);
  });

  it('ends the loop itself at the early-stopping point, and onRound no longer holds up the next round', async () => {
    const dmat = b.dmatrixCreateFromDense(fx.x, fx.rows, fx.cols, NaN, -1);
    b.dmatrixSetInfoFromInterface(dmat, 'label', fx.yBinary);
    const other = tabularProblem(300, 4, 12);
    const dvalid = b.dmatrixCreateFromDense(other.x, other.rows, other.cols, NaN, -1);
    b.dmatrixSetInfoFromInterface(dvalid, 'label', other.yBinary);
    const fresh = (): BoosterHandle => {
      const h = b.boosterCreate([dmat, dvalid]);
      for (const [k, v] of [['objective', 'binary:logistic'], ['max_depth', '6'], ['eta', '1'], ['eval_metric', 'logloss']]) b.boosterSetParam(h, k!, v!);
      return h;
    };
    // Python's EarlyStopping over the text's last score (min_delta 0): the stopping round from the
    // scores onRound saw, which must be where the loop ended, onRound never answering true.
    const stopRound = (scores: number[], rounds: number, higherBetter: boolean): number => {
      let best = 0;
      for (let i = 1; i < scores.length; i++) {
        if (higherBetter ? scores[i]! > scores[best]! : scores[i]! < scores[best]!) best = i;
        else if (i - best >= rounds) return i;
      }
      return -1;
    };
    const scores: number[] = [];
    let aheadAt: number | undefined;
    const handle = fresh();
    const run = b.boosterTrainAsync(handle, dmat, 500, [dmat, dvalid], ['train', 'valid'], (iter, text) => {
      scores.push(Number(text.split(':').pop()));
      // Pipelined: while round 0 is answered here, round 1 trains (awaited, the rounds would stay at 1).
      for (let k = 0; k < 2000 && iter === 0 && aheadAt === undefined; k++) if (b.boosterBoostedRounds(handle) > 1) aheadAt = iter;
      return false;
    }, null, 3, 0);
    const trained = await run.done;
    expect(aheadAt).toBe(0);
    const stop = stopRound(scores, 3, false);
    expect(stop).toBeGreaterThan(3);
    expect(trained).toBe(stop + 1);
    expect(scores).toHaveLength(trained);
    expect(b.boosterBoostedRounds(handle)).toBe(trained);
    // Larger is better by the metric's name (-1) or when told (1); an answer of true still ends training.
    const auc = fresh();
    b.boosterSetParam(auc, 'eval_metric', 'auc');
    const aucScores: number[] = [];
    const aucTrained = await b.boosterTrainAsync(auc, dmat, 500, [dvalid], ['valid'], (_i, text) => void aucScores.push(Number(text.split(':').pop())), -1, 2, -1).done;
    expect(aucTrained).toBe(Math.min(500, stopRound(aucScores, 2, true) + 1 || 500));
    const answered = fresh();
    // (Rounds already trained when the answer arrives are finished: how many depends on the load.)
    const afterAnswer = await b.boosterTrainAsync(answered, dmat, 100_000, [dmat], ['train'], (iter) => iter === 1, null, 100_000, 0).done;
    expect(afterAnswer).toBeGreaterThanOrEqual(2);
    expect(afterAnswer).toBeLessThan(100_000);
    expect(() => b.boosterTrainAsync(answered, dmat, 3, [], [], null, null, 2, 0)).toThrow(argError("The 'earlyStoppingRounds' argument needs at least one evaluation DMatrix in 'dmats'."));
    expect(() => b.boosterTrainAsync(answered, dmat, 3, [dmat], ['train'], null, null, 0, 0)).toThrow(argError("The 'earlyStoppingRounds' argument must be between 1 and 2147483647. Got 0."));
    expect(() => b.boosterTrainAsync(answered, dmat, 3, [dmat], ['train'], null, 1, 2, 0)).toThrow(
      argError("The 'bestPredictions' argument and 'earlyStoppingMaximize' must watch the score in the same direction."),
    );
    for (const h of [handle, auc, answered]) b.boosterFree(h);
    b.dmatrixFree(dmat);
    b.dmatrixFree(dvalid);
  });

  it('works inside a worker thread while the main thread trains', async () => {
    const addon = path.resolve(__dirname, '..', 'build', 'Release', 'xgboost_node.node');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const b = require(workerData.addon);
      class WorkerNativeError extends Error { constructor(m, o) { super(m); this.name = 'NativeError'; Object.assign(this, o); } }
      class WorkerParameterError extends Error { constructor(p, m) { super(m); this.name = 'ParameterError'; this.parameter = p; } }
      class WorkerDisposedError extends Error { constructor(w) { super(w + ' has been disposed'); this.name = 'DisposedError'; } }
      b.init({ NativeError: WorkerNativeError, ParameterError: WorkerParameterError, DisposedError: WorkerDisposedError });
      (async () => {
        const x = new Float32Array(workerData.x);
        const y = new Float32Array(workerData.y);
        const d = b.dmatrixCreateFromDense(x, workerData.rows, workerData.cols, NaN, -1);
        b.dmatrixSetInfoFromInterface(d, 'label', y);
        const bst = b.boosterCreate([d]);
        b.boosterSetParam(bst, 'objective', 'binary:logistic');
        for (let i = 0; i < 20; i++) await b.boosterUpdateOneIterAsync(bst, i, d);
        const p = await b.boosterPredictFromDenseAsync(bst, x, workerData.rows, workerData.cols, 0, 0, 0, NaN);
        let err;
        try { b.boosterSetParam(bst, 'max_depth', 'x'); b.boosterUpdateOneIter(bst, 20, d); } catch (e) { err = e.name + ':' + e.function; }
        b.boosterSetParam(bst, 'max_depth', '3'); // a trained booster recovers from a bad parameter
        parentPort.postMessage({ n: p.values.length, err, rounds: b.boosterBoostedRounds(bst) });
      })().catch((e) => parentPort.postMessage({ fail: String(e) }));`;
    const worker = new Worker(code, {
      eval: true,
      workerData: { addon, x: Array.from(fx.x), y: Array.from(fx.yBinary), rows: fx.rows, cols: fx.cols },
    });
    const fromWorker = new Promise<Record<string, unknown>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const { booster, dmat } = trainedBooster(1);
    for (let i = 1; i < 20; i++) await b.boosterUpdateOneIterAsync(booster, i, dmat);
    expect(b.boosterBoostedRounds(booster)).toBe(20);
    expect(await fromWorker).toEqual({ n: fx.rows, err: 'NativeError:XGBoosterUpdateOneIter', rounds: 20 });
    await worker.terminate();
    b.boosterFree(booster);
    b.dmatrixFree(dmat);
  });

  it('survives worker threads terminated mid-training (in a child process, so a crash fails here)', () => {
    const addon = path.resolve(__dirname, '..', 'build', 'Release', 'xgboost_node.node');
    const workerCode = `
      const { parentPort, workerData } = require('node:worker_threads');
      const b = require(workerData.addon);
      const rows = 20000, cols = 10;
      const x = new Float32Array(rows * cols).map((_, i) => Math.sin(i));
      const d = b.dmatrixCreateFromDense(x, rows, cols, NaN, -1);
      b.dmatrixSetInfoFromInterface(d, 'label', new Float32Array(rows).map((_, i) => (x[i * cols] > 0 ? 1 : 0)));
      const bst = b.boosterCreate([d]);
      b.boosterSetParam(bst, 'objective', 'binary:logistic');
      (async () => {
        for (let i = 0; i < 1000; i++) {
          await b.boosterUpdateOneIterAsync(bst, i, d);
          b.boosterPredictFromDenseAsync(bst, x, rows, cols, 0, 0, 0, NaN);
          b.boosterEvalOneIterAsync(bst, i, [d], ['train']);
          if (i === 2) parentPort.postMessage('training');
        }
      })();
      const bst2 = b.boosterCreate([d]);
      b.boosterTrainAsync(bst2, d, 1000, [d], ['train'], () => false);
      b.boosterTrainAsync(b.boosterCreate([d]), d, 1000, [], [], null);`;
    const main = `
      const { Worker } = require('node:worker_threads');
      const addon = ${JSON.stringify(addon)};
      (async () => {
        for (let k = 0; k < 4; k++) {
          const w = new Worker(${JSON.stringify(workerCode)}, { eval: true, workerData: { addon } });
          await new Promise((r) => w.once('message', r));
          await new Promise((r) => setTimeout(r, 20 + 40 * k));
          await w.terminate();
        }
        const b = require(addon);
        const d = b.dmatrixCreateFromDense(new Float32Array(400).map((_, i) => Math.cos(i)), 100, 4, NaN, -1);
        b.dmatrixSetInfoFromInterface(d, 'label', new Float32Array(100).map((_, i) => i % 2));
        const bst = b.boosterCreate([d]);
        for (let i = 0; i < 3; i++) await b.boosterUpdateOneIterAsync(bst, i, d);
        process.stdout.write('rounds ' + b.boosterBoostedRounds(bst));
      })();`;
    const r = spawnSync(process.execPath, ['-e', main], { encoding: 'utf8', timeout: 120_000 });
    expect({ status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, signal: null, stdout: 'rounds 3', stderr: '' });
  });

  it('applies the global configuration on every thread XGBoost runs on (it is thread-local in 1.x)', () => {
    const addon = path.resolve(__dirname, '..', 'build', 'Release', 'xgboost_node.node');
    // Loading a model marked as saved by 1.5 makes XGBoost warn (at verbosity >= 1), on the XGBoost
    // thread; the warning reaches the JS logger, never stderr.
    const script = (verbosity: number) => `
      const b = require(${JSON.stringify(addon)});
      const lines = [];
      b.setLogger((line) => lines.push(line));
      b.setGlobalConfig(JSON.stringify({ verbosity: ${verbosity} }));
      const x = new Float32Array(600).map((_, i) => Math.sin(i * 1.3));
      const d = b.dmatrixCreateFromDense(x, 200, 3, NaN, -1);
      b.dmatrixSetInfoFromInterface(d, 'label', new Float32Array(200).map((_, i) => (x[i * 3] > 0 ? 1 : 0)));
      const bst = b.boosterCreate([d]);
      b.boosterUpdateOneIter(bst, 0, d);
      const old = new TextDecoder().decode(b.boosterSaveModelToBuffer(bst, 'json')).replace(/"version":\\[\\d+,\\d+,\\d+\\]/, '"version":[1,5,0]');
      b.boosterLoadModelFromBuffer(b.boosterCreate([]), new TextEncoder().encode(old));
      setTimeout(() => process.stdout.write(JSON.parse(b.getGlobalConfig()).verbosity + '|' + lines.join('\\n')), 50);`;
    const quiet = spawnSync(process.execPath, ['-e', script(0)], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: quiet.status, stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ status: 0, stdout: '0|', stderr: '' });
    const loud = spawnSync(process.execPath, ['-e', script(1)], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: loud.status, stderr: loud.stderr }).toEqual({ status: 0, stderr: '' });
    expect(loud.stdout).toMatch(/^1\|.*Found JSON model saved before XGBoost 1\.6/s);
  });

  it('explains load failures with the command that fixes them', () => {
    expect(explainLoadError('/x/xgboost_node.node', new Error('libxgboost.so: cannot open shared object file: No such file or directory'))).toBe(
      "Could not load /x/xgboost_node.node: the XGBoost shared library next to it is missing (libxgboost.so: cannot open shared object file: No such file or directory). Rebuild the addon with 'npm run build --workspace native/xgboost-node', which puts libxgboost.so next to the .node file.",
    );
    expect(explainLoadError('/x/a.node', new Error('invalid ELF header'))).toMatch(
      /^Could not load \/x\/a\.node: invalid ELF header\. Build it with 'cd \S+xgboost-node && npm run build'.*apt-get install build-essential cmake libgomp1/,
    );
  });
});

describe('layer-1 coverage', () => {
  // Every C function the addon calls is quoted in binding.ts and declared in the XGBoost header.
  it('quotes each bound C signature in binding.ts and finds it in c_api.h', () => {
    // The addon's sources: addon.cc registers the module, the bindings live in the other .cc files.
    const sources = fs.readdirSync(__dirname).filter((f) => f.endsWith('.cc') || f.endsWith('.h'));
    expect(sources).toContain('addon.cc');
    const addon = sources.map((f) => fs.readFileSync(path.join(__dirname, f), 'utf8')).join('\n');
    const dts = fs.readFileSync(path.join(__dirname, 'binding.ts'), 'utf8');
    const headerDir = path.join(fs.readFileSync(path.resolve(__dirname, '..', 'build', 'Release', 'xgboost-prefix.txt'), 'utf8').trim(), 'include');
    const header = fs.readFileSync(path.join(headerDir, 'xgboost', 'c_api.h'), 'utf8');
    const bound = [...addon.matchAll(/^\/\/ (?:int|void) (XG\w+)\(/gm)].map((m) => m[1]!);
    expect(bound.length).toBeGreaterThanOrEqual(28);
    const called = new Set([...addon.matchAll(/\b(XG\w+)\(/g)].map((m) => m[1]!).filter((fn) => fn !== 'XGBoostThread'));
    for (const fn of called) {
      expect({ fn, declared: new RegExp(`XGB_DLL [\\w ]+\\*?${fn}\\(`).test(header) }).toEqual({ fn, declared: true });
    }
    for (const fn of bound) {
      expect({ fn, quoted: dts.includes(`${fn}(`) }).toEqual({ fn, quoted: true });
    }
  });
});
