import type { AnomalyDetectorConfig, DeepPartial, FeatureTable } from '@kdap/core';
import { validationSplit } from '@kdap/core';
import { ParameterError } from '@kdap/errors';
import { tuneSection, type ParamValue, type TuneOptions, type TuneResult } from '@kdap/tuning';
import type { AnomalyDetectorTrainer, AnomalyDetectorTrainerOptions } from './trainer';

/** Options of `AnomalyDetectorTrainer.tune`. */
export interface AnomalyTuneOptions extends Pick<TuneOptions, 'nTrials' | 'timeout' | 'signal' | 'sampler' | 'pruner' | 'storage' | 'studyName' | 'loadIfExists' | 'onTrial'> {
  /** The label column (1 = anomaly) the metric is computed on; default `features.target`. */
  target?: string;
  /** Rows of the latest dates to score trials on; default the latest `data.validation_size` share of the dates of `table`. */
  validation?: FeatureTable;
}

type Setting = 'isolation_forest' | 'lof' | 'contamination';

/**
 * Where a search dimension goes in the configuration: Isolation Forest and LOF hyperparameters keep their
 * scikit-learn names; `contamination` is `detection.contamination` (the names @kdap/core's schema allows).
 */
function settingOf(name: string, config: AnomalyDetectorConfig): Setting {
  if (name in config.hyperparameters.isolation_forest) return 'isolation_forest';
  if (name in config.hyperparameters.lof) return 'lof';
  if (name === 'contamination') return name;
  const names = [...Object.keys(config.hyperparameters.isolation_forest), ...Object.keys(config.hyperparameters.lof), 'contamination'];
  throw new ParameterError(name, `The search dimension '${name}' of the anomaly tuning.search_space is not a detector setting. Use one of ${names.join(', ')}.`);
}

/** The configuration overrides that set a trial's parameters. */
function overridesOf(params: Readonly<Record<string, ParamValue>>, config: AnomalyDetectorConfig): DeepPartial<AnomalyDetectorConfig> {
  const forest: Record<string, unknown> = {};
  const lof: Record<string, unknown> = {};
  const detection: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const setting = settingOf(name, config);
    if (setting === 'isolation_forest') forest[name] = value;
    else if (setting === 'lof') lof[name] = value;
    else detection.contamination = value;
  }
  return { hyperparameters: { isolation_forest: forest, lof }, detection } as DeepPartial<AnomalyDetectorConfig>;
}

/**
 * `AnomalyDetectorTrainer.tune`: a TPE study over `tuning.search_space` (forest and LOF settings, the
 * contamination) that scores each candidate detector by `tuning.metric` (F1 by default)
 * against a label column on the latest dates (every trial fits on the same earlier rows), then refits with the
 * best settings on the same split, so the bundle's validation metrics are the best trial's. The detector has
 * no boosting rounds, so there is nothing to prune mid-trial. The returned trainer's bundle carries
 * `state/tuning.json`.
 */
export async function tuneAnomalyDetectorTrainer(
  trainer: AnomalyDetectorTrainer,
  create: (options: AnomalyDetectorTrainerOptions) => AnomalyDetectorTrainer,
  table: FeatureTable,
  options: AnomalyTuneOptions = {},
): Promise<TuneResult & { trainer: AnomalyDetectorTrainer }> {
  const { target: givenTarget, validation: givenValidation, ...studyOptions } = options;
  const config = trainer.config;
  const { metric, search_space } = config.tuning;
  for (const name of Object.keys(search_space)) settingOf(name, config); // before any trial
  const target = givenTarget ?? config.features.target ?? undefined;
  if (target === undefined || !table.columnNames.includes(target)) {
    throw new ParameterError(
      'target',
      target === undefined
        ? `Tuning the Anomaly Detector scores detectors by ${metric} against labels: pass target (a 0/1 column, 1 = anomaly; kdap: --target) or set features.target.`
        : `The label column '${target}' to tune the Anomaly Detector on is not in the table (its columns: ${table.columnNames.join(', ')}). Pass the 0/1 column that marks anomalies as target.`,
    );
  }
  let train = table;
  let validation = givenValidation;
  if (validation === undefined) {
    const date = config.features.date_column;
    const split = validationSplit(table, { fraction: config.data.validation_size, ...(table.columnNames.includes(date) && table.column(date).kind === 'date' ? { dateColumn: date } : {}) });
    train = split.train;
    validation = split.validation;
  }
  const base = { config, columns: trainer.columns, minHistoryDays: trainer.minHistoryDays };
  const result = await tuneSection(config.tuning, {
    ...studyOptions,
    evaluate: async (params, { signal }) => {
      const candidate = create({ ...base, overrides: overridesOf(params, config) });
      try {
        const fit = await candidate.fit(train, { target, validation, signal });
        const value = fit.validationMetrics?.[metric];
        if (value === undefined) throw new ParameterError('metric', `The anomaly tuning.metric '${metric}' is not among the validation metrics (${Object.keys(fit.validationMetrics ?? {}).join(', ')}). Set tuning.metric to one of them.`);
        return value;
      } finally {
        candidate.dispose();
      }
    },
  });
  const best = create({ ...base, overrides: overridesOf(result.bestParams, config) });
  best.tuningSummary = result.summary;
  await best.fit(train, { target, validation, ...(options.signal ? { signal: options.signal } : {}) });
  return { ...result, trainer: best };
}
