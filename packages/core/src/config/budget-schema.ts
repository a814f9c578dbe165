import { z } from 'zod';
import { boolean, integer, number, oneOf, section, text } from './expect';
import { globalSections } from './global-schema';
import { modelSection, tabularFeatures, tuningSection } from './model-sections';

/** LightGBM parameters, in LightGBM's scikit-learn names (as the Python module's YAML has them). */
export const lightgbmHyperparameters = section({
  objective: oneOf(['regression', 'regression_l1', 'huber', 'quantile']),
  num_leaves: integer(2, 131072),
  /** Shrinkage per boosting round. */
  learning_rate: number(0, undefined, true),
  /** Maximum boosting rounds (early stopping may end sooner). */
  n_estimators: integer(1),
  /** -1 for no limit. */
  max_depth: integer(-1),
  min_child_samples: integer(0),
  subsample: number(0, 1, true),
  subsample_freq: integer(0),
  colsample_bytree: number(0, 1, true),
  reg_alpha: number(0),
  reg_lambda: number(0),
});

/** Budget Optimizer (LightGBM regression of return on spend + context). */
export const budgetOptimizerSchema = section({
  ...globalSections,
  model: modelSection('budget_optimizer', 'regression', 'lightgbm'),
  features: tabularFeatures({ target: text() }),
  hyperparameters: section({ lightgbm: lightgbmHyperparameters }),
  tuning: tuningSection(['rmse', 'mae', 'mape', 'r2'], { algorithm: 'lightgbm', names: Object.keys(lightgbmHyperparameters.shape) }),
  optimization: section({
    /** The spend feature the response curve is traced over (currency units). */
    spend_feature: text(),
    /** Lower and upper quantile models of the confidence interval. */
    interval_quantiles: z
      .tuple([number(0, 1, true), number(0, 1, true)], { error: 'a list of two quantiles [lower, upper]' })
      .refine(([lower, upper]) => lower < upper && upper < 1, { error: 'two quantiles with 0 < lower < upper < 1' }),
    /** The response curve is traced from min to max multiple of the current spend. */
    spend_grid: section({
      min_multiplier: number(0, undefined, true),
      max_multiplier: number(0, undefined, true),
      points: integer(2),
    }).refine((g) => g.min_multiplier < g.max_multiplier, { path: ['max_multiplier'], error: 'a number greater than min_multiplier' }),
    /** Extra spend is only worth it while its marginal return exceeds this (return per currency unit). */
    marginal_return_hurdle: number(),
    /** Constrain the model so predicted return never falls as spend rises. */
    monotone_spend: boolean(),
  }),
});

export type BudgetOptimizerConfig = z.infer<typeof budgetOptimizerSchema>;
