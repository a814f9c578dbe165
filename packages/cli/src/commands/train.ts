import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleKeyFromEnv, COLUMN_ROLES, loadConfig, type ModelKind, type TrainResult } from '@kdap/core';
import { isKdapError, TrackingError, UsageError } from '@kdap/errors';
import { defaultTrackingUri } from '@kdap/mlflow';
import { readTable, type Table } from '@kdap/preprocessing';
import type { CommandContext } from '../context';
import { CLI_MODELS } from '../models';
import { formatMetric, TrainingProgressView } from '../progress';
import { summarizeColumns } from '../report/column-summary';
import { writeReport } from '../report/write-report';
import { logTrialRuns, type TrialRecord } from './tuning-runs';

export interface TrainFlags {
  data?: string;
  target?: string;
  samples?: number;
  output: string;
  tune?: boolean;
  trials?: number;
  mlflow?: boolean;
  config?: string;
  seed: number;
  /** false with --no-report. */
  report: boolean;
  /** Column mapping flags: the trainers' `columns` option (roles per model: COLUMN_ROLES). */
  channelColumn?: string;
  spendColumn?: string;
  dateColumn?: string;
  idColumn?: string;
  /** Comma-separated. */
  seriesColumn?: string;
  valueColumn?: string;
}

/** Each column flag, the role it sets and the models that have that role. */
const COLUMN_FLAGS = [
  { flag: '--channel-column', key: 'channelColumn', role: 'channel' },
  { flag: '--spend-column', key: 'spendColumn', role: 'spend' },
  { flag: '--date-column', key: 'dateColumn', role: 'date' },
  { flag: '--id-column', key: 'idColumn', role: 'id' },
  { flag: '--series-column', key: 'seriesColumn', role: 'series' },
  { flag: '--value-column', key: 'valueColumn', role: 'value' },
] as const;

/** The `columns` option the column flags ask for; a flag the model has no role for is a usage error. */
export function columnsFromFlags(modelName: string, kind: ModelKind, flags: TrainFlags): Record<string, string | string[]> {
  const roles: readonly string[] = COLUMN_ROLES[kind];
  const columns: Record<string, string | string[]> = {};
  for (const { flag, key, role } of COLUMN_FLAGS) {
    const value = flags[key];
    if (value === undefined) continue;
    if (!roles.includes(role)) {
      const models = (Object.keys(COLUMN_ROLES) as ModelKind[]).filter((k) => (COLUMN_ROLES[k] as readonly string[]).includes(role));
      throw new UsageError(`${flag} applies to ${models.join(' and ')} models, not '${modelName}'. Its column flags: ${COLUMN_FLAGS.filter((f) => roles.includes(f.role)).map((f) => f.flag).join(', ')}.`);
    }
    const names = role === 'series' ? value.split(',').map((n) => n.trim()) : [value];
    if (names.some((n) => n === '')) throw new UsageError(`${flag} needs ${role === 'series' ? 'column names separated by commas' : 'a column name'}. Got '${value}'.`);
    columns[role] = role === 'series' ? names : value;
  }
  return columns;
}

/** The machine-readable result of `kdap train --json`. */
export interface TrainSummary {
  model: string;
  bundle: string;
  /** With --mlflow: the MLflow run id and where it was logged; with --tune too, the trials' nested runs. */
  mlflow: { run_id: string; tracking_uri: string; trial_run_ids?: string[] } | null;
  /** The HTML training report, or null with --no-report. */
  report: string | null;
  data: { source: string; rows: number; columns: number };
  target: string | null;
  /** The column flags' mapping (role -> your column), saved in the bundle. */
  columns: Record<string, string | string[]>;
  best_iteration: number;
  metrics: Readonly<Record<string, number>>;
  /** With --tune: the study's outcome (the bundle was fitted with best_params). */
  tuning: { trials: number; metric: string; best_value: number; best_params: Record<string, unknown> } | null;
  /** Which rows the metrics come from (the trainer's label: 'held_out', 'validation' or 'training'). */
  metrics_from: string;
  timings_ms: TrainResult['timings'] & { read: number; save: number };
}

