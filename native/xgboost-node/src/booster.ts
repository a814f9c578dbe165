import fs from 'node:fs';
import path from 'node:path';
import { AbortError, checkInt, checkKnownOptions, describe, NativeError, ParameterError } from '@kdap/errors';
import { awaitTrainLoop, captureCallSite, checkMatrix, EarlyStopping, NativeResource, withCallSite, type NativeTrainRun } from '@kdap/napi-common';
import { PredictType, binding, type BoosterHandle, type Column, type DenseMatrix, type DMatrixHandle, type ImportanceType } from './binding';
import { DMatrix, checkColumns, type FeatureType } from './dmatrix';
import { numParallelTree, paramEntries, type Params } from './params';

export interface EvalResult {
  /** The evaluation set's name as given in `evals`. */
  dataName: string;
  /** Metric name as XGBoost reports it ('logloss', 'auc', 'rmse', 'error@0.7', ...). */
  metric: string;
  value: number;
}

export interface IterationInfo {
  /** 0-based boosting round just trained (the numbering of `bestIteration`). */
  iteration: number;
  /** Metrics of every evaluation set after this round, in XGBoost's order. */
  evals: EvalResult[];
}

/** Metric history: `evalsResult[dataName][metric][round]`, as XGBoost's Python `evals_result`. */
export type EvalsResult = Record<string, Record<string, number[]>>;

export interface TrainOptions {
  /** Boosting rounds (default 10, as `xgboost.train`). */
  numBoostRound?: number;
  /** Evaluation sets with their names, evaluated after every round; the training matrix may be listed. */
  evals?: ReadonlyArray<readonly [DMatrix, string]>;
  /**
   * Stop when the last metric of the last evaluation set has not improved for this many rounds
   * (Python's `early_stopping_rounds`). The booster keeps every round trained; use
   * `iterationRange: [0, bestIteration + 1]` to predict with the best one.
   */
  earlyStoppingRounds?: number;
  /** Whether larger is better for early stopping (default: inferred from the metric, as in Python). */
  maximize?: boolean;
  /** Called after each round with its evaluation results. */
  onIteration?: (info: IterationInfo) => void;
  /** Stops training between rounds; the promise rejects with AbortError. */
  signal?: AbortSignal;
  /**
   * Keep the predictions of the training matrix and of each `evals` matrix at `bestIteration`
   * (`booster.bestPredictions`), so they need no new prediction: with early stopping the margins
   * are copied from XGBoost's prediction cache in the training loop, at each round that improves
   * the watched score, and the best round's are transformed once by XGBoost; without it they are
   * read from the cache once training ends. Memory: one copy
   * per matrix (float32, rows x output groups) while training and after. Not for the 'dart' and
   * 'gblinear' boosters (their earlier rounds change later); `bestPredictions` is then undefined,
   * as whenever the copy does not belong to `bestIteration`: predict as before.
   */
  keepBestPredictions?: boolean;
}

const TRAIN_OPTIONS = ['numBoostRound', 'evals', 'earlyStoppingRounds', 'maximize', 'onIteration', 'signal', 'keepBestPredictions'] as const;

/**
 * Predictions at the best round, as `predictDMatrix(m, { iterationRange: [0, bestIteration + 1] })`
 * gives them for each matrix (probabilities for binary:logistic; rows x groups, row-major).
 */
export interface BestPredictions {
  /** The 0-based round they belong to: the booster's `bestIteration`. */
  iteration: number;
  /** Predictions of the training matrix. */
  training: Float32Array;
  /** Predictions of each `evals` matrix, in `evals` order (the training matrix's entry is `training`). */
  evals: Float32Array[];
}

export interface PredictOptions {
  rows: number;
  cols: number;
  /** Raw margins (before the objective's transformation, e.g. log-odds for binary:logistic). */
  outputMargin?: boolean;
  /** SHAP contributions: rows x (cols + 1) values per output group, the last column is the bias. */
  contributions?: boolean;
  /** Boosting rounds [begin, end) to use; [0, 0] (default) uses all. */
  iterationRange?: readonly [number, number];
  /** The value that stands for "missing" in `data` (default NaN). */
  missing?: number;
}

