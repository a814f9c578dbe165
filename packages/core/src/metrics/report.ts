import { ratiosOf } from './classification';
import { binaryConfusion, labelsAtThreshold } from './confusion';
import { binaryLabels, type BinaryLabels, type Numbers } from './inputs';
import { brierScoreLoss, logLoss } from './probabilistic';
import { binaryCurve } from './binary-curve';
import { averagePrecisionFromCurve, rocAucFromCurve } from './ranking';
import { meanAbsoluteError, meanAbsolutePercentageError, r2Score, rootMeanSquaredError, type WeightOptions } from './regression';

/** The Budget Optimizer's metrics, with the Python module's names. */
export interface RegressionMetrics {
  /** Root mean squared error, target units (currency for return). */
  rmse: number;
  /** Mean absolute error, target units. */
  mae: number;
  /** Mean absolute percentage error as a fraction; see `meanAbsolutePercentageError` for zero targets. */
  mape: number;
  r2: number;
}

/** The Propensity Scorer's metrics, with the Python module's names. */
export interface ClassificationMetrics {
  /** NaN when the evaluated rows hold a single class (ROC AUC is undefined there). */
  auc_roc: number;
  auc_pr: number;
  f1: number;
  precision: number;
  recall: number;
  /** Nats per sample. */
  log_loss: number;
  brier: number;
  /** The score at or above which F1/precision/recall count a positive. */
  threshold: number;
}

export function regressionMetrics(yTrue: Numbers, yPred: Numbers, options: WeightOptions = {}): RegressionMetrics {
  return {
    rmse: rootMeanSquaredError(yTrue, yPred, options),
    mae: meanAbsoluteError(yTrue, yPred, options),
    mape: meanAbsolutePercentageError(yTrue, yPred, options),
    r2: r2Score(yTrue, yPred, options),
  };
}

/** All classification metrics of probability scores; labels are decided at `threshold` (default 0.5). */
export function classificationMetrics(yTrue: BinaryLabels, yProb: Numbers, options: WeightOptions & { threshold?: number } = {}): ClassificationMetrics {
  const threshold = options.threshold ?? 0.5;
  const predicted = labelsAtThreshold(yProb, threshold);
  const y = binaryLabels('classificationMetrics', 'yTrue', yTrue);
  const bothClasses = y.includes(0) && y.includes(1);
  const weights = { sampleWeight: options.sampleWeight };
  // One sorted curve for both areas (each sorts the scores: 115,000 training rows in a propensity fit).
  const curve = binaryCurve('classificationMetrics', y, yProb, options.sampleWeight);
  // One confusion matrix for the three ratios (each score alone forms and checks its own).
  const { f1, precision, recall } = ratiosOf(binaryConfusion('classificationMetrics', y, predicted, options.sampleWeight));
  return {
    auc_roc: bothClasses ? rocAucFromCurve(curve) : Number.NaN,
    auc_pr: averagePrecisionFromCurve(curve),
    f1,
    precision,
    recall,
    log_loss: logLoss(y, yProb, weights),
    brier: brierScoreLoss(y, yProb, weights),
    threshold,
  };
}
