import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AnomalyDetector } from '@kdap/anomaly';
import { BudgetOptimizer } from '@kdap/budget';
import { loadBundle, type BundleKey, type BundleSignatureStatus, type FeatureSpec, type LoadedBundle } from '@kdap/core';
import { BundleError, DisposedError, ParameterError, SchemaError, describe } from '@kdap/errors';
import { PropensityScorer } from '@kdap/propensity';
import { checkRecords } from './request-records';

/** A model bundle loaded for serving: its schema, and batch scoring to the model's documented records. */
export interface LoadedModel {
  /** The name requests use (`/score/<name>`), default: the bundle directory's name. */
  readonly name: string;
  readonly kind: string;
  readonly features: readonly FeatureSpec[];
  /** Example request record for the OpenAPI document. */
  readonly example: Record<string, unknown>;
  /** Field-level checks of a request's records before scoring (throws a typed error naming `data[i].field`). */
  check(records: readonly Record<string, unknown>[]): void;
  /** Scores a batch (one native call per batch where the model allows). */
  score(records: readonly Record<string, unknown>[]): Record<string, unknown>[];
  readonly disposed: boolean;
  dispose(): void;
  /**
   * What loading established about the bundle's signature: 'verified' (signed with the server's
   * key), 'unverified' (signed, but no key was given: only checksums were checked) or 'unsigned'.
   */
  readonly signature: BundleSignatureStatus;
}

export interface LoadModelOptions {
  /** Requires bundles signed with this key; default: `KDAP_BUNDLE_KEY` when set (see @kdap/core's bundles). */
  signingKey?: BundleKey;
}

/**
 * Reads the bundle's kind from its manifest, verifies the bundle (checksums, and the signature
 * when a key is set) and loads it with that model's class.
 */
export async function loadModel(dir: string, name = path.basename(path.resolve(dir)), options: LoadModelOptions = {}): Promise<LoadedModel> {
  let kind: unknown;
  try {
    kind = (JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { kind?: unknown }).kind;
  } catch {
    throw new BundleError(dir, `There is no readable model bundle at '${dir}' (manifest.json missing or not JSON). Point the server at a directory written by 'kdap train' or trainer.save().`);
  }
  if (kind !== 'budget' && kind !== 'propensity' && kind !== 'anomaly') {
    throw new BundleError(dir, `Model bundle '${dir}' holds a '${String(kind)}' model, which this scoring server cannot serve (it serves: budget, propensity, anomaly).`);
  }
  const { signingKey } = options;
  const bundle = await loadBundle(dir, { kind, signingKey });
  let model: Omit<LoadedModel, 'signature'>;
  if (kind === 'budget') model = budgetModel(name, await BudgetOptimizer.load(dir, { signingKey }));
  else if (kind === 'propensity') model = propensityModel(name, await PropensityScorer.load(dir, { signingKey }), bundle.featureSchema.features);
  else model = anomalyModel(name, await AnomalyDetector.load(dir, { signingKey }), anomalyColumns(dir, bundle));
  return Object.defineProperty(model, 'signature', { value: bundle.signature, enumerable: true }) as LoadedModel;
}

function budgetModel(name: string, optimizer: BudgetOptimizer): Omit<LoadedModel, 'signature'> {
  let disposed = false;
  const features = optimizer.featureSchema.features;
  return {
    name,
    kind: 'budget',
    features,
    // Records may use the user's own column names (the model's `columns` mapping) or the model's.
    check: (records) => checkRecords(records.map((r) => optimizer.toModelNames(r)), features),
    example: { channel_id: features.find((f) => f.name === 'channel_id')?.categories?.[0] ?? 'search', current_spend: 50000, historical_roi_mean: 2.5 },
    score(records) {
      if (disposed) throw new DisposedError(`Model '${name}'`);
      return optimizer.recommendMany(records) as unknown as Record<string, unknown>[];
    },
    get disposed() {
      return disposed;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      (optimizer as { dispose?: () => void }).dispose?.();
    },
  };
}

