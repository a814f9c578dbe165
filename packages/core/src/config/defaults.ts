import type { AnomalyDetectorConfig } from './anomaly-schema';
import type { BudgetOptimizerConfig } from './budget-schema';
import type { PropensityConfig } from './propensity-schema';

/**
 * Built-in defaults: the lowest layer of every configuration, so a model trains with no files at
 * all. `config/*.yaml` in the repository spell out the same values for users to edit.
 */
const globalDefaults = {
  environment: 'dev' as const,
  azure: { subscription_id: null, resource_group: null, workspace_name: 'kdap-ml-workspace', region: 'eastus' },
  mlflow: { tracking_uri: './mlruns', experiment_name: 'kdap-ml' },
  data: { test_size: 0.2, validation_size: 0.1, random_state: 42 },
  training: { random_seed: 42, n_jobs: -1, early_stopping_rounds: 50 },
  paths: { models_dir: './models', data_dir: './data' },
  logging: { level: 'info' as const },
};

export const budgetOptimizerDefaults: BudgetOptimizerConfig = {
  ...globalDefaults,
  model: { name: 'budget_optimizer', type: 'regression', algorithm: 'lightgbm' },
  features: {
    numerical: [
      'current_spend',
      'historical_roi_mean',
      'audience_size',
      'competitive_intensity',
      'seasonality_index',
      'market_share',
      'cpm',
      'ctr',
      'cvr',
    ],
    categorical: ['channel_id', 'objective_type'],
    target: 'return',
  },
  hyperparameters: {
    lightgbm: {
      objective: 'regression',
      num_leaves: 31,
      learning_rate: 0.05,
      n_estimators: 1000,
      max_depth: -1,
      min_child_samples: 20,
      subsample: 0.8,
      subsample_freq: 1,
      colsample_bytree: 0.8,
      reg_alpha: 0.1,
      reg_lambda: 0.1,
    },
  },
  tuning: {
    method: 'optuna',
    n_trials: 100,
    metric: 'rmse',
    timeout_seconds: null,
    search_space: {
      num_leaves: { type: 'int', low: 15, high: 255 },
      learning_rate: { type: 'float', low: 0.005, high: 0.3, log: true },
      min_child_samples: { type: 'int', low: 5, high: 100 },
      subsample: { type: 'float', low: 0.5, high: 1.0 },
      colsample_bytree: { type: 'float', low: 0.5, high: 1.0 },
      reg_alpha: { type: 'float', low: 1e-8, high: 10.0, log: true },
      reg_lambda: { type: 'float', low: 1e-8, high: 10.0, log: true },
    },
  },
  optimization: {
    spend_feature: 'current_spend',
    interval_quantiles: [0.1, 0.9],
    spend_grid: { min_multiplier: 0.25, max_multiplier: 3.0, points: 50 },
    marginal_return_hurdle: 0,
    monotone_spend: true,
  },
};

export const propensityDefaults: PropensityConfig = {
  ...globalDefaults,
  model: { name: 'propensity', type: 'classification', algorithm: 'xgboost' },
  features: {
    numerical: ['recency', 'frequency', 'monetary', 'engagement_score', 'tenure_days', 'email_open_rate', 'email_click_rate'],
    categorical: ['preferred_channel'],
    target: 'converted',
    id_column: 'customer_id',
  },
  hyperparameters: {
    xgboost: {
      objective: 'binary:logistic',
      max_depth: 6,
      learning_rate: 0.05,
      n_estimators: 500,
      min_child_weight: 1,
      gamma: 0,
      subsample: 0.8,
      colsample_bytree: 0.8,
      reg_alpha: 0,
      reg_lambda: 1,
      scale_pos_weight: 'auto',
      tree_method: 'hist',
      eval_metric: 'auc',
    },
  },
  tuning: {
    method: 'optuna',
    n_trials: 100,
    metric: 'auc_roc',
    timeout_seconds: null,
    search_space: {
      max_depth: { type: 'int', low: 3, high: 10 },
      learning_rate: { type: 'float', low: 0.005, high: 0.3, log: true },
      min_child_weight: { type: 'float', low: 0.5, high: 10, log: true },
      subsample: { type: 'float', low: 0.5, high: 1.0 },
      colsample_bytree: { type: 'float', low: 0.5, high: 1.0 },
      gamma: { type: 'float', low: 1e-8, high: 5.0, log: true },
      reg_lambda: { type: 'float', low: 1e-3, high: 10.0, log: true },
    },
  },
  calibration: { method: 'isotonic', holdout_fraction: 0.2, min_isotonic_rows: 1000, cv_folds: null },
  eligibility: { min_positives: 50, min_negatives: 50 },
  classification_threshold: 0.5,
  segments: [
    { name: 'High Propensity', min_score: 0.7 },
    { name: 'Medium Propensity', min_score: 0.4 },
    { name: 'Low Propensity', min_score: 0 },
  ],
};

export const anomalyDetectorDefaults: AnomalyDetectorConfig = {
  ...globalDefaults,
  model: { name: 'anomaly_detector', type: 'anomaly_detection', algorithm: 'ensemble' },
  features: {
    numerical: ['value'],
    categorical: ['channel_id', 'metric'],
    value_column: 'value',
    date_column: 'date',
    entity_columns: ['channel_id', 'metric'],
    lags: [1, 7, 14, 28],
    rolling_windows: [7, 14, 28],
    target: null,
  },
  hyperparameters: {
    isolation_forest: { n_estimators: 200, max_samples: 'auto', max_features: 1.0, bootstrap: false, random_state: 42 },
    lof: { n_neighbors: 20, leaf_size: 30, metric: 'minkowski', p: 2 },
  },
  tuning: {
    method: 'optuna',
    n_trials: 50,
    metric: 'f1',
    timeout_seconds: null,
    search_space: {
      n_estimators: { type: 'int', low: 100, high: 500, step: 50 },
      max_samples: { type: 'int', low: 64, high: 1024, log: true },
      n_neighbors: { type: 'int', low: 5, high: 50 },
      contamination: { type: 'float', low: 0.01, high: 0.1 },
    },
  },
  detection: {
    contamination: 0.05,
    ensemble_weights: { isolation_forest: 0.6, lof: 0.4 },
    z_score_threshold: 3,
  },
};
