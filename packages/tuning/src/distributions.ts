import { DataError, ParameterError, describe } from '@kdap/errors';

/** A categorical choice: what Optuna's `CategoricalDistribution` accepts and JSON can carry. */
export type CategoricalChoice = string | number | boolean | null;
/** A sampled parameter value as the objective sees it. */
export type ParamValue = number | CategoricalChoice;

/** A real range (Optuna `FloatDistribution`): uniform, log-uniform (`log`) or on a grid (`step`). */
export interface FloatDistribution {
  readonly kind: 'float';
  readonly low: number;
  readonly high: number;
  readonly step: number | null;
  readonly log: boolean;
}

/** An integer range (Optuna `IntDistribution`), on a grid of `step` or log-uniform. */
export interface IntDistribution {
  readonly kind: 'int';
  readonly low: number;
  readonly high: number;
  readonly step: number;
  readonly log: boolean;
}

/** A choice among listed values (Optuna `CategoricalDistribution`); its internal value is the index. */
export interface CategoricalDistribution {
  readonly kind: 'categorical';
  readonly choices: readonly CategoricalChoice[];
}

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution;

const OWNER = 'Trial';

function fail(name: string, message: string): never {
  throw new ParameterError(name, message);
}

/** Validates a float range the way Optuna does; a stepped range whose width is not a multiple of step ends at the last grid point. */
export function floatDistribution(name: string, low: unknown, high: unknown, options: { log?: unknown; step?: unknown } = {}): FloatDistribution {
  const log = options.log ?? false;
  const step = options.step ?? null;
  if (typeof low !== 'number' || !Number.isFinite(low)) fail(name, `The 'low' bound of ${OWNER} parameter '${name}' must be a finite number. Got ${describe(low)}.`);
  if (typeof high !== 'number' || !Number.isFinite(high)) fail(name, `The 'high' bound of ${OWNER} parameter '${name}' must be a finite number. Got ${describe(high)}.`);
  if (typeof log !== 'boolean') fail(name, `The 'log' option of ${OWNER} parameter '${name}' must be a boolean. Got ${describe(log)}.`);
  if (low > high) fail(name, `The range of ${OWNER} parameter '${name}' must have low <= high. Got low ${low} and high ${high}.`);
  if (step !== null && (typeof step !== 'number' || !Number.isFinite(step) || step <= 0)) {
    fail(name, `The 'step' option of ${OWNER} parameter '${name}' must be a finite number > 0. Got ${describe(step)}.`);
  }
  if (log && step !== null) fail(name, `${OWNER} parameter '${name}' cannot be both log-scaled and stepped (Optuna allows one of 'log' and 'step'). Remove one.`);
  if (log && low <= 0) fail(name, `The 'low' bound of log-scaled ${OWNER} parameter '${name}' must be > 0. Got ${low}.`);
  let top = high;
  if (step !== null) {
    // Optuna trims high to the last point of the grid; the tolerance absorbs decimal steps like 0.1.
    const cells = (high - low) / step;
    const whole = Math.round(cells);
    top = Math.abs(cells - whole) < 1e-9 * Math.max(1, whole) ? high : low + Math.floor(cells) * step;
  }
  return { kind: 'float', low, high: top, step, log };
}

/** Validates an integer range the way Optuna does. */
export function intDistribution(name: string, low: unknown, high: unknown, options: { log?: unknown; step?: unknown } = {}): IntDistribution {
  const log = options.log ?? false;
  const step = options.step ?? 1;
  if (typeof low !== 'number' || !Number.isInteger(low)) fail(name, `The 'low' bound of ${OWNER} parameter '${name}' must be an integer. Got ${describe(low)}.`);
  if (typeof high !== 'number' || !Number.isInteger(high)) fail(name, `The 'high' bound of ${OWNER} parameter '${name}' must be an integer. Got ${describe(high)}.`);
  if (typeof log !== 'boolean') fail(name, `The 'log' option of ${OWNER} parameter '${name}' must be a boolean. Got ${describe(log)}.`);
  if (low > high) fail(name, `The range of ${OWNER} parameter '${name}' must have low <= high. Got low ${low} and high ${high}.`);
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 1) fail(name, `The 'step' option of ${OWNER} parameter '${name}' must be an integer >= 1. Got ${describe(step)}.`);
  if (log && step !== 1) fail(name, `${OWNER} parameter '${name}' cannot be log-scaled with a step other than 1 (Optuna's rule). Remove 'step' or 'log'.`);
  if (log && low < 1) fail(name, `The 'low' bound of log-scaled ${OWNER} parameter '${name}' must be >= 1. Got ${low}.`);
  const top = low + Math.floor((high - low) / step) * step;
  return { kind: 'int', low, high: top, step, log };
}

/** Validates a categorical parameter's choices: a non-empty list of strings, numbers, booleans or null, without repeats. */
export function categoricalDistribution(name: string, choices: unknown): CategoricalDistribution {
  if (!Array.isArray(choices) || choices.length === 0) {
    fail(name, `The choices of ${OWNER} parameter '${name}' must be a non-empty array of strings, numbers, booleans or null. Got ${describe(choices)}.`);
  }
  const seen = new Set<string>();
  for (const choice of choices) {
    const ok = choice === null || typeof choice === 'string' || typeof choice === 'boolean' || (typeof choice === 'number' && !Number.isNaN(choice));
    if (!ok) fail(name, `The choices of ${OWNER} parameter '${name}' must be strings, numbers, booleans or null (they are stored as JSON). Got ${describe(choice)}.`);
    const key = JSON.stringify(choice);
    if (seen.has(key)) fail(name, `The choices of ${OWNER} parameter '${name}' must be distinct. ${describe(choice)} is listed twice.`);
    seen.add(key);
  }
  return { kind: 'categorical', choices: [...(choices as CategoricalChoice[])] };
}