const PREDICT_OPTIONS = ['rows', 'cols', 'outputMargin', 'contributions', 'iterationRange', 'missing'] as const;

/** Options of {@link Booster.predictColumns}: those of `predict`, whose shape the columns give. */
export type PredictColumnsOptions = Omit<PredictOptions, 'rows' | 'cols'>;

export type ModelFormat = 'json' | 'ubj';

const IMPORTANCE_TYPES: readonly ImportanceType[] = ['weight', 'gain', 'cover', 'total_gain', 'total_cover'];

/** Metrics where larger is better, as XGBoost's Python EarlyStopping decides. */
const MAXIMIZE_METRICS = ['auc', 'aucpr', 'map', 'ndcg', 'auc@', 'aucpr@', 'map@', 'ndcg@'];

/** Parses "[3]\ttrain-logloss:0.15\tvalid-auc:0.9" into results (data name ends at the first '-'). */
export function parseEvalString(text: string): EvalResult[] {
  const out: EvalResult[] = [];
  for (const item of text.trim().split(/\s+/).slice(1)) {
    const colon = item.lastIndexOf(':');
    const dash = item.indexOf('-');
    if (colon < 0 || dash < 0 || dash > colon) continue;
    out.push({ dataName: item.slice(0, dash), metric: item.slice(dash + 1, colon), value: Number(item.slice(colon + 1)) });
  }
  return out;
}

/** Whether larger is better for early stopping on `metric`, as XGBoost's Python EarlyStopping decides. */
function maximizeMetric(metric: string): boolean {
  return metric !== 'mape' && MAXIMIZE_METRICS.some((m) => metric.startsWith(m));
}

function checkEvals(evals: unknown): ReadonlyArray<readonly [DMatrix, string]> {
  if (evals === undefined) return [];
  if (!Array.isArray(evals)) {
    throw new ParameterError('evals', `The 'evals' option of Booster.train must be an array of [DMatrix, name] pairs. Got ${describe(evals)}.`);
  }
  const names = new Set<string>();
  evals.forEach((e: unknown, i) => {
    if (!Array.isArray(e) || e.length !== 2 || !(e[0] instanceof DMatrix) || typeof e[1] !== 'string') {
      throw new ParameterError('evals', `The 'evals' option of Booster.train must hold [DMatrix, name] pairs. Got ${describe(e)} at index ${i}.`);
    }
    const name = e[1] as string;
    // XGBoost's evaluation text is "name-metric:value" separated by whitespace.
    if (!/^[^\s:-]+$/.test(name)) {
      throw new ParameterError('evals', `The 'evals' option of Booster.train needs names without whitespace, '-' or ':'. Got '${name}' at index ${i}.`);
    }
    if (names.has(name)) throw new ParameterError('evals', `The 'evals' option of Booster.train needs unique names. '${name}' appears twice.`);
    names.add(name);
  });
  return evals as ReadonlyArray<readonly [DMatrix, string]>;
}

/** XGBoost's feature types of columns: 'q' for numeric arrays, 'c' for categorical codes. */
function columnFeatureTypes(columns: readonly Column[]): string[] {
  return columns.map((c) => (c instanceof Float32Array || c instanceof Float64Array ? 'q' : 'c'));
}

/** XGBoost's refusal of in-place prediction for boosters that lack it (gblinear). */
function isInPlaceUnsupported(e: unknown): boolean {
  return e instanceof NativeError && /^XGBoosterPredictFrom(Dense|Columnar)$/.test(e.function ?? '') && /Inplace predict is not supported/i.test(e.message);
}

/**
 * The predictions of `bestIteration` kept for Booster.train: the training loop's copy of the best
 * round with early stopping (undefined unless it is that round), else the prediction cache after
 * the last round (the whole model, a cache hit: no new prediction).
 */
