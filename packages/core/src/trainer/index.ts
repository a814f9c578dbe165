export type { FitOutcome, FittedModel, ModelArtifacts } from './fitted-model';
export type { TrainingProgress } from './progress';
export type { TrainResult } from './train-result';
export type { TrackedRun, Tracker } from './tracker';
export { Trainer } from './trainer';
export type { FitContext, FitOptions, TrainerOptions, TrainerSpec, TrainingData, TrainOptions } from './trainer';
export { validationSplit } from './validation-split';
export type { ValidationSplit } from './validation-split';
