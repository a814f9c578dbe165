import type { z } from 'zod';
import { anomalyDetectorSchema } from './anomaly-schema';
import { budgetOptimizerSchema } from './budget-schema';
import { anomalyDetectorDefaults, budgetOptimizerDefaults, propensityDefaults } from './defaults';
import { propensitySchema } from './propensity-schema';

/** The three models, by the names the `kdap train` command uses. */
export const MODEL_KINDS = ['budget', 'propensity', 'anomaly'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** What the loader needs to know about one model's configuration. */
export const MODEL_CONFIGS = {
  budget: { file: 'budget_optimizer.yaml', schema: budgetOptimizerSchema, defaults: budgetOptimizerDefaults },
  propensity: { file: 'propensity.yaml', schema: propensitySchema, defaults: propensityDefaults },
  anomaly: { file: 'anomaly_detector.yaml', schema: anomalyDetectorSchema, defaults: anomalyDetectorDefaults },
} as const;

/** The validated configuration of a model kind. */
export type ModelConfigOf<K extends ModelKind> = z.infer<(typeof MODEL_CONFIGS)[K]['schema']>;

/** Any of the three model configurations. */
export type AnyModelConfig = ModelConfigOf<ModelKind>;
