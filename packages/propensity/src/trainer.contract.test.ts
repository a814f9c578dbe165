import { runTrainerContract } from '@kdap/core/testing';
import { syntheticCustomers } from '@kdap/preprocessing';
import { PropensityScorer } from './scorer';
import { PropensityTrainer } from './trainer';

const { table } = syntheticCustomers({ samples: 3000, seed: 17 });

runTrainerContract('PropensityTrainer', {
  kind: 'propensity',
  create: (options) => new PropensityTrainer({ ...options, params: { n_estimators: 40, max_depth: 3 } }),
  train: table,
  score: table.slice(0, 500),
  target: 'converted',
  metricNames: ['auc_pr', 'auc_roc', 'auc_roc_uncalibrated', 'brier', 'brier_uncalibrated', 'f1', 'log_loss', 'log_loss_uncalibrated', 'precision', 'recall', 'threshold'],
  requiredFeature: 'recency',
  loadPredictor: (dir, options) => PropensityScorer.load(dir, options),
  columns: { mapping: { id: 'user_id', target: 'bought' }, renames: { customer_id: 'user_id', converted: 'bought' }, modelNamesScore: true },
});
