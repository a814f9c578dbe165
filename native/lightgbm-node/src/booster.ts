import fs from 'node:fs';
import path from 'node:path';
import { AbortError, checkInt, checkKnownOptions, describe, InternalError, ParameterError } from '@kdap/errors';
import { awaitTrainLoop, captureCallSite, checkMatrix, EarlyStopping, NativeResource, withCallSite, type EarlyStop } from '@kdap/napi-common';
import { DType, ImportanceType, PredictType, binding, type BoosterHandle, type DenseMatrix, type FastConfigHandle, type LightGBMTrainRun } from './binding';
import { Dataset, type Layout, type RawData } from './dataset';
import { canonicalParam, getParam, paramsToString, type Params } from './params';

export type PredictionType = 'normal' | 'raw' | 'leaf' | 'contrib';

export interface EvalResult {
  /** 'training' or the validation set's name ('valid_0', ... unless named). */
  dataName: string;
  /** Metric name as LightGBM reports it ('l2', 'auc', 'quantile', ...). */
  metric: string;
  value: number;
  higherBetter: boolean;
}

export interface IterationInfo {
  /** 1-based iteration just trained. */
  iteration: number;
  evals: EvalResult[];
}

export interface TrainOptions {
  /** Boosting rounds (default 100, or num_iterations from params as LightGBM's Python package does). */
  numBoostRound?: number;
  /** Validation sets; build them with `{ reference: trainSet }`. The training set itself may be listed. */
  validSets?: readonly Dataset[];
  /** Names for `validSets` (default 'training' for the training set, else 'valid_<i>'). */
  validNames?: readonly string[];
  /** Stop when no validation metric improved for this many rounds (needs validSets). */
  earlyStoppingRounds?: number;
  /** Early-stop on the first metric only. */
  firstMetricOnly?: boolean;
  /** Minimum improvement that counts (>= 0). */
  minDelta?: number;
  /** Called after each iteration with its evaluation results. */
  onIteration?: (info: IterationInfo) => void;
  /** Stops training before its next iteration (none is reported after the abort); the promise rejects with AbortError. */
  signal?: AbortSignal;
  /**
   * Keep the booster's link to its training data for further training (default false: like
   * LightGBM's Python package, the result is reloaded from its model string, truncated to the best
   * iteration when early stopping found one, and the data released).
   */
  keepTrainingBooster?: boolean;
  /**
   * Keep the predictions of the training set and of each validation set at the returned model's
   * last iteration (`booster.bestPredictions`), taken from the scores LightGBM holds while it
   * trains, so they need no new prediction. With early stopping they are copied in the training
   * loop (each copy converts every row through the objective, ~5-10 ms per 100,000 rows): when
   * every data set keeps its input matrix (`freeRawData: false`) and the objective does not
   * transform its scores (regression, regression_l1, huber, fair, quantile, mape; one tree per
   * iteration), only at checkpoints (an improving round at least 24 rounds after the last copy),
   * and the trees after the checkpoint up to the best iteration are added to the copy afterwards
   * from their leaf indices and leaf values, in tree order as LightGBM's score updater adds them
   * (the same bits); otherwise at each round that improves a watched validation score. Without
   * early stopping they are read once training ends; with early stopping each round waits for
   * the stopping verdict (as with `keepTrainingBooster`), so no round trained past the stopping
   * point can take the best round's place. Memory: one copy per data set (float64,
   * rows x classes; more only while several watched metrics disagree on their best round).
   * Undefined for 'dart' and 'rf' boosting, linear trees and data sets with an init score (their
   * training scores are not what the model predicts), and whenever the copy does not belong to
   * the best iteration: predict as before.
   */
  keepBestPredictions?: boolean;
}

const TRAIN_OPTIONS = [
  'numBoostRound', 'validSets', 'validNames', 'earlyStoppingRounds', 'firstMetricOnly', 'minDelta', 'onIteration', 'signal', 'keepTrainingBooster',
  'keepBestPredictions',
] as const;

