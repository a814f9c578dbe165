export { IsolationForest, type IsolationForestOptions, type IsolationForestJSON } from './isolation-forest';
export { LocalOutlierFactor, type LocalOutlierFactorOptions, type LocalOutlierFactorJSON } from './local-outlier-factor';
export type { Contamination } from './contamination';
export type { NumericInput, NumericTableLike } from './numeric-matrix';
export { AnomalyDetectorTrainer, AnomalyDetector, type AnomalyDetectorTrainerOptions, type AnomalyRecord } from './trainer';
export type { AnomalyTuneOptions } from './tune';
export { AnomalyModel, type AnomalyResult, type AnomalyModelState } from './anomaly-model';
export { incidents, type Incident, type IncidentOptions } from './incidents';
