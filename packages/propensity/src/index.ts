/**
 * @kdap/propensity: the Propensity Scorer (AUD agent). `PropensityTrainer` fits an XGBoost
 * binary classifier and calibrates it on held-out rows; `PropensityScorer` scores customers.
 */
export { IsotonicCalibrator, poolAdjacentViolators } from './isotonic';
export type { IsotonicState } from './isotonic';
export { SigmoidCalibrator } from './sigmoid';
export type { SigmoidState } from './sigmoid';
export { IdentityCalibrator, calibratorFromJSON } from './calibrator';
export type { Calibrator, CalibratorState } from './calibrator';
export { calibrationReport, calibrationSlope, gainsTable, propensityMetrics, qualityGrade, reliabilityBins, wilsonInterval } from './report';
export type { CalibrationReport, GainsRow, QualityGrade, ReliabilityBin } from './report';
export { PropensityTrainer, xgboostFeatureTypes } from './trainer';
export type { PropensityFitOptions } from './trainer';
export type { PropensityTuneOptions } from './tune';
export { PropensityScorer } from './scorer';
export type { DriftReport, PropensityScore, ScoreColumns, TopFactor } from './scorer';
export { PropensityModel } from './model';
export type { DriftBaseline, PropensityState, Segment } from './model';
export { ScoreDistribution, psi } from './distribution';
export type { FeatureDrift, ScoreDistributionState } from './distribution';