/** Predictions at the returned model's last iteration, as `predict(..., { type: 'normal' })` gives them for each data set. */
export interface BestPredictions {
  /** Iterations they cover (1-based): `bestIteration`, or every iteration trained without early stopping. */
  iteration: number;
  /**
   * Iterations LightGBM's copied scores covered (<= `iteration`); the trees after them were added
   * from their leaf values (see `keepBestPredictions`).
   */
  copiedAt: number;
  /** Predictions of the training set (rows x classes, row-major as `predict`). */
  training: Float64Array;
  /** Predictions of each of `validSets`, in that order (the training set's entry is `training`). */
  valid: Float64Array[];
}

export interface PredictOptions {
  rows: number;
  cols: number;
  /** 'normal' (transformed), 'raw' (margin), 'leaf' (leaf indices), 'contrib' (SHAP values + bias). */
  type?: PredictionType;
  /** First iteration to use (0-based). */
  startIteration?: number;
  /** Iterations to use; default the best iteration if early stopping found one, else all (-1). */
  numIteration?: number;
  layout?: Layout;
  /** Prediction parameters (num_threads, pred_early_stop, ...). */
  params?: Params;
}

const PREDICT_OPTIONS = ['rows', 'cols', 'type', 'startIteration', 'numIteration', 'layout', 'params'] as const;

export interface PredictRowOptions {
  type?: PredictionType;
  startIteration?: number;
  numIteration?: number;
  params?: Params;
}

/** Per-data-set, per-metric values by iteration. */
export type EvalHistory = Record<string, Record<string, number[]>>;

const PREDICT_TYPES: Record<PredictionType, number> = {
  normal: PredictType.Normal,
  raw: PredictType.RawScore,
  leaf: PredictType.LeafIndex,
  contrib: PredictType.Contrib,
};

function predictTypeOf(owner: string, type: unknown): number {
  const t = type ?? 'normal';
  const code = PREDICT_TYPES[t as PredictionType];
  if (typeof t !== 'string' || code === undefined) {
    throw new ParameterError('type', `The 'type' option of ${owner} must be one of 'normal', 'raw', 'leaf', 'contrib'. Got ${describe(type)}.`);
  }
  return code;
}

/** LightGBM's rule (Python package) for metrics where larger is better. */
function isHigherBetter(metric: string): boolean {
  return ['auc', 'ndcg@', 'map@', 'average_precision'].some((p) => metric.startsWith(p));
}

/**
 * Whether LightGBM's training scores are what the trained model predicts: not for dart (scores
 * of dropped trees) or rf (averaged), linear trees, or data sets whose init score the scores include.
 */
function scoresArePredictions(params: Params, sets: readonly Dataset[]): boolean {
  const boosting = getParam(params, 'boosting') ?? 'gbdt';
  if (!['gbdt', 'gbrt', 'goss'].includes(String(boosting))) return false;
  const linear = getParam(params, 'linear_tree');
  if (linear === true || linear === 'true' || linear === 1 || linear === '1') return false;
  return sets.every((d) => binding().datasetGetField(d.nativeHandle, 'init_score') === null);
}

/** Fewest rounds between two copies of LightGBM's scores when the trees after a copy can be added to it (`keepBestPredictions`). */
const CHECKPOINT_EVERY = 24;

/** Objectives (canonical or alias) whose `ConvertOutput` is the identity without `reg_sqrt`. */
const UNTRANSFORMED_OBJECTIVES = new Set([
  'regression', 'regression_l2', 'mean_squared_error', 'mse', 'l2', 'l2_root', 'root_mean_squared_error', 'rmse',
  'regression_l1', 'mean_absolute_error', 'l1', 'mae', 'huber', 'fair', 'quantile', 'mape', 'mean_absolute_percentage_error',
]);

