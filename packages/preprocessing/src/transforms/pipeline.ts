import { ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import type { Transform, TransformJSON } from './transform';
import { Clipper } from './clipper';
import { Imputer } from './imputer';
import { Log1p } from './log1p';
import { OneHotEncoder } from './one-hot-encoder';
import { OrdinalEncoder } from './ordinal-encoder';
import { MinMaxScaler, RobustScaler, StandardScaler } from './scalers';

const FROM_JSON: Readonly<Record<string, (json: unknown) => Transform>> = {
  imputer: Imputer.fromJSON,
  standard_scaler: StandardScaler.fromJSON,
  robust_scaler: RobustScaler.fromJSON,
  min_max_scaler: MinMaxScaler.fromJSON,
  ordinal_encoder: OrdinalEncoder.fromJSON,
  one_hot_encoder: OneHotEncoder.fromJSON,
  log1p: Log1p.fromJSON,
  clipper: Clipper.fromJSON,
  pipeline: (json) => Pipeline.fromJSON(json),
};

/** Rebuilds any transform (or pipeline) from its JSON. */
export function transformFromJSON(json: unknown): Transform {
  const kind = (json as { kind?: unknown } | null)?.kind;
  const build = typeof kind === 'string' ? FROM_JSON[kind] : undefined;
  if (build === undefined) {
    throw new ParameterError('json', `Unknown transform kind ${describeValue(kind)}. Known kinds: ${Object.keys(FROM_JSON).join(', ')}.`);
  }
  return build(json);
}

/**
 * Transforms applied in order: `fit` fits each step on the output of the previous one (training
 * data only), `transform` applies the fitted steps to any table, and the whole pipeline saves to
 * and loads from JSON so scoring applies exactly the training-time transforms.
 */
export class Pipeline implements Transform {
  readonly kind = 'pipeline';
  readonly steps: readonly Transform[];

  constructor(steps: readonly Transform[]) {
    if (!Array.isArray(steps) || steps.some((step) => typeof (step as Partial<Transform>)?.transform !== 'function')) {
      throw new ParameterError('steps', `The 'steps' argument of Pipeline must be an array of transforms. Got ${describeValue(steps)}.`);
    }
    this.steps = [...steps];
  }

  get isFitted(): boolean {
    return this.steps.every((step) => step.isFitted);
  }

  fit(table: Table): this {
    let current = table;
    for (const step of this.steps) current = step.fitTransform(current);
    return this;
  }

  fitTransform(table: Table): Table {
    let current = table;
    for (const step of this.steps) current = step.fitTransform(current);
    return current;
  }

  transform(table: Table): Table {
    let current = table;
    for (const step of this.steps) current = step.transform(current);
    return current;
  }

  toJSON(): TransformJSON {
    return { kind: this.kind, version: 1, params: { steps: this.steps.map((step) => step.toJSON()) }, state: null };
  }

  static fromJSON(json: unknown): Pipeline {
    const candidate = json as { kind?: unknown; params?: { steps?: unknown } } | null;
    if (candidate?.kind !== 'pipeline' || !Array.isArray(candidate.params?.steps)) {
      throw new ParameterError('json', `Expected the JSON of a 'pipeline' transform (version 1). Got ${describeValue(json)}.`);
    }
    return new Pipeline(candidate.params.steps.map(transformFromJSON));
  }
}