async function keptPredictions(handle: BoosterHandle, dtrain: DMatrix, evals: ReadonlyArray<readonly [DMatrix, string]>, trained: number,
  bestIteration: number | undefined, run: NativeTrainRun<Float32Array>): Promise<BestPredictions | undefined> {
  const b = binding();
  if (bestIteration !== undefined) {
    const sets = run.takeBestPredictions?.(bestIteration);
    if (sets === undefined || sets.length !== evals.length + 1) return undefined;
    const training = sets[0]!;
    return { iteration: bestIteration, training, evals: evals.map(([d], k) => (d === dtrain ? training : sets[k + 1]!)) };
  }
  run.takeBestPredictions?.(-1);
  if (trained === 0) return undefined;
  const cached = async (d: DMatrix): Promise<Float32Array> =>
    d.rows === 0 ? new Float32Array(0) : (await b.boosterPredictFromDMatrixAsync(handle, d.nativeHandle, 0, 0, 0)).values;
  const training = await cached(dtrain);
  const others: Float32Array[] = [];
  for (const [d] of evals) others.push(d === dtrain ? training : await cached(d));
  return { iteration: trained - 1, training, evals: others };
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError('Booster.train was aborted', { cause: signal.reason });
}

/**
 * An XGBoost model. Train with `await Booster.train(params, dtrain, options)` (rounds run off the
 * JS thread), load with `Booster.load(file)` / `Booster.fromBuffer(bytes)`. Predictions run
 * in place on dense data and may run concurrently. Call `dispose()` (or use `using`) when done.
 */
export class Booster extends NativeResource<BoosterHandle> {
  /** 0-based best round: from early stopping, else the last round trained (as Python's `best_iteration`). */
  readonly bestIteration: number;
  /** Score of the best round when early stopping was used (its metric on the last evaluation set). */
  readonly bestScore: number | undefined;
  /** Metric history of training; empty for a loaded model. */
  readonly evalsResult: EvalsResult;
  #bestPredictions: BestPredictions | undefined;
  /** False once XGBoost said this booster has no in-place prediction (gblinear). */
  #inPlace = true;
  /**
   * Rounds and features of the model, read once: no method of this class changes them, and each
   * read is a trip to the XGBoost thread (twice per predictSync of one row, costlier than its rest).
   */
  #shape: { rounds: number; features: number } | undefined;

  /**
   * Predictions of the training and evaluation matrices at `bestIteration`, when trained with
   * `keepBestPredictions` and they could be kept; else undefined. Released by `dispose()`.
   */
  get bestPredictions(): BestPredictions | undefined {
    this.assertLive();
    return this.#bestPredictions;
  }

  protected override onDispose(): void {
    this.#bestPredictions = undefined;
  }

  /** @internal Use `Booster.train`, `Booster.load` or `Booster.fromBuffer`. */
  constructor(handle: BoosterHandle, evalsResult: EvalsResult = {}) {
    super('Booster', (h) => binding().boosterFree(h), handle);
    const attr = (key: string) => binding().boosterGetAttr(handle, key);
    const best = attr('best_iteration');
    const score = attr('best_score');
    this.bestIteration = best !== null ? Number(best) : binding().boosterBoostedRounds(handle) - 1;
    this.bestScore = score !== null ? Number(score) : undefined;
    this.evalsResult = evalsResult;
  }