/**
 * The input matrix of each data set (by LightGBM data index) when a copy of the scores can be
 * brought forward by adding later trees' leaf values: the objective leaves scores as they are,
 * one tree per iteration, and every set kept its matrix. Else undefined.
 */
function replayableData(params: Params, handle: BoosterHandle, sets: readonly Dataset[]): RawData[] | undefined {
  const objective = getParam(params, 'objective') ?? 'regression';
  if (typeof objective !== 'string' || !UNTRANSFORMED_OBJECTIVES.has(objective)) return undefined;
  const sqrt = getParam(params, 'reg_sqrt');
  if (sqrt === true || sqrt === 'true' || sqrt === 1 || sqrt === '1') return undefined;
  if (binding().boosterNumModelPerIteration(handle) !== 1) return undefined;
  const raw = sets.map((d) => d.rawData);
  return raw.every((r) => r !== null) ? (raw as RawData[]) : undefined;
}

/**
 * Adds trees `start` .. `start + count - 1` (0-based; one per iteration) to `scores` of the rows
 * of `raw`, as LightGBM's score updater adds a tree: `score += leaf value` in double, one tree
 * after the other; leaf indices from LightGBM's prediction on the rows (LightGBM's tree walk).
 */
async function addTrees(handle: BoosterHandle, scores: Float64Array, raw: RawData, start: number, count: number, parameter: string): Promise<void> {
  if (scores.length !== raw.rows) throw new InternalError(`LightGBM's copy has ${scores.length} scores for ${raw.rows} rows.`);
  const b = binding();
  const leaves = await b.boosterPredictForMatAsync(handle, raw.data, raw.rows, raw.cols, raw.rowMajor, PredictType.LeafIndex, start, count, parameter);
  const values: Float64Array[] = [];
  for (let t = 0; t < count; t++) {
    let most = 0;
    for (let i = t; i < leaves.length; i += count) most = Math.max(most, leaves[i]!);
    values.push(b.boosterGetLeafValues(handle, start + t, Int32Array.from({ length: most + 1 }, (_, j) => j)));
  }
  for (let i = 0, at = 0; i < raw.rows; i++) {
    let score = scores[i]!;
    for (let t = 0; t < count; t++) score += values[t]![leaves[at++]!]!;
    scores[i] = score;
  }
}

/** LightGBM's scores are class-major; `predict` returns rows x classes row-major. */
function rowMajor(kept: BestPredictions, numClass: number): BestPredictions {
  if (numClass <= 1) return kept;
  const transpose = (a: Float64Array): Float64Array => {
    const rows = a.length / numClass;
    const out = new Float64Array(a.length);
    for (let j = 0; j < numClass; j++) for (let i = 0; i < rows; i++) out[i * numClass + j] = a[j * rows + i]!;
    return out;
  };
  const training = transpose(kept.training);
  return { iteration: kept.iteration, copiedAt: kept.copiedAt, training, valid: kept.valid.map((v) => (v === kept.training ? training : transpose(v))) };
}

interface FastEntry {
  key: string;
  handle: FastConfigHandle;
  out: Float64Array;
  scratch: Float64Array;
}

/**
 * A LightGBM booster. Train with `await Booster.train(params, trainSet, options)`, or load with
 * `Booster.fromModelString` / `Booster.load`. Predictions: `await predict()` (off the JS thread),
 * `predictSync()`, and `predictRow()` on LightGBM's single-row fast path.
 */
export class Booster extends NativeResource<BoosterHandle> {
  /** Best iteration (1-based) found by early stopping; 0 when training did not use it (as in LightGBM's Python package). */
  bestIteration = 0;
  /** Evaluation results at the best iteration. */
  bestScore: EvalResult[] = [];
  /** Evaluation history recorded during training. */
  readonly evalHistory: EvalHistory = {};
  #fast: FastEntry | null = null;
  /**
   * The text Booster.train reloaded this booster from, with the iteration count it covers: the
   * first toModelString() asking for that range returns it instead of serializing again (the
   * round trip is exact; ~40 ms per model of the budget trainer's size), then it is released.
   */
  #trainedText: { numIteration: number; text: string } | null = null;
  #bestPredictions: BestPredictions | undefined;

