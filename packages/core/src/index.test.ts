import * as core from '@kdap/core';
import * as testing from '@kdap/core/testing';

it('exposes exactly the deliberate public surface (runtime values; types are checked by tsc)', () => {
  expect(Object.keys(core).sort()).toEqual(
    [
      'BUNDLE_FORMAT',
      'BUNDLE_FORMAT_VERSION',
      'BUNDLE_KEY_ENV',
      'bundleKeyFromEnv',
      'COLUMN_ROLES',
      'CORE_VERSION',
      'DEFAULT_FEATURE_POLICY',
      'ENVIRONMENT_KEYS',
      'FeatureSchema',
      'MODEL_KINDS',
      'Trainer',
      'anomalyDetectorDefaults',
      'anomalyMetrics',
      'applyOverrides',
      'averagePrecisionScore',
      'binaryConfusion',
      'brierScoreLoss',
      'budgetOptimizerDefaults',
      'calibrationCurve',
      'checkColumnMapping',
      'chooseThreshold',
      'classificationMetrics',
      'columnRenames',
      'f1Score',
      'labelsAtThreshold',
      'loadBundle',
      'loadConfig',
      'logLoss',
      'meanAbsoluteError',
      'meanAbsolutePercentageError',
      'meanSquaredError',
      'missingColumnError',
      'precisionRecallCurve',
      'precisionScore',
      'propensityDefaults',
      'r2Score',
      'recallScore',
      'regressionMetrics',
      'renameColumns',
      'renameRecord',
      'rocAucScore',
      'rootMeanSquaredError',
      'saveBundle',
      'searchSortedLeft',
      'sortedScoresByClass',
      'sortScoresInPlace',
      'tableRows',
      'validationSplit',
    ].sort(),
  );
});

it('loads the repository config through the public entry point', () => {
  const config = core.loadConfig('propensity', { env: {} });
  expect(config.model.algorithm).toBe('xgboost');
});

it('exposes the test support as @kdap/core/testing', () => {
  expect(Object.keys(testing).sort()).toEqual(
    ['categoriesOf', 'numbersOf', 'runTrainerContract', 'tableOf', 'withColumn', 'withoutColumns'].sort(),
  );
});
