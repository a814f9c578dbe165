import { z } from 'zod';
import { closest } from '@kdap/errors';
import { integer, names, number, oneOf, section } from './expect';
import { searchSpace } from './search-space-schema';

/** `model: { name, type, algorithm }` with the values fixed for one model. */
export function modelSection<const N extends string, const T extends string, const A extends string>(name: N, type: T, algorithm: A) {
  return section({
    name: z.literal(name, { error: `'${name}'` }),
    type: z.literal(type, { error: `'${type}'` }),
    algorithm: z.literal(algorithm, { error: `'${algorithm}'` }),
  });
}

/**
 * `tuning: { method, n_trials, metric, timeout_seconds, search_space }`; `metrics` lists what may
 * be optimised, `tunable` the hyperparameters a search space may name (a typo there must not
 * silently tune nothing).
 */
export function tuningSection<const M extends readonly [string, ...string[]]>(metrics: M, tunable: { algorithm: string; names: readonly string[] }) {
  return section({
    /** `optuna` runs TPE (see @kdap/tuning); `none` trains once with the configured hyperparameters. */
    method: oneOf(['optuna', 'none']),
    n_trials: integer(1),
    /** The metric the study optimises; its direction follows the metric (rmse down, auc_roc up). */
    metric: oneOf(metrics),
    /** Wall-clock limit of the study in seconds; null for none. */
    timeout_seconds: number(0, undefined, true).nullable(),
    search_space: searchSpace,
  }).superRefine((tuning, ctx) => {
    for (const name of Object.keys(tuning.search_space)) {
      if (tunable.names.includes(name)) continue;
      const hint = closest(name, tunable.names);
      ctx.addIssue({
        code: 'custom',
        path: ['search_space', name],
        message: `named after a hyperparameter of ${tunable.algorithm}${hint ? ` (did you mean '${hint}'?)` : ` (one of ${tunable.names.join(', ')})`}`,
      });
    }
  });
}

/** `features: { numerical, categorical }`, a name in both lists is an error. */
export function tabularFeatures<Extra extends z.ZodRawShape>(extra: Extra) {
  return section({ numerical: names(), categorical: names(), ...extra }).superRefine((value, ctx) => {
    // The generic shape hides these two keys from the inferred type; they are always present here.
    const f = value as unknown as { numerical: string[]; categorical: string[] };
    const numerical = new Set(f.numerical);
    for (const name of f.categorical) {
      if (numerical.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['categorical'], message: `a list that does not repeat numerical features ('${name}' is in both)` });
      }
    }
  });
}
