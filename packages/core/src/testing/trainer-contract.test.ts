import { SeededRandom } from '@kdap/test-support';
import { anomalyDetectorDefaults, budgetOptimizerDefaults, propensityDefaults } from '../config/defaults';
import { applyOverrides } from '../config/load-config';
import { tableOf } from './in-memory-table';
import { LinearBudgetTrainer, LinearPropensityTrainer, loadLinearModel } from './linear-trainer';
import { runTrainerContract } from './trainer-contract';
import { loadZScoreModel, ZScoreAnomalyTrainer } from './zscore-anomaly-trainer';

// The contract over one trainer of each model kind; the real trainers run the same suite.
const r = new SeededRandom(99);
const n = 80;
const spend = r.array(n, (g) => 1000 + 9000 * g.next());
const roi = r.array(n, (g) => 2 + g.normal());
const channel = r.array(n, (g) => g.integer(3)).map((i) => ['display', 'search', 'social'][i]!);

const budgetConfig = applyOverrides('budget', budgetOptimizerDefaults, {
  features: { numerical: ['current_spend', 'historical_roi_mean'], categorical: ['channel_id'] },
  hyperparameters: { lightgbm: { learning_rate: 0.3, n_estimators: 20 } },
});
const budgetTable = tableOf({ current_spend: spend, historical_roi_mean: roi, channel_id: channel, return: spend.map((s, i) => 1.5 * s + 1000 * roi[i]!) });
runTrainerContract('LinearBudgetTrainer', {
  kind: 'budget',
  create: (options) => new LinearBudgetTrainer({ config: budgetConfig, ...options }),
  train: budgetTable,
  score: budgetTable,
  target: 'return',
  metricNames: ['rmse', 'mae', 'mape', 'r2'],
  requiredFeature: 'current_spend',
  optionalFeature: 'historical_roi_mean',
  loadPredictor: (dir, options) => loadLinearModel(dir, 'budget', options),
  columns: { mapping: { channel: 'medium', spend: 'cost', target: 'revenue' }, renames: { channel_id: 'medium', current_spend: 'cost', return: 'revenue' }, modelNamesScore: true },
});

const propensityConfig = applyOverrides('propensity', propensityDefaults, {
  features: { numerical: ['recency', 'frequency'], categorical: ['preferred_channel'] },
  hyperparameters: { xgboost: { learning_rate: 0.5, n_estimators: 20 } },
});
const recency = r.array(n, (g) => 365 * g.next());
const propensityTable = tableOf({
  recency,
  frequency: r.array(n, (g) => g.integer(10)),
  preferred_channel: channel,
  converted: recency.map((d) => (d < 120 ? 1 : 0)),
});
runTrainerContract('LinearPropensityTrainer', {
  kind: 'propensity',
  create: (options) => new LinearPropensityTrainer({ config: propensityConfig, ...options }),
  train: propensityTable,
  score: propensityTable,
  target: 'converted',
  metricNames: ['auc_roc', 'auc_pr', 'f1', 'precision', 'recall', 'log_loss', 'brier', 'threshold'],
  requiredFeature: 'recency',
  optionalFeature: 'frequency',
  loadPredictor: (dir, options) => loadLinearModel(dir, 'propensity', options),
  columns: { mapping: { target: 'bought' }, renames: { converted: 'bought' }, modelNamesScore: true },
});

const anomalyConfig = applyOverrides('anomaly', anomalyDetectorDefaults, { features: { numerical: ['value'], categorical: ['channel_id'] } });
const anomalyTable = tableOf({ value: r.array(n, (g, i) => (i === 5 ? 40 : 10 + g.normal())), channel_id: channel });
runTrainerContract('ZScoreAnomalyTrainer', {
  kind: 'anomaly',
  create: (options) => new ZScoreAnomalyTrainer({ config: anomalyConfig, ...options }),
  train: anomalyTable,
  score: anomalyTable,
  metricNames: ['detected_anomaly_rate'],
  requiredFeature: 'value',
  optionalFeature: 'channel_id',
  loadPredictor: (dir, options) => loadZScoreModel(dir, options),
  columns: { mapping: { value: 'clicks' }, renames: { value: 'clicks' }, modelNamesScore: true },
});
