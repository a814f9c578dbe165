import { ParameterError } from './errors';

/** A dense matrix as the native bindings take it. */
export type DenseData = Float32Array | Float64Array;

/**
 * Checks that rows/cols are positive integers and that `data` holds exactly rows * cols values.
 * `owner` names the API in messages, e.g. "Dataset" -> "The 'rows' option of Dataset ...".
 */
export function checkMatrix(owner: string, data: unknown, rows: unknown, cols: unknown, minRows = 1): void {
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) {
    throw new ParameterError('data', `The 'data' argument of ${owner} must be a Float64Array or Float32Array. Got ${describe(data)}.`);
  }
  checkInt(owner, 'rows', rows, minRows);
  checkInt(owner, 'cols', cols, 1);
  if (data.length !== (rows as number) * (cols as number)) {
    throw new ParameterError(
      'data',
      `The 'data' argument of ${owner} must hold rows * cols = ${rows as number} * ${cols as number} = ${(rows as number) * (cols as number)} values. Got ${data.length}.`,
    );
  }
}

export function checkInt(owner: string, name: string, value: unknown, min: number, max = 2 ** 31 - 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === 2 ** 31 - 1 ? `>= ${min}` : `between ${min} and ${max}`;
    throw new ParameterError(name, `The '${name}' option of ${owner} must be an integer ${range}. Got ${describe(value)}.`);
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as { length?: number }).length ?? value.byteLength}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}

/** Edit distance, for "did you mean" hints on misspelled options. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name, c);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return bestDist <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Rejects option keys an API does not know, so a typo is never silently ignored. */
export function checkKnownOptions(owner: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const hint = closest(key, known);
      throw new ParameterError(key, `${owner} has no option '${key}'.${hint ? ` Did you mean '${hint}'?` : ''} Known options: ${known.join(', ')}.`);
    }
  }
}