  /**
   * Trains a model: the boosting rounds run off the JS thread (on the XGBoost thread, without a
   * trip to JS between rounds unless `evals` or `onIteration` need one), evaluating `evals` after
   * each round, reporting through `onIteration` and stopping early or on `signal`. With early
   * stopping no round waits for JS: the native loop stops at the round the stopper names, and
   * `onIteration` sees each round while the next one trains (an abort or a throw there ends
   * training after the round running).
   */
  static async train(params: Params, dtrain: DMatrix, options: TrainOptions = {}): Promise<Booster> {
    const callSite = captureCallSite();
    if (!(dtrain instanceof DMatrix)) {
      throw new ParameterError('dtrain', `The 'dtrain' argument of Booster.train must be a DMatrix. Got ${describe(dtrain)}.`);
    }
    if (options === null || typeof options !== 'object') {
      throw new ParameterError('options', `The 'options' argument of Booster.train must be an object. Got ${describe(options)}.`);
    }
    checkKnownOptions('Booster.train', options, TRAIN_OPTIONS);
    const numBoostRound = options.numBoostRound ?? 10;
    checkInt('Booster.train', 'numBoostRound', numBoostRound, 0);
    const evals = checkEvals(options.evals);
    const { earlyStoppingRounds, maximize, onIteration, signal, keepBestPredictions } = options;
    if (keepBestPredictions !== undefined && typeof keepBestPredictions !== 'boolean') {
      throw new ParameterError('keepBestPredictions', `The 'keepBestPredictions' option of Booster.train must be a boolean. Got ${describe(keepBestPredictions)}.`);
    }
    if (earlyStoppingRounds !== undefined) {
      checkInt('Booster.train', 'earlyStoppingRounds', earlyStoppingRounds, 1);
      if (evals.length === 0) {
        throw new ParameterError('earlyStoppingRounds', "The 'earlyStoppingRounds' option of Booster.train needs at least one evaluation set in 'evals'.");
      }
    }
    if (maximize !== undefined && typeof maximize !== 'boolean') {
      throw new ParameterError('maximize', `The 'maximize' option of Booster.train must be a boolean. Got ${describe(maximize)}.`);
    }
    if (onIteration !== undefined && typeof onIteration !== 'function') {
      throw new ParameterError('onIteration', `The 'onIteration' option of Booster.train must be a function. Got ${describe(onIteration)}.`);
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new ParameterError('signal', `The 'signal' option of Booster.train must be an AbortSignal. Got ${describe(signal)}.`);
    }
    const entries = paramEntries(params);
    if (signal?.aborted) throw abortError(signal);

    const b = binding();
    const handle = b.boosterCreate([dtrain.nativeHandle, ...evals.map(([d]) => d.nativeHandle)]);
    const history: EvalsResult = {};
    let run: NativeTrainRun<Float32Array> | undefined;
    let kept: BestPredictions | undefined;
    try {
      for (const [name, value] of entries) b.boosterSetParam(handle, name, value);
      b.boosterSetParam(handle, 'validate_parameters', '1');
      // As XGBoost's Python Booster: the model takes feature names/types from its training matrix.
      if (dtrain.featureNames) b.boosterSetStrFeatureInfo(handle, 'feature_name', [...dtrain.featureNames]);
      if (dtrain.featureTypes) b.boosterSetStrFeatureInfo(handle, 'feature_type', [...dtrain.featureTypes]);

      // XGBoost's Python EarlyStopping callback: the last metric of the last evaluation set, min_delta 0.
      const stopper =
        earlyStoppingRounds !== undefined
          ? new EarlyStopping<EvalResult>({ rounds: earlyStoppingRounds, higherBetter: (score) => maximize ?? maximizeMetric(score.metric) })
          : undefined;
      const evalNames = evals.map(([, name]) => name);
      // The rounds run in native code (as Python's loop runs in C calls); JS is called between
      // rounds only when it has something to do there, and then decides whether to go on.
      let failure: { error: unknown } | undefined;
      let aborted = false;
      let stoppedEarly = false;
      // With early stopping the loop does not wait for an answer: rounds that trained before an
      // abort or a failure reached it are neither recorded nor reported.
      let ended = false;
      const onRound = (i: number, text: string): boolean => (ended ||= answerRound(i, text));
      const answerRound = (i: number, text: string): boolean => {
        try {
          const results = text ? parseEvalString(text) : [];
          for (const r of results) ((history[r.dataName] ??= {})[r.metric] ??= []).push(r.value);
          onIteration?.({ iteration: i, evals: results });
          if (stopper) {
            const lastData = evalNames[evalNames.length - 1]!;
            const last = results.filter((r) => r.dataName === lastData).pop();
            if (last && stopper.update(i, [last])) return (stoppedEarly = true);
          }
          if (i + 1 < numBoostRound) {
            if (signal?.aborted) return (aborted = true);
            // A matrix disposed meanwhile fails the next round, as a call with its handle would.
            void dtrain.nativeHandle;
            for (const [d] of evals) void d.nativeHandle;
          }
          return false;
        } catch (error) {
          failure = { error };
          return true;
        }
      };
      const perRound = evals.length > 0 || onIteration !== undefined || stopper !== undefined;
      // dart reweights and gblinear refits earlier rounds: their best round's predictions change later.
      const booster = entries.filter(([name]) => name === 'booster').pop()?.[1] ?? 'gbtree';
      const keep = keepBestPredictions === true && booster === 'gbtree';
      // The watched score's direction as the stopper will judge it: maximize, else by the metric's name.
      const direction = maximize === undefined ? -1 : maximize ? 1 : 0;
      const copyAtImprovements = keep && stopper !== undefined ? direction : null;
      // With early stopping the native loop stops where the stopper will (same score, same rule)
      // and no round waits for this thread's verdict: the round trip per round is gone, and work
      // on this thread overlaps the rounds instead of holding them up.
      run = b.boosterTrainAsync(handle, dtrain.nativeHandle, numBoostRound, evals.map(([d]) => d.nativeHandle), evalNames, perRound ? onRound : null,
        copyAtImprovements, earlyStoppingRounds ?? null, direction);
      const trained = await awaitTrainLoop(run, signal, callSite);
      if (failure) throw failure.error;
      if ((aborted || signal?.aborted) && trained < numBoostRound && !stoppedEarly) throw abortError(signal!);
      const best = stopper?.best();
      if (best) {
        // Stored in the model as Python's xgboost.train does, so either side can load them.
        b.boosterSetAttr(handle, 'best_iteration', String(best.iteration));
        b.boosterSetAttr(handle, 'best_score', String(best.value));
        b.boosterSetAttr(handle, 'best_ntree_limit', String((best.iteration + 1) * numParallelTree(params)));
      }
      if (keep) kept = await keptPredictions(handle, dtrain, evals, trained, best?.iteration, run);
    } catch (e) {
      run?.takeBestPredictions?.(-1);
      b.boosterFree(handle);
      throw e;
    }
    const trainedBooster = new Booster(handle, history);
    trainedBooster.#bestPredictions = kept;
    return trainedBooster;
  }

