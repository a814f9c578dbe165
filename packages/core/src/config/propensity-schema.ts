import { z } from 'zod';
import { integer, number, oneOf, section, text } from './expect';
import { globalSections } from './global-schema';
import { modelSection, tabularFeatures, tuningSection } from './model-sections';

/** XGBoost parameters, in XGBoost's scikit-learn names. */
export const xgboostHyperparameters = section({
  objective: oneOf(['binary:logistic']),
  max_depth: integer(1),
  learning_rate: number(0, undefined, true),
  n_estimators: integer(1),
  min_child_weight: number(0),
  gamma: number(0),
  subsample: number(0, 1, true),
  colsample_bytree: number(0, 1, true),
  reg_alpha: number(0),
  reg_lambda: number(0),
  /** Weight of positive rows; 'auto' = negatives / positives of the training rows. */
  scale_pos_weight: z.union([z.literal('auto'), number(0, undefined, true)], { error: "'auto' or a number > 0" }),
  tree_method: oneOf(['hist', 'approx', 'exact']),
  eval_metric: oneOf(['auc', 'aucpr', 'logloss', 'error']),
});

const segment = section({ name: text(), min_score: number(0, 1) });

/** Propensity Scorer (XGBoost binary classifier + isotonic calibration). */
export const propensitySchema = section({
  ...globalSections,
  model: modelSection('propensity', 'classification', 'xgboost'),
  features: tabularFeatures({ target: text(), id_column: text() }),
  hyperparameters: section({ xgboost: xgboostHyperparameters }),
  tuning: tuningSection(['auc_roc', 'auc_pr', 'f1', 'log_loss', 'brier'], { algorithm: 'xgboost', names: Object.keys(xgboostHyperparameters.shape) }),
  calibration: section({
    /** isotonic (pool-adjacent-violators), sigmoid (Platt) or none. */
    method: oneOf(['isotonic', 'sigmoid', 'none']),
    /** Fraction of the training rows held out to fit the calibrator. */
    holdout_fraction: number(0, 1, true),
    /** Below this many calibration rows, isotonic calibration warns and suggests sigmoid. */
    min_isotonic_rows: integer(1),
    /**
     * null: calibrate on the held-out split. k >= 2: on out-of-fold scores of k boosters trained
     * on the other folds of the training rows (scikit-learn CalibratedClassifierCV, ensemble=False).
     */
    cv_folds: z.union([z.null(), integer(2)], { error: 'null (a held-out calibration split) or an integer >= 2 (cross-validated folds)' }),
  }),
  /** Fewer positive or negative training rows than these refuse to train (InsufficientDataError). */
  eligibility: section({ min_positives: integer(1), min_negatives: integer(1) }),
  /** Score at or above which a customer is predicted to convert (F1/precision/recall), or 'max_f1'. */
  classification_threshold: z.union([z.literal('max_f1'), number(0, 1)], { error: "'max_f1' or a number between 0 and 1" }),
  /**
   * Segments from the highest `min_score` down; a customer gets the first whose `min_score` their
   * calibrated score reaches, so the last must start at 0.
   */
  segments: z
    .array(segment, { error: 'a list of { name, min_score } mappings' })
    .min(1, { error: 'a non-empty list of { name, min_score } mappings' })
    .superRefine((list, ctx) => {
      for (let i = 1; i < list.length; i++) {
        if (!(list[i]!.min_score < list[i - 1]!.min_score)) {
          ctx.addIssue({ code: 'custom', path: [i, 'min_score'], message: `a number below the previous segment's min_score (${list[i - 1]!.min_score})` });
        }
      }
      if (list.length > 0 && list[list.length - 1]!.min_score !== 0) {
        ctx.addIssue({ code: 'custom', path: [list.length - 1, 'min_score'], message: '0 (the last segment must catch every score)' });
      }
    }),
});

export type PropensityConfig = z.infer<typeof propensitySchema>;