/** Wraps a disposable model's scoring so a disposed model throws DisposedError. */
function served(name: string, kind: string, features: readonly FeatureSpec[], example: Record<string, unknown>, check: LoadedModel['check'], score: LoadedModel['score'], release: () => void): Omit<LoadedModel, 'signature'> {
  let disposed = false;
  return {
    name,
    kind,
    features,
    example,
    check,
    score(records) {
      if (disposed) throw new DisposedError(`Model '${name}'`);
      return score(records);
    },
    get disposed() {
      return disposed;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      release();
    },
  };
}

function propensityModel(name: string, scorer: PropensityScorer, features: readonly FeatureSpec[]): Omit<LoadedModel, 'signature'> {
  const example: Record<string, unknown> = { customer_id: 'C000001' };
  for (const f of features) example[f.name] = f.kind === 'numeric' ? 1 : (f.categories?.[0] ?? 'unknown');
  return served(
    name,
    'propensity',
    features,
    example,
    (records) => checkRecords(records, features),
    (records) => scorer.scoreMany(records as never) as unknown as Record<string, unknown>[],
    () => scorer.dispose(),
  );
}

/**
 * The anomaly bundle's feature schema describes what the detector encodes (the date as epoch
 * ms, a numeric column), not what a request sends (an ISO date string or epoch ms). So the
 * request is checked field by field here: the date parses, the value is a finite number, each
 * entity column is a string. `features` describes the request fields for the OpenAPI document
 * (the date as a string).
 */
function anomalyModel(name: string, detector: AnomalyDetector, columns: AnomalyColumns): Omit<LoadedModel, 'signature'> {
  const specs = detector.schema.features;
  const features: FeatureSpec[] = [
    { name: columns.date, kind: 'categorical', required: true },
    { name: columns.value, kind: 'numeric', required: true },
    ...columns.entities.map((e) => ({ name: e, kind: 'categorical' as const, required: true, ...(specs.find((s) => s.name === e)?.categories ? { categories: specs.find((s) => s.name === e)!.categories! } : {}) })),
  ];
  const example: Record<string, unknown> = { [columns.date]: '2024-03-01', [columns.value]: 1250.5 };
  for (const f of features.slice(2)) example[f.name] = f.categories?.[0] ?? 'search';
  const check = (records: readonly Record<string, unknown>[]) =>
    records.forEach((record, i) => {
      for (const f of features) {
        const value = record[f.name];
        const field = `data[${i}].${f.name}`;
        if (value === undefined || value === null) throw new SchemaError(`${field} is missing: the model needs '${f.name}' in every record.`, { column: f.name });
        if (f.name === columns.date) {
          const ms = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
          if (!Number.isFinite(ms)) throw new ParameterError(field, `${field} must be a date (an ISO date string such as '2024-03-01', or epoch milliseconds). Got ${describe(value)}.`);
        } else if (f.kind === 'numeric') {
          if (typeof value !== 'number' || !Number.isFinite(value)) throw new ParameterError(field, `${field} must be a finite number. Got ${describe(value)}.`);
        } else if (typeof value !== 'string') {
          throw new ParameterError(field, `${field} must be a string (a category). Got ${describe(value)}.`);
        }
      }
    });
  return served(name, 'anomaly', features, example, check, (records) => detector.detect(records as never) as unknown as Record<string, unknown>[], () => detector.dispose());
}

interface AnomalyColumns {
  date: string;
  value: string;
  entities: string[];
}

/** The request columns of an anomaly bundle (its state; the detector keeps them private). */
function anomalyColumns(dir: string, bundle: LoadedBundle): AnomalyColumns {
  const bytes = bundle.modelFiles['anomaly_state.json'];
  const columns = bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as { columns?: AnomalyColumns }).columns;
  if (columns === undefined) throw new BundleError(dir, `Model bundle '${dir}' has no column names in anomaly_state.json; it was not written by AnomalyDetectorTrainer.`);
  return columns;
}
