import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BudgetOptimizer } from '@kdap/budget';
import type { FeatureSpec } from '@kdap/core';
import { BundleError, DisposedError } from '@kdap/errors';

/** A model bundle loaded for serving: its schema, and batch scoring to the model's documented records. */
export interface LoadedModel {
  /** The name requests use (`/score/<name>`), default: the bundle directory's name. */
  readonly name: string;
  readonly kind: string;
  readonly features: readonly FeatureSpec[];
  /** Example request record for the OpenAPI document. */
  readonly example: Record<string, unknown>;
  /** Scores a batch (one native call per batch where the model allows). */
  score(records: readonly Record<string, unknown>[]): Record<string, unknown>[];
  readonly disposed: boolean;
  dispose(): void;
}

/** Reads the bundle's kind from its manifest and loads it with that model's class. */
export async function loadModel(dir: string, name = path.basename(path.resolve(dir))): Promise<LoadedModel> {
  let kind: unknown;
  try {
    kind = (JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { kind?: unknown }).kind;
  } catch {
    throw new BundleError(dir, `There is no readable model bundle at '${dir}' (manifest.json missing or not JSON). Point the server at a directory written by 'kdap train' or trainer.save().`);
  }
  switch (kind) {
    case 'budget':
      return budgetModel(name, await BudgetOptimizer.load(dir));
    default:
      throw new BundleError(dir, `Model bundle '${dir}' holds a '${String(kind)}' model, which this scoring server cannot serve yet (it serves: budget).`);
  }
}

function budgetModel(name: string, optimizer: BudgetOptimizer): LoadedModel {
  let disposed = false;
  const features = optimizer.featureSchema.features;
  return {
    name,
    kind: 'budget',
    features,
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
