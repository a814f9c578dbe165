import { ParameterError, checkKnownOptions, describe } from '@kdap/errors';
import type { CategoricalChoice, ParamValue } from './distributions';
import { MedianPruner } from './pruners/percentile-pruner';
import type { Pruner } from './pruners/pruner';
import type { Sampler } from './samplers/sampler';
import type { JournalStorage } from './storage/journal-storage';
import { createStudy, type Study, type StudySummary } from './study';
import { TrialPruned, type Trial } from './trial';
import type { Direction, FrozenTrial } from './trial-state';

/** One search dimension as a model's YAML writes it (`tuning.search_space.<name>`; @kdap/core validates the file). */
export type SearchDimension =
  | { type: 'float'; low: number; high: number; step?: number | undefined; log?: boolean | undefined }
  | { type: 'int'; low: number; high: number; step?: number | undefined; log?: boolean | undefined }
  | { type: 'categorical'; choices: readonly CategoricalChoice[] };

/** What `tune` needs from a model: fit with these hyperparameters, report a validation metric per iteration, honour the signal. */
export type EvaluateParams = (
  params: Record<string, ParamValue>,
  hooks: {
    /** Aborted when the pruner stops the trial (or the study's signal fires): stop boosting. */
    signal: AbortSignal;
    /** Reports the validation metric after a boosting round (1-based); the pruner reads it. */
    onIteration: (iteration: number, value: number) => void;
    trial: Trial;
  },
) => Promise<number>;

/** tune's default pruner: MedianPruner({ nWarmupSteps: 10 }) (Optuna's defaults otherwise). */
export const DEFAULT_WARMUP_ROUNDS = 10;

/** Options of tune. */
export interface TuneOptions {
  searchSpace: Readonly<Record<string, SearchDimension>>;
  /** The metric's direction (see metricDirection). */
  direction: Direction;
  evaluate: EvaluateParams;
  nTrials?: number;
  /** Seconds after which no new trial starts. */
  timeout?: number;
  signal?: AbortSignal;
  sampler?: Sampler;
  /** Default MedianPruner({ nWarmupSteps: 10 }): no pruning in the first 10 rounds. */
  pruner?: Pruner;
  storage?: JournalStorage | string;
  studyName?: string;
  loadIfExists?: boolean;
  onTrial?: (trial: FrozenTrial, study: Study, error?: unknown) => void;
}

/** The outcome of tune. */
export interface TuneResult {
  study: Study;
  bestParams: Record<string, ParamValue>;
  bestValue: number;
  summary: StudySummary;
}

const LOWER_IS_BETTER = new Set(['rmse', 'mae', 'mape', 'mse', 'l1', 'l2', 'logloss', 'binary_logloss', 'log_loss', 'brier']);
const HIGHER_IS_BETTER = new Set(['r2', 'auc', 'auc_roc', 'f1', 'precision', 'recall', 'accuracy', 'average_precision']);

/** Whether a metric (the Python module's names) is minimized or maximized. */
export function metricDirection(metric: string): Direction {
  if (LOWER_IS_BETTER.has(metric)) return 'minimize';
  if (HIGHER_IS_BETTER.has(metric)) return 'maximize';
  throw new ParameterError('metric', `The tuning metric '${metric}' has no known direction. Use one of ${[...LOWER_IS_BETTER, ...HIGHER_IS_BETTER].join(', ')}.`);
}

/** Draws one dimension of a YAML search space through the trial. */
export function suggestDimension(trial: Trial, name: string, d: SearchDimension): ParamValue {
  if (d.type === 'categorical') return trial.suggestCategorical(name, d.choices);
  const options = { ...(d.log !== undefined ? { log: d.log } : {}), ...(d.step !== undefined ? { step: d.step } : {}) };
  if (d.type === 'int') return trial.suggestInt(name, d.low, d.high, options);
  if (d.type === 'float') return trial.suggestFloat(name, d.low, d.high, options);
  throw new ParameterError(name, `Search dimension '${name}' must have type 'int', 'float' or 'categorical'. Got ${describe((d as { type?: unknown }).type)}.`);
}

