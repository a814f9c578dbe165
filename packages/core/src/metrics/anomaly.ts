import { binaryLabels, type BinaryLabels } from './inputs';
import { f1Score, precisionScore, recallScore } from './classification';
import { pairwiseSum } from './sum';

/** The Anomaly Detector's metrics (the Python module's names). */
export interface AnomalyMetrics {
  /** Share of flagged points that are labelled anomalies. */
  precision: number;
  /** Share of labelled anomalies that were flagged. */
  recall: number;
  f1: number;
  /** Share of all points flagged, as a fraction (0.05 = 5 %). */
  detected_anomaly_rate: number;
}

/**
 * Precision, recall and F1 of the anomaly flags against labels (1 = anomaly; 0/0 counts as 0,
 * scikit-learn's default), and the detected anomaly rate, which needs no labels.
 */
export function anomalyMetrics(isAnomaly: BinaryLabels, labels?: BinaryLabels): Partial<AnomalyMetrics> & { detected_anomaly_rate: number } {
  const flags = binaryLabels('anomalyMetrics', 'isAnomaly', isAnomaly);
  const rate = pairwiseSum(flags) / flags.length;
  if (labels === undefined) return { detected_anomaly_rate: rate };
  return {
    precision: precisionScore(labels, flags),
    recall: recallScore(labels, flags),
    f1: f1Score(labels, flags),
    detected_anomaly_rate: rate,
  };
}
