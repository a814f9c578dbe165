import { DataError, ParameterError } from '@kdap/errors';

/** Numbers a metric accepts: plain arrays or typed arrays. */
export type Numbers = ArrayLike<number>;

/** Labels of a binary target: 0/1 numbers or booleans. */
export type BinaryLabels = ArrayLike<number | boolean>;

/**
 * The values as a Float64Array, rejecting NaN and infinities (scikit-learn does the same). A
 * Float64Array is checked and returned as it is, not copied: no metric writes into its inputs
 * (a propensity fit's metrics copied the 112,000 training scores and labels about ten times).
 */
export function finiteValues(metric: string, name: string, values: Numbers): Float64Array {
  const out = values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      throw new ParameterError(name, `The '${name}' argument of ${metric} must hold finite numbers. Got ${out[i]} at index ${i}.`);
    }
  }
  return out;
}

/**
 * 0/1 as a Float64Array; anything else is an error (the models' targets are binary). A
 * Float64Array of 0/1 is returned as it is, not copied (see finiteValues).
 */
export function binaryLabels(metric: string, name: string, labels: BinaryLabels): Float64Array {
  // Typed labels (what the trainers pass) take a monomorphic check: the generic loop's element
  // reads see arrays, booleans and typed arrays alike, and its checks were called about ten
  // times per classificationMetrics of 115,000 training rows.
  if (labels instanceof Float64Array && allBinary(labels)) return labels;
  if (labels instanceof Uint8Array) {
    const out = Float64Array.from(labels);
    if (allBinary(out)) return out;
  }
  const out = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v === false || v === 0) out[i] = 0;
    else throw new ParameterError(name, `The '${name}' argument of ${metric} must hold binary labels (0/1 or booleans). Got ${String(v)} at index ${i}.`);
  }
  return out;
}

function allBinary(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== 1) return false;
  }
  return true;
}

/** Non-negative finite weights, one per sample. */
export function sampleWeights(metric: string, weights: Numbers | undefined, n: number): Float64Array | undefined {
  if (weights === undefined) return undefined;
  const w = finiteValues(metric, 'sampleWeight', weights);
  if (w.length !== n) {
    throw new ParameterError('sampleWeight', `The 'sampleWeight' option of ${metric} must hold one weight per sample (${n}). Got ${w.length}.`);
  }
  for (let i = 0; i < w.length; i++) {
    if (w[i]! < 0) throw new ParameterError('sampleWeight', `The 'sampleWeight' option of ${metric} must hold weights >= 0. Got ${w[i]} at index ${i}.`);
  }
  return w;
}

export function sameLength(metric: string, a: { length: number }, b: { length: number }, names: [string, string]): void {
  if (a.length !== b.length) {
    throw new ParameterError(names[1], `The '${names[0]}' and '${names[1]}' arguments of ${metric} must have the same length. Got ${a.length} and ${b.length}.`);
  }
  if (a.length === 0) throw new DataError(`${metric} needs at least one sample. Got none.`);
}

export function probabilities(metric: string, name: string, values: Numbers): Float64Array {
  const p = finiteValues(metric, name, values);
  for (let i = 0; i < p.length; i++) {
    if (p[i]! < 0 || p[i]! > 1) throw new ParameterError(name, `The '${name}' argument of ${metric} must hold probabilities in [0, 1]. Got ${p[i]} at index ${i}.`);
  }
  return p;
}

/** A metric's checked per-sample inputs: the truths, the values scored against them, the weights. */
export interface CheckedInputs {
  truth: Float64Array;
  values: Float64Array;
  weights: Float64Array | undefined;
}

/**
 * Checks a metric's two per-sample arguments, 'yTrue' with `checkTruth` and `name` with `check`
 * (same length, at least one sample), and its sample weights; the messages name each argument.
 */
export function checkedInputs<T, V>(
  metric: string,
  yTrue: T & { length: number },
  checkTruth: (metric: string, name: string, values: T) => Float64Array,
  name: string,
  values: V & { length: number },
  check: (metric: string, name: string, values: V) => Float64Array,
  sampleWeight: Numbers | undefined,
): CheckedInputs {
  sameLength(metric, yTrue, values, ['yTrue', name]);
  const truth = checkTruth(metric, 'yTrue', yTrue);
  return { truth, values: check(metric, name, values), weights: sampleWeights(metric, sampleWeight, truth.length) };
}