  private constructor(handle: BoosterHandle) {
    super('Booster', (h) => binding().boosterFree(h), handle);
  }

  /**
   * Predictions of the training and validation sets at the model's last iteration, when trained
   * with `keepBestPredictions` and they could be kept; else undefined. Released by `dispose()`.
   */
  get bestPredictions(): BestPredictions | undefined {
    this.assertLive();
    return this.#bestPredictions;
  }

  /**
   * Trains a booster off the JS thread, evaluating the validation sets after each iteration, with
   * early stopping as lightgbm.train does it. The iterations run one after the other in native
   * code; `onIteration` sees each one while the next trains, and an abort takes effect before the
   * next iteration (no later iteration is reported). With early stopping the loop does not wait
   * for each round's verdict: a round or two may train past the stopping point, unreported, and
   * the returned booster is cut at the best iteration as before; with `keepTrainingBooster` each
   * round waits for its verdict, so the kept booster ends exactly at the stopping point.
   */
  static async train(params: Params, trainSet: Dataset, options: TrainOptions = {}): Promise<Booster> {
    const owner = 'Booster.train';
    if (params === null || typeof params !== 'object') throw new ParameterError('params', `The 'params' argument of ${owner} must be an object of LightGBM parameters. Got ${describe(params)}.`);
    if (!(trainSet instanceof Dataset)) throw new ParameterError('trainSet', `The 'trainSet' argument of ${owner} must be a Dataset. Got ${describe(trainSet)}.`);
    checkKnownOptions(owner, options, TRAIN_OPTIONS);
    if (!trainSet.hasLabel && !trainSet.constructed) {
      throw new ParameterError('trainSet', `The training Dataset given to ${owner} has no label. Pass { label } when creating it.`);
    }

    // num_iterations and early_stopping_round may come from params, as in lightgbm.train.
    const p: Params = { ...params };
    let numBoostRound = options.numBoostRound ?? 100;
    for (const key of Object.keys(p)) {
      if (canonicalParam(key) === 'num_iterations') {
        if (options.numBoostRound === undefined) numBoostRound = Number(p[key]);
        delete p[key];
      }
    }
    checkInt(owner, 'numBoostRound', numBoostRound, 1);
    p.num_iterations = numBoostRound;
    const esFromParams = getParam(p, 'early_stopping_round');
    const earlyStoppingRounds = options.earlyStoppingRounds ?? (esFromParams === undefined ? undefined : Number(esFromParams));
    if (earlyStoppingRounds !== undefined && earlyStoppingRounds > 0) checkInt(owner, 'earlyStoppingRounds', earlyStoppingRounds, 1);
    const minDelta = options.minDelta ?? 0;
    if (typeof minDelta !== 'number' || !(minDelta >= 0)) throw new ParameterError('minDelta', `The 'minDelta' option of ${owner} must be a number >= 0. Got ${describe(minDelta)}.`);
    const firstMetricOnly = options.firstMetricOnly ?? getParam(p, 'first_metric_only') === true;
    const validSets = options.validSets ?? [];
    if (!Array.isArray(validSets) || validSets.some((v) => !(v instanceof Dataset))) {
      throw new ParameterError('validSets', `The 'validSets' option of ${owner} must be an array of Datasets. Got ${describe(validSets)}.`);
    }
    if (options.validNames !== undefined && options.validNames.length !== validSets.length) {
      throw new ParameterError('validNames', `The 'validNames' option of ${owner} must name each validation set (${validSets.length}). Got ${options.validNames.length}.`);
    }
    const keepBestPredictions = options.keepBestPredictions ?? false;
    if (typeof keepBestPredictions !== 'boolean') {
      throw new ParameterError('keepBestPredictions', `The 'keepBestPredictions' option of ${owner} must be a boolean. Got ${describe(keepBestPredictions)}.`);
    }
    if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
      throw new ParameterError('onIteration', `The 'onIteration' option of ${owner} must be a function. Got ${describe(options.onIteration)}.`);
    }
    const signal = options.signal;
    const paramString = paramsToString(owner, p);
    const checkAbort = () => {
      if (signal?.aborted) throw new AbortError('Training was aborted', { cause: signal.reason });
    };
    checkAbort();