/** Whether the distribution has exactly one value (Optuna returns it without asking the sampler). */
export function isSingle(d: Distribution): boolean {
  if (d.kind === 'categorical') return d.choices.length === 1;
  if (d.kind === 'int') return d.low === d.high;
  return d.low === d.high;
}

/** The value of a single-valued distribution. */
export function singleValue(d: Distribution): ParamValue {
  return d.kind === 'categorical' ? d.choices[0]! : d.low;
}

/** External value -> the number the samplers and the journal work with (index for categorical). */
export function toInternal(d: Distribution, value: ParamValue): number {
  if (d.kind === 'categorical') {
    const index = d.choices.findIndex((c) => c === value || (typeof c === 'number' && typeof value === 'number' && c === value));
    return index;
  }
  return value as number;
}

/** The number the samplers and the journal work with -> external value. */
export function toExternal(d: Distribution, internal: number): ParamValue {
  if (d.kind === 'categorical') return d.choices[Math.round(internal)]!;
  if (d.kind === 'int') return Math.round(internal);
  return internal;
}

/** Whether an internal value lies in the distribution (on its grid for steps). */
export function containsInternal(d: Distribution, internal: number): boolean {
  if (!Number.isFinite(internal)) return false;
  if (d.kind === 'categorical') return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length;
  if (internal < d.low || internal > d.high) return false;
  if (d.kind === 'int') return Number.isInteger(internal) && (internal - d.low) % d.step === 0;
  if (d.step === null) return true;
  const k = (internal - d.low) / d.step;
  return Math.abs(k - Math.round(k)) < 1e-8;
}

/** Same kind, same bounds, same options. */
export function sameDistribution(a: Distribution, b: Distribution): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'categorical' && b.kind === 'categorical') return a.choices.length === b.choices.length && a.choices.every((c, i) => c === b.choices[i]);
  const x = a as FloatDistribution | IntDistribution;
  const y = b as FloatDistribution | IntDistribution;
  return x.low === y.low && x.high === y.high && x.step === y.step && x.log === y.log;
}

/**
 * Optuna's rule for one name across trials: the kind must match (a range may move), categorical choices
 * must be identical. Returns why not, or undefined.
 */
export function incompatibility(previous: Distribution, next: Distribution): string | undefined {
  if (previous.kind !== next.kind) return `it was a ${previous.kind} parameter in earlier trials and is now ${next.kind}`;
  if (previous.kind === 'categorical' && !sameDistribution(previous, next)) {
    return `its choices were ${JSON.stringify(previous.choices)} in earlier trials and are now ${JSON.stringify((next as CategoricalDistribution).choices)}`;
  }
  return undefined;
}

/** Optuna's `distribution_to_json`: a JSON string naming the Python class and its attributes. */
export function distributionToJson(d: Distribution): string {
  const json = (v: unknown) => JSON.stringify(v);
  // Python's json.dumps spacing, and floats with a decimal point so Python reads 1 as 1.0 where Optuna wrote 1.0.
  const pyFloat = (v: number) => (Number.isInteger(v) ? `${v}.0` : json(v));
  if (d.kind === 'categorical') return `{"name": "CategoricalDistribution", "attributes": {"choices": [${d.choices.map(json).join(', ')}]}}`;
  if (d.kind === 'int') return `{"name": "IntDistribution", "attributes": {"log": ${d.log}, "step": ${d.step}, "low": ${d.low}, "high": ${d.high}}}`;
  return `{"name": "FloatDistribution", "attributes": {"step": ${d.step === null ? 'null' : pyFloat(d.step)}, "low": ${pyFloat(d.low)}, "high": ${pyFloat(d.high)}, "log": ${d.log}}}`;
}

/** Optuna's `json_to_distribution`, including the pre-3.0 names (UniformDistribution and friends) old journals carry. */
export function distributionFromJson(text: string): Distribution {
  const parsed = JSON.parse(text) as { name: string; attributes: Record<string, unknown> };
  const a = parsed.attributes;
  const num = (v: unknown) => v as number;
  switch (parsed.name) {
    case 'FloatDistribution':
      return { kind: 'float', low: num(a.low), high: num(a.high), step: (a.step as number | null) ?? null, log: Boolean(a.log) };
    case 'IntDistribution':
      return { kind: 'int', low: num(a.low), high: num(a.high), step: (a.step as number | undefined) ?? 1, log: Boolean(a.log) };
    case 'CategoricalDistribution':
      return { kind: 'categorical', choices: a.choices as CategoricalChoice[] };
    case 'UniformDistribution':
      return { kind: 'float', low: num(a.low), high: num(a.high), step: null, log: false };
    case 'LogUniformDistribution':
      return { kind: 'float', low: num(a.low), high: num(a.high), step: null, log: true };
    case 'DiscreteUniformDistribution':
      return { kind: 'float', low: num(a.low), high: num(a.high), step: num(a.q), log: false };
    case 'IntUniformDistribution':
      return { kind: 'int', low: num(a.low), high: num(a.high), step: (a.step as number | undefined) ?? 1, log: false };
    case 'IntLogUniformDistribution':
      return { kind: 'int', low: num(a.low), high: num(a.high), step: 1, log: true };
    default:
      throw new DataError(`The journal holds a distribution named '${parsed.name}', which @kdap/tuning does not know. Was it written by a newer Optuna?`);
  }
}