/**
 * Model-agnostic tuning: a study over a YAML search space whose trials fit a model through `evaluate`,
 * report its per-iteration validation metric, and stop boosting when the pruner says so (the trial is then
 * PRUNED). Resolves to the best parameters and the study summary; retraining on them is the model's job.
 */
export async function tune(options: TuneOptions): Promise<TuneResult> {
  checkKnownOptions('tune', options, ['searchSpace', 'direction', 'evaluate', 'nTrials', 'timeout', 'signal', 'sampler', 'pruner', 'storage', 'studyName', 'loadIfExists', 'onTrial']);
  const names = Object.keys(options.searchSpace ?? {});
  if (names.length === 0) throw new ParameterError('searchSpace', 'tune needs a non-empty search space (tuning.search_space in the model YAML).');
  if (typeof options.evaluate !== 'function') throw new ParameterError('evaluate', `The 'evaluate' option of tune must be a function. Got ${describe(options.evaluate)}.`);
  const study = createStudy({
    direction: options.direction,
    ...(options.sampler ? { sampler: options.sampler } : {}),
    // Round 1 of boosting mostly measures the learning rate: without a warm-up the median pruner kills every slow learner at once.
    pruner: options.pruner ?? new MedianPruner({ nWarmupSteps: DEFAULT_WARMUP_ROUNDS }),
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(options.studyName !== undefined ? { studyName: options.studyName } : {}),
    ...(options.loadIfExists !== undefined ? { loadIfExists: options.loadIfExists } : {}),
  });
  const outer = options.signal;
  await study.optimize(
    async (trial) => {
      const params: Record<string, ParamValue> = {};
      for (const name of names) params[name] = suggestDimension(trial, name, options.searchSpace[name]!);
      const controller = new AbortController();
      const forward = () => controller.abort(outer?.reason);
      outer?.addEventListener('abort', forward, { once: true });
      let pruned = false;
      try {
        const value = await options.evaluate(params, {
          signal: controller.signal,
          trial,
          onIteration: (iteration, metric) => {
            if (pruned || !Number.isFinite(metric)) return;
            trial.report(metric, iteration);
            if (trial.shouldPrune()) {
              pruned = true;
              controller.abort(new TrialPruned(`Trial ${trial.number} was pruned at iteration ${iteration}.`));
            }
          },
        });
        if (pruned) throw new TrialPruned();
        return value;
      } catch (error) {
        // The model rejects with its own AbortError when we stopped it for the pruner.
        if (pruned && !outer?.aborted) throw new TrialPruned(`Trial ${trial.number} was pruned.`);
        throw error;
      } finally {
        outer?.removeEventListener('abort', forward);
      }
    },
    {
      ...(options.nTrials !== undefined ? { nTrials: options.nTrials } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(outer ? { signal: outer } : {}),
      ...(options.onTrial ? { onTrial: options.onTrial } : {}),
    },
  );
  return { study, bestParams: { ...study.bestParams }, bestValue: study.bestValue, summary: study.summary() };
}

/** A model YAML's `tuning` section, as far as a study needs it (@kdap/core validates the file). */
export interface TuningSection {
  metric: string;
  n_trials: number;
  timeout_seconds: number | null;
  search_space: Readonly<Record<string, SearchDimension>>;
}

/**
 * `tune` over a model YAML's `tuning` section: its search space, the metric's direction, `n_trials` and
 * `timeout_seconds`, each of which `options` may override (nTrials, timeout).
 */
export function tuneSection(section: TuningSection, options: Omit<TuneOptions, 'searchSpace' | 'direction'>): Promise<TuneResult> {
  return tune({
    searchSpace: section.search_space,
    direction: metricDirection(section.metric),
    nTrials: section.n_trials,
    ...(section.timeout_seconds === null ? {} : { timeout: section.timeout_seconds }),
    // An option given as undefined keeps the section's value.
    ...(Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as typeof options),
  });
}