/** `kdap train <model>`: read or synthesize data, fit with progress, save the bundle, summarize. */
export async function trainCommand(modelName: string, flags: TrainFlags, ctx: CommandContext): Promise<TrainSummary> {
  const model = CLI_MODELS[modelName]!;
  const { out } = ctx;
  // Before training: a bad KDAP_BUNDLE_KEY must not cost a training run.
  const signingKey = bundleKeyFromEnv(ctx.env);
  const tuning = flags.tune === true || flags.trials !== undefined;
  if (tuning && model.tune === undefined) {
    throw new UsageError(`--tune and --trials are not available for '${modelName}' yet: its trainer has no tune(). Train without them.`);
  }
  const config = flags.config === undefined ? undefined : loadConfig(model.kind, { configDir: path.resolve(ctx.cwd, flags.config) });
  const columns = columnsFromFlags(modelName, model.kind, flags);

  const readStarted = performance.now();
  let table: Table;
  let source: string;
  if (flags.data !== undefined) {
    if (flags.samples !== undefined) out.info(`note: --samples is ignored because --data is given (it sizes synthetic data only).`);
    const file = path.resolve(ctx.cwd, flags.data);
    table = await readTable(file);
    source = flags.data;
  } else {
    const samples = flags.samples ?? model.defaultSamples;
    table = model.synthesize(samples, flags.seed);
    source = `synthetic (${samples} ${model.samplesMeaning}, seed ${flags.seed})`;
  }
  const readMs = performance.now() - readStarted;
  out.info(`${out.bold(model.title)}: ${table.rowCount.toLocaleString('en-US')} rows x ${table.columnNames.length} columns from ${source}`);

  let trainer = model.createTrainer(config, columns);
  const view = tuning ? new TrainingProgressView(out, 'tuning', 'trial') : new TrainingProgressView(out, 'training');
  let result: TrainResult;
  let tuned: TrainSummary['tuning'] = null;
  let trials: readonly TrialRecord[] = [];
  try {
    try {
      if (tuning) {
        const nTrials = flags.trials ?? (trainer as unknown as { config: { tuning: { n_trials: number } } }).config.tuning.n_trials;
        const started = performance.now();
        const outcome = await model.tune!(trainer, table, {
          nTrials,
          signal: ctx.signal,
          ...(flags.target !== undefined ? { target: flags.target } : {}),
          onTrial: (trial, best) =>
            view.update({ iteration: trial.number + 1, totalIterations: nTrials, metrics: best === undefined ? {} : { best: best }, elapsedMs: performance.now() - started }),
        });
        trainer.dispose?.();
        trainer = outcome.trainer;
        result = (trainer as unknown as { result: TrainResult }).result;
        tuned = { trials: nTrials, metric: outcome.metric, best_value: outcome.bestValue, best_params: outcome.bestParams };
        trials = outcome.trials;
      } else {
        result = await trainer.fit(table, {
          ...(flags.target !== undefined ? { target: flags.target } : {}),
          signal: ctx.signal,
          onProgress: (p) => view.update(p),
        }).catch((error: unknown) => {
          throw withColumnFlagHint(error);
        });
      }
    } finally {
      view.stop();
    }
    const bundle = path.resolve(ctx.cwd, flags.output, model.bundleName);
    const saveStarted = performance.now();
    const replaced = existsSync(bundle);
    await trainer.save(bundle, { signingKey });
    const saveMs = performance.now() - saveStarted;
    out.debug(`${replaced ? 'replaced' : 'wrote'} ${bundle}`);
    let report: string | null = null;
    if (flags.report) {
      report = path.resolve(ctx.cwd, flags.output, `${model.bundleName}.report.html`);
      const parts = model.report(trainer, table);
      await writeReport(report, {
        title: `${model.title} training report`,
        model: model.kind,
        createdAt: new Date().toISOString(),
        bundle,
        data: { source, rows: table.rowCount, columns: summarizeColumns(table) },
        target: flags.target ?? null,
        metrics: result.metrics,
        metricsFrom: metricsFrom(result),
        bestIteration: result.bestIteration,
        history: result.history,
        importance: parts.importance,
        importanceKind: parts.importanceKind,
        sections: parts.sections,
        timings: { read: readMs, encode: result.timings.encodeMs, fit: result.timings.fitMs, evaluate: result.timings.evaluateMs, save: saveMs },
      });
    }
    let mlflow: TrainSummary['mlflow'] = null;
    if (flags.mlflow) {
      const runName = `${model.bundleName}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        const runId = await trainer.logToMlflow({ runName, ...(report === null ? {} : { artifacts: { 'report.html': report } }) });
        const { config: trainedConfig } = trainer as unknown as { config: { mlflow: { tracking_uri?: string | null; experiment_name: string } } };
        const uri = defaultTrackingUri(trainedConfig.mlflow.tracking_uri);
        mlflow = { run_id: runId, tracking_uri: uri };
        out.info(`logged MLflow run '${runName}' (${runId})`);
        if (tuned !== null) {
          // The parent run holds the refitted model; each trial gets a nested run under it.
          const children = await logTrialRuns({ parentRunId: runId, parentRunName: runName, experimentName: trainedConfig.mlflow.experiment_name, trackingUri: trainedConfig.mlflow.tracking_uri, model: model.kind, metric: tuned.metric, trials, config: trainedConfig });
          mlflow.trial_run_ids = children;
          out.info(`logged ${children.length} trial runs nested under it`);
        }
      } catch (error) {
        // Tracking never loses the model: it is saved above; say where, and how to log it later.
        if (!isKdapError(error)) throw error;
        throw new TrackingError(`${error.message} The model bundle is saved at ${bundle}${report ? ` and the report at ${report}` : ''}; only the MLflow run is missing.`, { cause: error });
      }
    }
    return {
      model: model.kind,
      bundle,
      mlflow,
      report,
      data: { source, rows: table.rowCount, columns: table.columnNames.length },
      target: flags.target ?? null,
      columns,
      best_iteration: result.bestIteration,
      metrics: result.metrics,
      tuning: tuned,
      metrics_from: metricsFrom(result),
      timings_ms: { ...result.timings, read: readMs, save: saveMs },
    };
  } finally {
    trainer.dispose?.();
  }
}

/** A missing-column error that points at the library's `columns` option also names the flag. */
function withColumnFlagHint(error: unknown): unknown {
  if (!isKdapError(error, 'ERR_KDAP_SCHEMA')) return error;
  const role = /option columns\.(\w+)|columns: \{ (\w+):/.exec(error.message);
  const flag = COLUMN_FLAGS.find((f) => f.role === (role?.[1] ?? role?.[2]));
  if (flag === undefined) return error;
  error.message = `${error.message} On the command line: ${flag.flag} <name>.`;
  return error;
}

/** The trainer's own label for the rows the metrics come from. */
function metricsFrom(result: TrainResult): string {
  return result.metricsSet;
}

/** The final summary table a person reads. */
export function printTrainSummary(summary: TrainSummary, ctx: CommandContext): void {
  const { out } = ctx;
  const rows: [string, string][] = [
    ['rows', summary.data.rows.toLocaleString('en-US')],
    ['columns', String(summary.data.columns)],
    ['best iteration', String(summary.best_iteration)],
    ...(summary.tuning
      ? [[`tuning (${summary.tuning.trials} trials)`, `best validation ${summary.tuning.metric} ${formatMetric(summary.tuning.best_value)} with ${Object.entries(summary.tuning.best_params).map(([k, v]) => `${k}=${typeof v === 'number' ? formatMetric(v) : String(v)}`).join(', ')}`] as [string, string]]
      : []),
    ...Object.entries(summary.metrics).map(([name, value]): [string, string] => [`${name} (${summary.metrics_from})`, formatMetric(value)]),
    ['read', `${(summary.timings_ms.read / 1000).toFixed(2)} s`],
    ['train', `${(summary.timings_ms.totalMs / 1000).toFixed(2)} s`],
    ['save', `${(summary.timings_ms.save / 1000).toFixed(2)} s`],
    ['bundle', summary.bundle],
    ...(summary.report ? [['report', summary.report] as [string, string]] : []),
    ...(summary.mlflow ? [['mlflow run', `${summary.mlflow.run_id} at ${summary.mlflow.tracking_uri}`] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  out.result('');
  for (const [k, v] of rows) out.result(`  ${out.dim(k.padEnd(width))}  ${v}`);
  out.result('');
  out.result(out.green(`Saved ${summary.model} model to ${summary.bundle}`));
}
