/**
 * The model names `kdap train|synth` accept, apart from the models themselves (models.ts), so
 * building the command line does not load the three model packages.
 */
export const MODEL_NAMES = ['budget', 'propensity', 'anomaly'] as const;

export type ModelName = (typeof MODEL_NAMES)[number];