    const callSite = captureCallSite();
    const b = binding();
    await trainSet.constructAsync(p);
    const booster = new Booster(b.boosterCreate(trainSet.nativeHandle, paramString));
    let run: LightGBMTrainRun | undefined;
    try {
      const names: string[] = [];
      const evalIdx: number[] = []; // LGBM data index per named set: 0 = training data
      const validIdx: number[] = []; // LGBM data index of each of validSets
      const byIdx: Dataset[] = [trainSet]; // the Dataset of each LGBM data index
      let added = 0;
      for (let i = 0; i < validSets.length; i++) {
        const v = validSets[i]!;
        if (v === trainSet) {
          names.push(options.validNames?.[i] ?? 'training');
          evalIdx.push(0);
          validIdx.push(0);
          continue;
        }
        if (v.reference !== trainSet) {
          throw new ParameterError('validSets', `Validation set ${i} given to ${owner} must be created with { reference: trainSet } so that it shares the training bins.`);
        }
        await v.constructAsync(p);
        b.boosterAddValidData(booster.handle, v.nativeHandle);
        added++;
        byIdx.push(v);
        names.push(options.validNames?.[i] ?? `valid_${i}`);
        evalIdx.push(added);
        validIdx.push(added);
      }
      // lightgbm.train evaluates the training data (when listed) first, then the validation sets.
      const trainPos = evalIdx.indexOf(0);
      if (trainPos > 0) {
        names.unshift(...names.splice(trainPos, 1));
        evalIdx.unshift(...evalIdx.splice(trainPos, 1));
      }
      const metricNames = b.boosterGetEvalNames(booster.handle);
      const trainName = names[evalIdx.indexOf(0)];

      // Early stopping as lightgbm.callback.early_stopping does it.
      const es = earlyStoppingRounds !== undefined && earlyStoppingRounds > 0 && names.length > 0 && getParam(p, 'boosting') !== 'dart';
      // Every score is tracked; the training data and, with first_metric_only, other metrics than
      // the first never stop training; the last iteration ends it with the best so far.
      const stopper = es
        ? new EarlyStopping<EvalResult>({
            rounds: earlyStoppingRounds!,
            minDelta,
            higherBetter: (e) => e.higherBetter,
            watches: (e, round) => !(firstMetricOnly && e.metric !== round[0]!.metric) && !(e.dataName === trainName && trainName !== undefined),
            finalRound: numBoostRound - 1,
          })
        : undefined;
      let stoppedAt: EarlyStop<EvalResult> | undefined;

      // The rounds run in native code (napi-common's TrainLoop, as XGBoost's do). JS hears of a
      // round only when it has something to do with it: history and onIteration while the next
      // round trains; with early stopping, the next round waits for this one's answer, so training
      // never runs past the stopping point. An abort stops the loop before its next round.
      const width = metricNames.length;
      let failure: { error: unknown } | undefined;
      let aborted = false;
      let reported = 0;
      const onRound = (iter: number, values: Float64Array): boolean => {
        if (failure || aborted || stoppedAt) return true; // rounds that finished after the end are not reported
        try {
          if (signal?.aborted) return (aborted = true); // e.g. aborted from onIteration
          const evals: EvalResult[] = [];
          for (let k = 0; k < names.length; k++) {
            for (let m = 0; m < width; m++) {
              const metric = metricNames[m]!;
              const value = values[k * width + m]!;
              evals.push({ dataName: names[k]!, metric, value, higherBetter: isHigherBetter(metric) });
              ((booster.evalHistory[names[k]!] ??= {})[metric] ??= []).push(value);
            }
          }
          reported = iter + 1;
          options.onIteration?.({ iteration: iter + 1, evals });
          if (stopper && evals.length > 0) stoppedAt = stopper.update(iter, evals);
          return stoppedAt !== undefined;
        } catch (error) {
          failure = { error };
          return true;
        }
      };
      const keep = keepBestPredictions && scoresArePredictions(p, [trainSet, ...validSets]);
      // Waiting for each verdict costs a round trip to JS per round (0.08-0.16 ms measured on the
      // budget trainer's models, ~1,800 rounds per fit); a kept training booster needs it, and so do
      // kept best-round scores: a round trained past the stopping point before the verdict arrives
      // may improve on the best round, and the native copies then follow it (the best round's copy
      // is gone: seen as undefined bestPredictions on a loaded CI machine).
      const answers = stopper && (options.keepTrainingBooster || keep) ? 2 : names.length > 0 || options.onIteration ? 1 : 0;
      // With early stopping, the scores it may stop on, as the stopper's `watches` and `higherBetter` judge them.
      const watch = keep && stopper
        ? Int8Array.from(names.flatMap((name) => metricNames.map((metric) =>
          (firstMetricOnly && metric !== metricNames[0]) || (name === trainName && trainName !== undefined) ? 0 : isHigherBetter(metric) ? 1 : -1)))
        : null;
      // Sparse checkpoints when a copy can be brought forward to the best round exactly.
      const replay = watch ? replayableData(p, booster.handle, byIdx) : undefined;
      run = b.boosterTrainAsync(booster.handle, numBoostRound, Int32Array.from(evalIdx), answers, answers === 0 ? null : onRound, watch, minDelta, replay ? CHECKPOINT_EVERY : 1);
      const trained = await awaitTrainLoop(run, signal, callSite);
      if (failure) throw failure.error;
      // An abort after the last round was trained and reported leaves a complete model.
      if ((aborted || signal?.aborted) && !stoppedAt && (answers === 0 ? trained : reported) < numBoostRound) checkAbort();
      if (stoppedAt) {
        booster.bestIteration = stoppedAt.iteration + 1;
        booster.bestScore = [...stoppedAt.scores];
      }
      let kept: BestPredictions | undefined;
      if (keep && stopper) {
        const copy = stoppedAt ? run.takeCheckpoint?.(stoppedAt.iteration) : undefined;
        if (copy) {
          const { iteration, sets } = copy;
          const best = stoppedAt!.iteration;
          let complete = true;
          if (iteration < best) {
            // Trees iteration+1 .. best, added to each copy that is handed out, on the training's threads.
            const threads = getParam(p, 'num_threads');
            const parameter = threads === undefined ? '' : `num_threads=${String(threads)}`;
            try {
              for (const k of new Set([0, ...validIdx])) await addTrees(booster.handle, sets[k]!, replay![k]!, iteration + 1, best - iteration, parameter);
            } catch {
              complete = false; // as a failed copy: nothing kept, the caller predicts
            }
          }
          if (complete) kept = { iteration: best + 1, copiedAt: iteration + 1, training: sets[0]!, valid: validIdx.map((k) => sets[k]!) };
        }
      } else if (keep && trained > 0) {
        const training = b.boosterGetPredict(booster.handle, 0);
        const iteration = b.boosterGetCurrentIteration(booster.handle);
        kept = { iteration, copiedAt: iteration, training, valid: validIdx.map((k) => (k === 0 ? training : b.boosterGetPredict(booster.handle, k))) };
      }
      run.takeBestPredictions?.(-1);
      if (kept) kept = rowMajor(kept, b.boosterGetNumClasses(booster.handle));
      booster.#bestPredictions = kept;
      if (options.keepTrainingBooster) return booster;
      // Release the training data as lightgbm.train does: reload from the model string, which
      // keeps the iterations up to the best one when early stopping found one.
      const text = booster.toModelString();
      const reloaded = Booster.fromModelString(text);
      reloaded.bestIteration = booster.bestIteration;
      reloaded.#trainedText = { numIteration: reloaded.bestIteration > 0 ? reloaded.bestIteration : -1, text };
      reloaded.bestScore = booster.bestScore;
      reloaded.#bestPredictions = kept;
      Object.assign(reloaded.evalHistory, booster.evalHistory);
      booster.dispose();
      return reloaded;
    } catch (e) {
      run?.takeBestPredictions?.(-1);
      booster.dispose();
      throw e;
    }
  }

  /** Loads a booster from LightGBM's text model format. */
  static fromModelString(model: string): Booster {
    if (typeof model !== 'string' || model.length === 0) {
      throw new ParameterError('model', `Booster.fromModelString needs a non-empty LightGBM model string. Got ${describe(model)}.`);
    }
    const { booster } = binding().boosterLoadModelFromString(model);
    return new Booster(booster);
  }

  /** Loads a booster from a LightGBM text model file. */
  static load(file: string): Booster {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ParameterError('file', `Booster.load could not read '${file}': ${(e as Error).message}`);
    }
    try {
      return Booster.fromModelString(text);
    } catch (e) {
      (e as Error).message = `${file}: ${(e as Error).message} (is it a LightGBM text model?)`;
      throw e;
    }
  }

  /** The model in LightGBM's text format. */
  toModelString(options: { startIteration?: number; numIteration?: number; importanceType?: 'split' | 'gain' } = {}): string {
    const num = options.numIteration ?? (this.bestIteration > 0 ? this.bestIteration : -1);
    const handle = this.handle;
    const trained = this.#trainedText;
    if (trained !== null && (options.startIteration ?? 0) === 0 && options.importanceType !== 'gain' && num === trained.numIteration) {
      this.#trainedText = null;
      return trained.text;
    }
    return binding().boosterSaveModelToString(handle, options.startIteration ?? 0, num,
      options.importanceType === 'gain' ? ImportanceType.Gain : ImportanceType.Split);
  }

  /** Writes the text model atomically (temporary file in the same directory, then rename). */
  save(file: string, options: { numIteration?: number } = {}): void {
    const text = this.toModelString(options);
    const dir = path.dirname(path.resolve(file));
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
    try {
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  numFeatures(): number {
    return binding().boosterGetNumFeature(this.handle);
  }

  numClasses(): number {
    return binding().boosterGetNumClasses(this.handle);
  }

  /** Iterations in the model. */
  currentIteration(): number {
    return binding().boosterGetCurrentIteration(this.handle);
  }

  featureNames(): string[] {
    return binding().boosterGetFeatureNames(this.handle);
  }

  /** Importance per feature: number of splits, or total gain. */
  featureImportance(type: 'split' | 'gain' = 'split', options: { numIteration?: number } = {}): Float64Array {
    if (type !== 'split' && type !== 'gain') throw new ParameterError('type', `The 'type' argument of featureImportance must be 'split' or 'gain'. Got ${describe(type)}.`);
    const num = options.numIteration ?? (this.bestIteration > 0 ? this.bestIteration : -1);
    return binding().boosterFeatureImportance(this.handle, num, type === 'gain' ? ImportanceType.Gain : ImportanceType.Split);
  }

  private predictArgs(data: DenseMatrix, options: PredictOptions) {
    const owner = 'Booster.predict';
    if (options === null || typeof options !== 'object') throw new ParameterError('options', `${owner} needs an options object with at least { rows, cols }. Got ${describe(options)}.`);
    checkKnownOptions(owner, options, PREDICT_OPTIONS);
    checkMatrix(owner, data, options.rows, options.cols, 0);
    const nfeat = this.numFeatures();
    if (options.cols !== nfeat) throw new ParameterError('cols', `The model was trained on ${nfeat} features; ${owner} got cols = ${options.cols}.`);
    const layout = options.layout ?? 'row';
    if (layout !== 'row' && layout !== 'column') throw new ParameterError('layout', `The 'layout' option of ${owner} must be 'row' or 'column'. Got ${describe(layout)}.`);
    const type = predictTypeOf(owner, options.type);
    const start = options.startIteration ?? 0;
    checkInt(owner, 'startIteration', start, 0);
    const num = options.numIteration ?? (this.bestIteration > 0 ? this.bestIteration : -1);
    checkInt(owner, 'numIteration', num, -1);
    const params = paramsToString(owner, options.params ?? {});
    return [this.handle, data, options.rows, options.cols, layout === 'row', type, start, num, params] as const;
  }

  /** Predicts off the JS thread. Output: rows values (normal/raw), rows * classes, or per-row leaves/contributions. */
  predict(data: DenseMatrix, options: PredictOptions): Promise<Float64Array> {
    try {
      return withCallSite(binding().boosterPredictForMatAsync(...this.predictArgs(data, options)), captureCallSite());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Predicts on the JS thread (fine for small inputs). */
  predictSync(data: DenseMatrix, options: PredictOptions): Float64Array {
    return binding().boosterPredictForMat(...this.predictArgs(data, options));
  }

  /**
   * Predicts one row on LightGBM's single-row fast path (a prepared configuration is kept per
   * prediction type and iteration range). Returns a number for single-output models, else the
   * output values (a view over a buffer reused by the next call: copy it to keep it).
   */
  predictRow(row: ArrayLike<number>, options: PredictRowOptions = {}): number | Float64Array {
    const owner = 'Booster.predictRow';
    const type = predictTypeOf(owner, options.type);
    const start = options.startIteration ?? 0;
    const num = options.numIteration ?? (this.bestIteration > 0 ? this.bestIteration : -1);
    const paramStr = options.params ? paramsToString(owner, options.params) : '';
    const key = `${type}|${start}|${num}|${paramStr}`;
    let fast = this.#fast;
    if (fast === null || fast.key !== key) {
      checkInt(owner, 'startIteration', start, 0);
      checkInt(owner, 'numIteration', num, -1);
      const ncol = this.numFeatures();
      this.releaseFast();
      const handle = binding().boosterPredictForMatSingleRowFastInit(this.handle, type, start, num, DType.Float64, ncol, paramStr);
      const perIter = Math.max(1, binding().boosterNumModelPerIteration(this.handle));
      const outLen = type === PredictType.LeafIndex ? perIter * Math.max(1, this.currentIteration())
        : type === PredictType.Contrib ? (ncol + 1) * perIter : perIter;
      fast = { key, handle, out: new Float64Array(outLen), scratch: new Float64Array(ncol) };
      this.#fast = fast;
    }
    let input: Float64Array;
    if (row instanceof Float64Array) {
      input = row;
    } else {
      if (row === null || typeof row !== 'object' || typeof (row as ArrayLike<number>).length !== 'number') {
        throw new ParameterError('row', `The 'row' argument of ${owner} must be an array or Float64Array of ${fast.scratch.length} numbers. Got ${describe(row)}.`);
      }
      if (row.length !== fast.scratch.length) {
        throw new ParameterError('row', `The 'row' argument of ${owner} must hold ${fast.scratch.length} values (one per feature). Got ${row.length}.`);
      }
      input = fast.scratch;
      for (let i = 0; i < input.length; i++) input[i] = row[i] as number;
    }
    const n = binding().boosterPredictForMatSingleRowFast(fast.handle, input, fast.out);
    return n === 1 ? fast.out[0]! : fast.out.subarray(0, n);
  }

  private releaseFast(): void {
    if (this.#fast) {
      binding().fastConfigFree(this.#fast.handle);
      this.#fast = null;
    }
  }

  protected override onDispose(): void {
    this.#trainedText = null;
    this.#bestPredictions = undefined;
    this.releaseFast();
  }
}