  /** Loads a model saved by `save` or by XGBoost in any language (JSON or UBJSON). */
  static load(file: string): Booster {
    if (typeof file !== 'string' || file.length === 0) {
      throw new ParameterError('file', `The 'file' argument of Booster.load must be a path. Got ${describe(file)}.`);
    }
    return Booster.fromBuffer(new Uint8Array(fs.readFileSync(file)));
  }

  /** Loads a model from the bytes of a JSON or UBJSON model. */
  static fromBuffer(bytes: Uint8Array): Booster {
    if (!(bytes instanceof Uint8Array)) {
      throw new ParameterError('bytes', `The 'bytes' argument of Booster.fromBuffer must be a Uint8Array. Got ${describe(bytes)}.`);
    }
    const b = binding();
    const handle = b.boosterCreate([]);
    try {
      b.boosterLoadModelFromBuffer(handle, bytes);
    } catch (e) {
      b.boosterFree(handle);
      throw e;
    }
    return new Booster(handle);
  }

  /**
   * Loads a model from the JSON text XGBoost writes (what `toJSON()` returns). Text only: a
   * re-serialized parsed object would turn XGBoost's floats like `1.0` into integers it rejects.
   */
  static fromJSON(text: string): Booster {
    if (typeof text !== 'string') {
      throw new ParameterError('text', `The 'text' argument of Booster.fromJSON must be the model's JSON text (from toJSON()). Got ${describe(text)}.`);
    }
    return Booster.fromBuffer(new TextEncoder().encode(text));
  }

  /** Boosting rounds in the model. */
  get numBoostedRounds(): number {
    return this.#modelShape().rounds;
  }

  /** Number of features the model expects. */
  get numFeatures(): number {
    return this.#modelShape().features;
  }

