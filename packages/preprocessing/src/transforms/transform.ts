import { NotFittedError, ParameterError, SchemaError, describeValue } from '../errors';
import type { Table } from '../table/table';
import type { ColumnKind } from '../table/column';

/** The JSON form of a fitted (or unfitted) transform: enough to rebuild it exactly. */
export interface TransformJSON {
  readonly kind: string;
  readonly version: 1;
  readonly params: Record<string, unknown>;
  readonly state: Record<string, unknown> | null;
}

/**
 * A fitted transform: `fit` learns state from training data, `transform` applies that state to
 * any table (train, valid, test, or one scoring record), `toJSON` saves params + state.
 */
export interface Transform {
  /** Identifies the transform in JSON. */
  readonly kind: string;
  readonly isFitted: boolean;
  fit(table: Table): this;
  transform(table: Table): Table;
  fitTransform(table: Table): Table;
  toJSON(): TransformJSON;
}

/** Shared plumbing: parameter checks, "not fitted" errors and column-kind checks. */
export abstract class ColumnTransform<State> implements Transform {
  abstract readonly kind: string;
  protected fitted: State | undefined;

  protected constructor(readonly columns: readonly string[], owner: string) {
    if (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string')) {
      throw new ParameterError('columns', `The 'columns' option of ${owner} must be a non-empty array of column names. Got ${describeValue(columns)}.`);
    }
  }

  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  abstract fit(table: Table): this;
  abstract transform(table: Table): Table;
  abstract toJSON(): TransformJSON;

  fitTransform(table: Table): Table {
    return this.fit(table).transform(table);
  }

  /**
   * Rebuilds a transform saved with `toJSON`: checks the JSON (checkTransformJSON with
   * `perColumnState`), constructs the transform from the saved params and installs the saved state,
   * through `savedState` where JSON cannot hold it as is, as the fitted state. Call it through the
   * class (`Imputer.restore`), not `this`: pipelines call `fromJSON` unbound.
   */
  protected static restore<T extends ColumnTransform<unknown>, Params>(
    json: unknown,
    kind: string,
    perColumnState: readonly string[],
    construct: (params: Params) => T,
    savedState: (state: Record<string, unknown>) => unknown = (state) => state,
  ): T {
    const parsed = checkTransformJSON(json, kind, perColumnState);
    const transform = construct(parsed.params as unknown as Params);
    if (parsed.state) transform.fitted = savedState(parsed.state);
    return transform;
  }

  /** The learned state, or a NotFittedError saying what to call. */
  protected get state(): State {
    if (this.fitted === undefined) {
      throw new NotFittedError(this.constructor.name, 'transform', 'fit(trainTable)');
    }
    return this.fitted;
  }

  /** Refuses columns whose kind this transform cannot handle. */
  protected requireKinds(table: Table, allowed: readonly ColumnKind[]): void {
    for (const name of this.columns) {
      const kind = table.column(name).kind;
      if (!allowed.includes(kind)) {
        throw new SchemaError(
          `${this.constructor.name} cannot use column '${name}': it is ${kind}, and ${this.constructor.name} handles ${allowed.join(' or ')} columns.`,
          { column: name },
        );
      }
    }
  }
}

/**
 * Checks the envelope of a transform's JSON before its fields are trusted, and that each of
 * `perColumnState` is an array with one entry per column (a truncated bundle must not turn into
 * silent NaNs at scoring time).
 */
export function checkTransformJSON(json: unknown, kind: string, perColumnState: readonly string[] = []): TransformJSON {
  const candidate = json as Partial<TransformJSON> | null;
  if (candidate === null || typeof candidate !== 'object' || candidate.kind !== kind || candidate.version !== 1 || typeof candidate.params !== 'object') {
    throw new ParameterError('json', `Expected the JSON of a '${kind}' transform (version 1). Got ${describeValue(json)}.`);
  }
  const columns = (candidate.params as { columns?: unknown }).columns;
  if (candidate.state !== null && candidate.state !== undefined && Array.isArray(columns)) {
    for (const key of perColumnState) {
      const entries = (candidate.state as Record<string, unknown>)[key];
      if (!Array.isArray(entries) || entries.length !== columns.length) {
        throw new ParameterError(
          'json',
          `The JSON of the '${kind}' transform is damaged: state '${key}' must hold one entry per column (${columns.length}). Got ${describeValue(entries)}.`,
        );
      }
    }
  }
  return candidate as TransformJSON;
}
