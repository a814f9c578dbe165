import { z } from 'zod';
import { boolean, number, section, text } from './expect';

const bounds = (v: { low: number; high: number }) => v.low < v.high;
const lowBelowHigh = { path: ['high'], error: 'a number greater than low' };

/** A numeric hyperparameter sampled in [low, high], log-uniformly with `log: true`, on a grid of `step`. */
const numericRange = <T extends 'int' | 'float'>(type: T) =>
  section({
    type: z.literal(type),
    low: number(),
    high: number(),
    step: number(0, undefined, true).optional(),
    log: boolean().optional(),
  }).refine(bounds, lowBelowHigh);

/** An integer hyperparameter (Optuna `suggest_int`). */
const intRange = numericRange('int');

/** A real hyperparameter (Optuna `suggest_float`). */
const floatRange = numericRange('float');

/** A choice among listed values (Optuna `suggest_categorical`). */
const categorical = section({
  type: z.literal('categorical'),
  choices: z.array(z.union([z.string(), z.number(), z.boolean()]), { error: 'a non-empty list of strings, numbers or booleans' }).min(1, {
    error: 'a non-empty list of strings, numbers or booleans',
  }),
});

/** One tunable hyperparameter's range, in Optuna's terms. */
export const searchDimension = z.discriminatedUnion('type', [intRange, floatRange, categorical], {
  error: (issue) => ((issue as { code?: string }).code === 'invalid_type' ? "a mapping with type 'int', 'float' or 'categorical'" : "'int', 'float' or 'categorical'"),
});

/** Hyperparameter name -> range. Names are checked against the algorithm's parameters by the model. */
export const searchSpace = z.record(text(), searchDimension, { error: 'a mapping of parameter name to range' });

export type SearchDimension = z.infer<typeof searchDimension>;
export type SearchSpace = z.infer<typeof searchSpace>;
