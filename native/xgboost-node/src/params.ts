import { describe, ParameterError } from '@kdap/errors';

/** A parameter value as XGBoost takes it; arrays are for `eval_metric` (several metrics) and constraints. */
export type ParamValue = string | number | boolean | readonly string[] | readonly number[];

/** XGBoost booster parameters (`objective`, `eta`, `max_depth`, `eval_metric`, ...), passed through as strings. */
export type Params = Readonly<Record<string, ParamValue>>;

/** Parameters whose array value XGBoost reads as a tuple string "(a,b,...)". */
const TUPLE_PARAMS = new Set(['monotone_constraints']);

function scalar(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new ParameterError(key, `The '${key}' parameter of XGBoost must be a string, finite number or boolean. Got ${describe(value)}.`);
}

/**
 * The (name, value) pairs to set on a booster, in the order given, as XGBoost's Python package
 * sets them: an `eval_metric` array becomes one pair per metric (XGBoost appends each).
 */
export function paramEntries(params: Params): Array<[string, string]> {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new ParameterError('params', `The 'params' argument of XGBoost must be an object of parameters. Got ${describe(params)}.`);
  }
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      if (key === 'eval_metric') {
        for (const m of value) out.push([key, scalar(key, m)]);
      } else if (TUPLE_PARAMS.has(key)) {
        out.push([key, `(${value.map((v) => scalar(key, v)).join(',')})`]);
      } else {
        throw new ParameterError(key, `The '${key}' parameter of XGBoost must be a string, finite number or boolean. Got ${describe(value)}.`);
      }
    } else {
      out.push([key, scalar(key, value)]);
    }
  }
  return out;
}

/** Number of trees per layer for `best_ntree_limit` (num_parallel_tree, default 1). */
export function numParallelTree(params: Params): number {
  const v = params['num_parallel_tree'];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 1;
  return Number.isInteger(n) && n > 0 ? n : 1;
}
