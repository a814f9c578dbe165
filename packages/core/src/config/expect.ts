import { z } from 'zod';

/**
 * Schema builders whose error message is the expected value in words ("an integer >= 1"), so a
 * problem reads "<file>: <key path> must be <expected>, got <value>". Unknown-key issues keep
 * zod's structure and are worded by `formatProblems`.
 */
function expected(phrase: string) {
  return { error: (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? undefined : phrase) };
}

function range(kind: string, min?: number, max?: number, exclusiveMin = false): string {
  const lower = exclusiveMin ? '>' : '>=';
  if (min !== undefined && max !== undefined) return exclusiveMin ? `${kind} > ${min} and <= ${max}` : `${kind} between ${min} and ${max}`;
  if (min !== undefined) return `${kind} ${lower} ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

/** An integer in [min, max]. */
export function integer(min?: number, max?: number) {
  const e = expected(range('an integer', min, max));
  let s = z.number(e).int(e);
  if (min !== undefined) s = s.min(min, e);
  if (max !== undefined) s = s.max(max, e);
  return s;
}

/** A finite number in [min, max], or (min, max] with `exclusiveMin`. */
export function number(min?: number, max?: number, exclusiveMin = false) {
  const e = expected(range('a number', min, max, exclusiveMin));
  let s = z.number(e).refine(Number.isFinite, e);
  if (min !== undefined) s = exclusiveMin ? s.refine((v) => v > min, e) : s.refine((v) => v >= min, e);
  if (max !== undefined) s = s.refine((v) => v <= max, e);
  return s;
}

/** A non-empty string. */
export function text() {
  const e = expected('a non-empty string');
  return z.string(e).min(1, e);
}

/** A non-empty string or null (a value that is set per deployment, e.g. from the environment). */
export function optionalText() {
  const e = expected('a non-empty string or null');
  return z.union([z.string().min(1), z.null()], e);
}

export function boolean() {
  return z.boolean(expected('true or false'));
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expected(`one of ${values.map((v) => `'${v}'`).join(', ')}`));
}

/** A list of distinct non-empty strings (feature and column names). */
export function names() {
  const e = expected('a list of distinct non-empty strings');
  return z.array(z.string(e).min(1, e), e).refine((list) => new Set(list).size === list.length, e);
}

/** A list of distinct positive integers in increasing order (lags, window lengths in days). */
export function increasingIntegers(min = 1) {
  const e = expected(`a list of increasing integers >= ${min}`);
  return z.array(z.number(e).int(e).min(min, e), e).refine((list) => list.every((v, i) => i === 0 || v > list[i - 1]!), e);
}

/** A mapping with exactly the given keys: an unknown key is an error, never ignored. */
export function section<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, expected('a mapping'));
}
