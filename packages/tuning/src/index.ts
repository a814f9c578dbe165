/**
 * @kdap/tuning: hyperparameter search with Optuna's semantics. TPE and random samplers, median pruning,
 * studies in memory or in an Optuna-compatible journal file shared by processes.
 */
export { createStudy, Study, type CreateStudyOptions, type Objective, type OptimizeOptions, type StudySummary } from './study';
export { Trial, TrialPruned, type SuggestRangeOptions } from './trial';
export type { Direction, FrozenTrial, TrialState } from './trial-state';
export type { CategoricalChoice, CategoricalDistribution, Distribution, FloatDistribution, IntDistribution, ParamValue } from './distributions';
export type { Sampler, StudyView } from './samplers/sampler';
export { RandomSampler, type RandomSamplerOptions } from './samplers/random-sampler';
export { TPESampler, defaultGamma, defaultWeights, type TPESamplerOptions } from './samplers/tpe-sampler';
export type { Pruner } from './pruners/pruner';
export { NopPruner } from './pruners/pruner';
export { MedianPruner, PercentilePruner, type PercentilePrunerOptions } from './pruners/percentile-pruner';
export { JournalStorage, type JournalBackend, type JournalOp } from './storage/journal-storage';
export { JournalFileBackend } from './storage/file-backend';
export { MemoryJournalBackend } from './storage/memory-backend';
export { tune, tuneSection, metricDirection, suggestDimension, type EvaluateParams, type SearchDimension, type TuneOptions, type TuneResult, type TuningSection } from './tune';
