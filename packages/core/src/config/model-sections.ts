import { z } from 'zod';
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

/** `tuning: { method, n_trials, metric, timeout_seconds, search_space }`; `metrics` lists what may be optimised. */
export function tuningSection<const M extends readonly [string, ...string[]]>(metrics: M) {
  return section({
    /** `optuna` runs TPE (see @kdap/tuning); `none` trains once with the configured hyperparameters. */
    method: oneOf(['optuna', 'none']),
    n_trials: integer(1),
    /** The metric the study optimises; its direction follows the metric (rmse down, auc_roc up). */
    metric: oneOf(metrics),
    /** Wall-clock limit of the study in seconds; null for none. */
    timeout_seconds: number(0, undefined, true).nullable(),
    search_space: searchSpace,
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
