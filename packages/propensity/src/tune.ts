import type { FeatureTable, TrainerOptions } from '@kdap/core';
import { ParameterError } from '@kdap/errors';
import { tuneSection, type TuneOptions, type TuneResult } from '@kdap/tuning';
import type { PropensityFitOptions, PropensityTrainer } from './trainer';

/** Options of `PropensityTrainer.tune`: the fit's target options and the study's. */
export type PropensityTuneOptions = Pick<PropensityFitOptions, 'target' | 'positiveLabel'> &
  Pick<TuneOptions, 'nTrials' | 'timeout' | 'signal' | 'sampler' | 'pruner' | 'storage' | 'studyName' | 'loadIfExists' | 'onTrial'>;

/** The tuning metric (the Python module's names) -> XGBoost's eval_metric that measures the same per round. */
const PER_ROUND_METRIC: Readonly<Record<string, string>> = { auc_roc: 'auc', auc: 'auc', log_loss: 'logloss', logloss: 'logloss', average_precision: 'aucpr' };

/**
 * Whether the per-round validation metric XGBoost reports (`validation_<eval_metric>`) measures the tuning
 * metric, so the pruner may compare rounds by it; else trials run to the end (no pruning).
 */
export function perRoundMetricName(tuningMetric: string, evalMetric: string): string | undefined {
  return PER_ROUND_METRIC[tuningMetric] === evalMetric ? `validation_${evalMetric}` : undefined;
}

/**
 * `PropensityTrainer.tune`: a TPE study over `tuning.search_space` (XGBoost names as in
 * `hyperparameters.xgboost`) that maximizes `tuning.metric` on the early-stopping rows the trainer
 * splits off (`data.validation_size`; the calibration and metric rows stay unseen), pruning a trial
 * between boosting rounds when its per-round validation metric trails the median. The best
 * parameters are retrained with the same splits; the returned trainer's bundle carries
 * `state/tuning.json`.
 */
export async function tunePropensityTrainer(
  trainer: PropensityTrainer,
  create: (options: TrainerOptions<'propensity'>) => PropensityTrainer,
  table: FeatureTable,
  options: PropensityTuneOptions = {},
): Promise<TuneResult & { trainer: PropensityTrainer }> {
  const { target, positiveLabel, ...studyOptions } = options;
  const { metric } = trainer.config.tuning;
  const fitOptions = { ...(target === undefined ? {} : { target }), ...(positiveLabel === undefined ? {} : { positiveLabel }) };
  const perRound = perRoundMetricName(metric, trainer.config.hyperparameters.xgboost.eval_metric);
  // The configuration already holds the trainer's own params; a trial's params overlay it.
  const trainerOptions = { config: trainer.config, columns: trainer.columns };
  const result = await tuneSection(trainer.config.tuning, {
    ...studyOptions,
    evaluate: async (params, { signal, onIteration }) => {
      const candidate = create({ ...trainerOptions, params });
      try {
        const fit = await candidate.fit(table, {
          ...fitOptions,
          signal,
          onProgress: ({ iteration, metrics }) => {
            if (perRound !== undefined && metrics[perRound] !== undefined) onIteration(iteration, metrics[perRound]);
          },
        });
        const value = fit.validationMetrics?.[metric];
        if (value === undefined) throw new ParameterError('metric', `The propensity tuning.metric '${metric}' is not among the validation metrics (${Object.keys(fit.validationMetrics ?? {}).join(', ')}). Set tuning.metric to one of them.`);
        return value;
      } finally {
        candidate.dispose();
      }
    },
  });
  const best = create({ ...trainerOptions, params: result.bestParams });
  best.tuningSummary = result.summary;
  await best.fit(table, { ...fitOptions, ...(options.signal ? { signal: options.signal } : {}) });
  return { ...result, trainer: best };
}
