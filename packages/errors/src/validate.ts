import { didYouMean } from './closest';
import { describe } from './describe';
import { ParameterError } from './usage-errors';

/** What a checked name is to its owner, as the message says it: "The 'x' option of Y ...". */
export type ParameterKind = 'parameter' | 'option' | 'argument' | 'field';

/**
 * The one message shape for a bad parameter:
 * "The 'num_leaves' parameter of BudgetOptimizerTrainer must be an integer >= 2. Got 1."
 * followed by `fix` ("Use ...") when given.
 */
export function parameterMessage(owner: string, name: string, requirement: string, value: unknown, kind: ParameterKind = 'parameter', fix?: string): string {
  return `The '${name}' ${kind} of ${owner} must be ${requirement}. Got ${describe(value)}.${fix ? ` ${fix}` : ''}`;
}

/** Throws a ParameterError in the one message shape. */
export function invalidParameter(owner: string, name: string, requirement: string, value: unknown, kind: ParameterKind = 'parameter', fix?: string): never {
  throw new ParameterError(name, parameterMessage(owner, name, requirement, value, kind, fix));
}

/** An integer in [min, max] (max defaults to 2^31 - 1, the native libraries' int). */
export function checkInt(owner: string, name: string, value: unknown, min: number, max = 2 ** 31 - 1, kind: ParameterKind = 'option'): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === 2 ** 31 - 1 ? `>= ${min}` : `between ${min} and ${max}`;
    invalidParameter(owner, name, `an integer ${range}`, value, kind);
  }
}

/** A finite number in [min, max] (either bound optional). */
export function checkNumber(owner: string, name: string, value: unknown, range: { min?: number; max?: number } = {}, kind: ParameterKind = 'option'): asserts value is number {
  const { min, max } = range;
  if (typeof value !== 'number' || !Number.isFinite(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    const bounds = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : min !== undefined ? ` >= ${min}` : max !== undefined ? ` <= ${max}` : '';
    invalidParameter(owner, name, `a finite number${bounds}`, value, kind);
  }
}

/** One of a fixed set of values, with a did-you-mean for near misses. */
export function checkOneOf<T extends string>(owner: string, name: string, value: unknown, allowed: readonly T[], kind: ParameterKind = 'option'): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
    invalidParameter(owner, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value, kind, hint.trim() || undefined);
  }
}

/** Rejects option keys an API does not know, so a typo is never silently ignored. */
export function checkKnownOptions(owner: string, options: object | undefined | null, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ParameterError(key, `${owner} has no option '${key}'.${didYouMean(key, known)} Known options: ${known.join(', ')}.`);
    }
  }
}