  #modelShape(): { rounds: number; features: number } {
    const handle = this.handle; // DisposedError after dispose, cached or not
    this.#shape ??= { rounds: binding().boosterBoostedRounds(handle), features: binding().boosterGetNumFeature(handle) };
    return this.#shape;
  }

  /** Feature names stored in the model, if any. */
  get featureNames(): string[] | undefined {
    const names = binding().boosterGetStrFeatureInfo(this.handle, 'feature_name');
    return names.length > 0 ? names : undefined;
  }

  /** Feature types stored in the model ('q', 'c', ...), if any. */
  get featureTypes(): FeatureType[] | undefined {
    const types = binding().boosterGetStrFeatureInfo(this.handle, 'feature_type');
    return types.length > 0 ? (types as FeatureType[]) : undefined;
  }

  /**
   * The category names the model stores for each feature (null for numeric features), in the
   * order of the training data's codes; undefined when the model has no categorical features.
   */
  get categories(): Array<string[] | null> | undefined {
    const cats = binding().boosterGetCategories(this.handle);
    return cats.some((c) => c !== null) ? cats : undefined;
  }

  /** A model attribute (e.g. 'best_iteration'), or null. */
  getAttr(key: string): string | null {
    return binding().boosterGetAttr(this.handle, key);
  }

  /** Sets (or with null, deletes) a model attribute; attributes are saved with the model. */
  setAttr(key: string, value: string | null): void {
    binding().boosterSetAttr(this.handle, key, value);
  }

  #checkPredict(owner: string, data: unknown, options: PredictOptions): { type: 0 | 1; range: [number, number]; missing: number } {
    if (options === null || typeof options !== 'object') {
      throw new ParameterError('options', `${owner} needs an options object with at least 'rows' and 'cols'. Got ${describe(options)}.`);
    }
    checkKnownOptions(owner, options, PREDICT_OPTIONS);
    if (data !== null) checkMatrix(owner, data, options.rows, options.cols, 0);
    const { rounds, features: nfeat } = this.#modelShape();
    if (options.cols !== nfeat) {
      throw new ParameterError('cols', `The 'cols' option of ${owner} must equal the model's number of features (${nfeat}). Got ${options.cols}.`);
    }
    for (const flag of ['outputMargin', 'contributions'] as const) {
      if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
        throw new ParameterError(flag, `The '${flag}' option of ${owner} must be a boolean. Got ${describe(options[flag])}.`);
      }
    }
    if (options.outputMargin && options.contributions) {
      throw new ParameterError('contributions', `The 'outputMargin' and 'contributions' options of ${owner} cannot both be set.`);
    }
    const range = options.iterationRange ?? [0, 0];
    const [begin, end] = Array.isArray(range) && range.length === 2 ? range : [NaN, NaN];
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end < 0 || end > rounds || (end !== 0 && begin >= end) || (end === 0 && begin > rounds)) {
      throw new ParameterError(
        'iterationRange',
        `The 'iterationRange' option of ${owner} must be [begin, end) with 0 <= begin < end <= ${rounds} (or [0, 0] for all rounds). Got ${describe(range)}.`,
      );
    }
    const missing = options.missing ?? NaN;
    if (typeof missing !== 'number' || !(Number.isNaN(missing) || Number.isFinite(missing))) {
      throw new ParameterError('missing', `The 'missing' option of ${owner} must be NaN or a finite number. Got ${describe(missing)}.`);
    }
    return { type: options.outputMargin ? PredictType.Margin : PredictType.Value, range: [begin, end], missing };
  }

  /** Predicts on the JS thread; see `predict` for options. Fine for small batches. */
  predictSync(data: DenseMatrix, options: PredictOptions): Float32Array {
    const { type, range, missing } = this.#checkPredict('Booster.predictSync', data, options);
    if (options.rows === 0) return new Float32Array(0);
    const b = binding();
    return this.#inPlaceOr(
      type,
      options.contributions,
      (predictType) => this.#predictThroughDMatrix(b.dmatrixCreateFromDense(data, options.rows, options.cols, missing, -1), predictType, range),
      () => b.boosterPredictFromDense(this.handle, data, options.rows, options.cols, type, range[0], range[1], missing).values,
    );
  }

  /**
   * Predicts `rows` x `cols` row-major `data` off the JS thread (the input is copied first):
   * probabilities/values by default, margins with `outputMargin`, SHAP values with `contributions`.
   * Several predictions on one booster run concurrently (in place; boosters without in-place
   * prediction, such as gblinear, go through a temporary DMatrix one at a time).
   */
  async predict(data: DenseMatrix, options: PredictOptions): Promise<Float32Array> {
    const callSite = captureCallSite();
    const { type, range, missing } = this.#checkPredict('Booster.predict', data, options);
    if (options.rows === 0) return new Float32Array(0);
    const b = binding();
    const viaDMatrix = async (predictType: number): Promise<Float32Array> => {
      const dm = await withCallSite(b.dmatrixCreateFromDenseAsync(data, options.rows, options.cols, missing, -1), callSite);
      try {
        return (await withCallSite(b.boosterPredictFromDMatrixAsync(this.handle, dm, predictType, range[0], range[1]), callSite)).values;
      } finally {
        b.dmatrixFree(dm);
      }
    };
    return this.#inPlaceOr(type, options.contributions, viaDMatrix, async () =>
      (await withCallSite(b.boosterPredictFromDenseAsync(this.handle, data, options.rows, options.cols, type, range[0], range[1], missing), callSite)).values,
    );
  }

  /**
   * In-place prediction while the model allows it; SHAP values, and models that refuse in-place
   * prediction (remembered after the first refusal), go through a DMatrix. Sync or async, as the
   * two routes are.
   */
  #inPlaceOr<R extends Float32Array | Promise<Float32Array>>(
    type: number,
    contributions: boolean | undefined,
    viaDMatrix: (predictType: number) => R,
    inPlace: () => R,
  ): R {
    if (contributions) return viaDMatrix(PredictType.Contributions);
    if (!this.#inPlace) return viaDMatrix(type);
    const refused = (e: unknown): R => {
      if (!isInPlaceUnsupported(e)) throw e;
      this.#inPlace = false;
      return viaDMatrix(type);
    };
    try {
      const result = inPlace();
      return (result instanceof Promise ? result.catch(refused) : result) as R;
    } catch (e) {
      return refused(e);
    }
  }

  /** Predicts on the JS thread through `dm`, a temporary DMatrix (with `featureTypes` set when given), and frees it. */
  #predictThroughDMatrix(dm: DMatrixHandle, predictType: number, range: [number, number], featureTypes?: string[]): Float32Array {
    const b = binding();
    try {
      if (featureTypes) b.dmatrixSetStrFeatureInfo(dm, 'feature_type', featureTypes);
      return b.boosterPredictFromDMatrix(this.handle, dm, predictType, range[0], range[1]).values;
    } finally {
      b.dmatrixFree(dm);
    }
  }

  #checkColumns(owner: string, columns: unknown, options: PredictColumnsOptions): { rows: number; cols: number } {
    if (options === null || typeof options !== 'object') {
      throw new ParameterError('options', `The 'options' argument of ${owner} must be an object. Got ${describe(options)}.`);
    }
    checkKnownOptions(owner, options, PREDICT_OPTIONS.filter((o) => o !== 'rows' && o !== 'cols'));
    const { rows, types } = checkColumns(owner, columns);
    return { rows, cols: types.length };
  }

  /**
   * Predicts on columns (numeric typed arrays and categorical { categories, codes }) off the JS
   * thread; options as `predict`. Categorical columns are matched to the model's stored categories
   * by name, so their codes may follow any category order (as Python's `inplace_predict` on a
   * pandas DataFrame).
   */
  async predictColumns(columns: readonly Column[], options: PredictColumnsOptions = {}): Promise<Float32Array> {
    const callSite = captureCallSite();
    const shape = this.#checkColumns('Booster.predictColumns', columns, options);
    const { type, range, missing } = this.#checkPredict('Booster.predictColumns', null, { ...options, ...shape });
    const b = binding();
    const viaDMatrix = async (predictType: number): Promise<Float32Array> => {
      const dm = await withCallSite(b.dmatrixCreateFromColumnsAsync([...columns], shape.rows, missing, -1), callSite);
      try {
        b.dmatrixSetStrFeatureInfo(dm, 'feature_type', columnFeatureTypes(columns));
        return (await withCallSite(b.boosterPredictFromDMatrixAsync(this.handle, dm, predictType, range[0], range[1]), callSite)).values;
      } finally {
        b.dmatrixFree(dm);
      }
    };
    return this.#inPlaceOr(type, options.contributions, viaDMatrix, async () =>
      (await withCallSite(b.boosterPredictFromColumnsAsync(this.handle, [...columns], shape.rows, type, range[0], range[1], missing), callSite)).values,
    );
  }

  /** {@link Booster.predictColumns} on the JS thread (small batches). */
  predictColumnsSync(columns: readonly Column[], options: PredictColumnsOptions = {}): Float32Array {
    const shape = this.#checkColumns('Booster.predictColumnsSync', columns, options);
    const { type, range, missing } = this.#checkPredict('Booster.predictColumnsSync', null, { ...options, ...shape });
    const b = binding();
    return this.#inPlaceOr(
      type,
      options.contributions,
      (predictType) => this.#predictThroughDMatrix(b.dmatrixCreateFromColumns([...columns], shape.rows, missing, -1), predictType, range, columnFeatureTypes(columns)),
      () => b.boosterPredictFromColumns(this.handle, [...columns], shape.rows, type, range[0], range[1], missing).values,
    );
  }

  /**
   * Feature importance by feature name (f0, f1, ... without names), like Python's `get_score`:
   * features never used in a split are absent.
   */
  featureImportance(type: ImportanceType = 'weight'): Record<string, number> {
    if (!IMPORTANCE_TYPES.includes(type)) {
      throw new ParameterError('type', `The 'type' argument of Booster.featureImportance must be one of ${IMPORTANCE_TYPES.join(', ')}. Got ${describe(type)}.`);
    }
    const r = binding().boosterFeatureScore(this.handle, type);
    const out: Record<string, number> = {};
    r.features.forEach((name, i) => {
      out[name] = r.values[i]!;
    });
    return out;
  }

  /** A new Booster with rounds [begin, end) taking every `step`-th (end 0 = all). */
  slice(begin: number, end = 0, step = 1): Booster {
    checkInt('Booster.slice', 'begin', begin, 0);
    checkInt('Booster.slice', 'end', end, 0);
    checkInt('Booster.slice', 'step', step, 1);
    return new Booster(binding().boosterSlice(this.handle, begin, end, step));
  }

  /** The model's bytes in XGBoost's JSON or UBJSON format. */
  toBuffer(format: ModelFormat = 'json'): Uint8Array {
    if (format !== 'json' && format !== 'ubj') {
      throw new ParameterError('format', `The 'format' argument of Booster.toBuffer must be 'json' or 'ubj'. Got ${describe(format)}.`);
    }
    return binding().boosterSaveModelToBuffer(this.handle, format);
  }

  /**
   * The model as XGBoost's JSON text, exactly as XGBoost writes it (so `JSON.stringify(booster)`
   * embeds it as a string and `Booster.fromJSON` reads it back without loss). Text, not an
   * object: XGBoost writes NaN for categorical split conditions, which `JSON.parse` rejects.
   */
  toJSON(): string {
    return new TextDecoder().decode(this.toBuffer('json'));
  }

  /**
   * Writes the model to `file` (through a temporary file, renamed into place). The format is
   * `options.format`, else '.ubj' files get UBJSON and everything else JSON.
   */
  save(file: string, options: { format?: ModelFormat } = {}): void {
    if (typeof file !== 'string' || file.length === 0) {
      throw new ParameterError('file', `The 'file' argument of Booster.save must be a path. Got ${describe(file)}.`);
    }
    checkKnownOptions('Booster.save', options, ['format']);
    const format = options.format ?? (path.extname(file).toLowerCase() === '.ubj' ? 'ubj' : 'json');
    if (format !== 'json' && format !== 'ubj') {
      throw new ParameterError('format', `The 'format' option of Booster.save must be 'json' or 'ubj'. Got ${describe(format)}.`);
    }
    const bytes = this.toBuffer(format);
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  }

  /** @internal The native handle. */
  get nativeHandle(): BoosterHandle {
    return this.handle;
  }
}
