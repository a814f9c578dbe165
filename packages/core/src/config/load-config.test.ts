import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, ParameterError } from '@kdap/errors';
import { loadConfig } from './load-config';

const shipped = resolve(__dirname, '../../../../config');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdap-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => p.message);
  }
  throw new Error('expected a ConfigError');
}

describe('the shipped config/ directory', () => {
  it('loads the budget optimizer with the values the Python module uses', () => {
    const c = loadConfig('budget', { configDir: shipped, env: {} });
    expect(c.model).toEqual({ name: 'budget_optimizer', type: 'regression', algorithm: 'lightgbm' });
    expect(c.features.numerical).toEqual([
      'current_spend', 'historical_roi_mean', 'audience_size', 'competitive_intensity',
      'seasonality_index', 'market_share', 'cpm', 'ctr', 'cvr',
    ]);
    expect(c.features.categorical).toEqual(['channel_id', 'objective_type']);
    expect(c.features.target).toBe('return');
    expect(c.hyperparameters.lightgbm).toMatchObject({ num_leaves: 31, learning_rate: 0.05, n_estimators: 1000 });
    expect(c.optimization).toEqual({
      spend_feature: 'current_spend',
      interval_quantiles: [0.1, 0.9],
      spend_grid: { min_multiplier: 0.25, max_multiplier: 3, points: 50 },
      marginal_return_hurdle: 0,
      monotone_spend: true,
    });
    expect(c.tuning.metric).toBe('rmse');
  });

  it('loads the propensity scorer with its id column, target and segments', () => {
    const c = loadConfig('propensity', { configDir: shipped, env: {} });
    expect(c.features.numerical).toEqual(['recency', 'frequency', 'monetary', 'engagement_score', 'tenure_days', 'email_open_rate', 'email_click_rate']);
    expect(c.features.categorical).toEqual(['preferred_channel']);
    expect(c.features.id_column).toBe('customer_id');
    expect(c.features.target).toBe('converted');
    expect(c.segments.map((s) => s.name)).toEqual(['High Propensity', 'Medium Propensity', 'Low Propensity']);
    expect(c.calibration.method).toBe('isotonic');
  });

  it('loads the anomaly detector with lags, windows, entity and date columns', () => {
    const c = loadConfig('anomaly', { configDir: shipped, env: {} });
    expect(c.features.lags).toEqual([1, 7, 14, 28]);
    expect(c.features.rolling_windows).toEqual([7, 14, 28]);
    expect(c.features.entity_columns).toEqual(['channel_id', 'metric']);
    expect(c.features.date_column).toBe('date');
    expect(c.detection.contamination).toBe(0.05);
    expect(c.detection.ensemble_weights).toEqual({ isolation_forest: 0.6, lof: 0.4 });
  });

  it('applies the dev profile by default and the prod profile with KDAP_ENV=prod', () => {
    const dev = loadConfig('budget', { configDir: shipped, env: {} });
    expect(dev.environment).toBe('dev');
    expect(dev.mlflow.experiment_name).toBe('kdap-ml-dev');
    expect(dev.tuning.n_trials).toBe(20);
    const prod = loadConfig('budget', { configDir: shipped, env: { KDAP_ENV: 'prod' } });
    expect(prod.environment).toBe('prod');
    expect(prod.mlflow.experiment_name).toBe('kdap-ml-prod');
    expect(prod.tuning.n_trials).toBe(100);
  });

  it('returns a frozen object so a trainer cannot change the configuration it was given', () => {
    const c = loadConfig('propensity', { configDir: shipped, env: {} });
    expect(Object.isFrozen(c.hyperparameters.xgboost)).toBe(true);
  });
});

describe('precedence', () => {
  it('is defaults < config.yaml < model yaml < environment < overrides', () => {
    const env = { MLFLOW_TRACKING_URI: 'http://from-env:5000' };
    expect(loadConfig('budget', { configDir: dir, env: {} }).mlflow.tracking_uri).toBe('./mlruns');
    write('config.yaml', 'mlflow:\n  tracking_uri: from-global\n');
    expect(loadConfig('budget', { configDir: dir, env: {} }).mlflow.tracking_uri).toBe('from-global');
    write('budget_optimizer.yaml', 'mlflow:\n  tracking_uri: from-model\n');
    expect(loadConfig('budget', { configDir: dir, env: {} }).mlflow.tracking_uri).toBe('from-model');
    expect(loadConfig('budget', { configDir: dir, env }).mlflow.tracking_uri).toBe('http://from-env:5000');
    expect(loadConfig('budget', { configDir: dir, env, overrides: { mlflow: { tracking_uri: 'http://flag' } } }).mlflow.tracking_uri).toBe('http://flag');
  });

  it('merges mappings key by key: a file that sets one hyperparameter keeps the others', () => {
    write('propensity.yaml', 'hyperparameters:\n  xgboost:\n    max_depth: 4\n');
    const c = loadConfig('propensity', { configDir: dir, env: {} });
    expect(c.hyperparameters.xgboost.max_depth).toBe(4);
    expect(c.hyperparameters.xgboost.learning_rate).toBe(0.05);
  });

  it('reads the Azure variables and KDAP_ENV; an explicit profile beats KDAP_ENV', () => {
    const c = loadConfig('anomaly', {
      configDir: dir,
      env: { AZURE_SUBSCRIPTION_ID: 'sub-1', AZURE_RESOURCE_GROUP: 'rg-1', AZURE_ML_WORKSPACE: 'ws-1', AZURE_REGION: 'westeurope', KDAP_ENV: 'prod' },
      profile: 'dev',
    });
    expect(c.azure).toEqual({ subscription_id: 'sub-1', resource_group: 'rg-1', workspace_name: 'ws-1', region: 'westeurope' });
    expect(c.environment).toBe('dev');
  });

  it('applies a profile of the model file after the global file', () => {
    write('config.yaml', 'profiles:\n  prod:\n    tuning:\n      n_trials: 7\n');
    write('propensity.yaml', 'profiles:\n  prod:\n    tuning:\n      n_trials: 9\n');
    expect(loadConfig('propensity', { configDir: dir, env: { KDAP_ENV: 'prod' } }).tuning.n_trials).toBe(9);
  });

  it('uses only the built-in defaults when there is no ./config and none was named', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(loadConfig('propensity', { env: {} }).hyperparameters.xgboost.max_depth).toBe(6);
    } finally {
      process.chdir(cwd);
    }
  });

  it("never reads the host application's ./config implicitly (only a named directory or KDAP_CONFIG_DIR)", () => {
    // A host application's own config/config.yaml, in a shape that is not ours.
    mkdirSync(join(dir, 'host', 'config'), { recursive: true });
    writeFileSync(join(dir, 'host', 'config', 'config.yaml'), 'database:\n  url: postgres://app\n');
    writeFileSync(join(dir, 'host', 'config', 'propensity.yaml'), 'hyperparameters:\n  xgboost:\n    max_depth: 3\n');
    const cwd = process.cwd();
    process.chdir(join(dir, 'host'));
    try {
      expect(loadConfig('propensity', { env: {} }).hyperparameters.xgboost.max_depth).toBe(6);
      mkdirSync(join(dir, 'named'));
      writeFileSync(join(dir, 'named', 'propensity.yaml'), 'hyperparameters:\n  xgboost:\n    max_depth: 3\n');
      expect(loadConfig('propensity', { env: { KDAP_CONFIG_DIR: join(dir, 'named') } }).hyperparameters.xgboost.max_depth).toBe(3);
      expect(loadConfig('propensity', { configDir: join(dir, 'named'), env: {} }).hyperparameters.xgboost.max_depth).toBe(3);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('problems', () => {
  it('names the file, key path, expected value and what was there', () => {
    write('propensity.yaml', 'hyperparameters:\n  xgboost:\n    max_depth: six\n');
    expect(problemsOf(() => loadConfig('propensity', { configDir: dir, env: {} }))).toEqual([
      `${join(dir, 'propensity.yaml')}: hyperparameters.xgboost.max_depth must be an integer >= 1, got 'six'`,
    ]);
  });

  it('lists every problem, one line each, in the error message', () => {
    write('budget_optimizer.yaml', 'hyperparameters:\n  lightgbm:\n    num_leaves: 1\n    learning_rate: -0.1\ntuning:\n  metric: auc\n');
    const file = join(dir, 'budget_optimizer.yaml');
    let error: ConfigError | undefined;
    try {
      loadConfig('budget', { configDir: dir, env: {} });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.message)).toEqual([
      `${file}: hyperparameters.lightgbm.num_leaves must be an integer between 2 and 131072, got 1`,
      `${file}: hyperparameters.lightgbm.learning_rate must be a number > 0, got -0.1`,
      `${file}: tuning.metric must be one of 'rmse', 'mae', 'mape', 'r2', got 'auc'`,
    ]);
    expect(error!.message).toBe(`The configuration has 3 problems:\n${error!.problems.map((p) => `  - ${p.message}`).join('\n')}`);
    expect(error!.problems[0]).toMatchObject({ source: file, keyPath: 'hyperparameters.lightgbm.num_leaves' });
  });

  it('reports an unknown key with a did-you-mean instead of ignoring it', () => {
    write('propensity.yaml', 'hyperparameters:\n  xgboost:\n    max_dept: 6\ntunning:\n  n_trials: 3\n');
    const file = join(dir, 'propensity.yaml');
    expect(problemsOf(() => loadConfig('propensity', { configDir: dir, env: {} })).sort()).toEqual([
      `${file}: hyperparameters.xgboost.max_dept is not a known key. Did you mean 'max_depth'?`,
      `${file}: tunning is not a known key. Did you mean 'tuning'?`,
    ]);
  });

  it('lists the known keys when no name is close', () => {
    write('config.yaml', 'mlflow:\n  zzzzzzzzzz: 1\n');
    expect(problemsOf(() => loadConfig('anomaly', { configDir: dir, env: {} }))).toEqual([
      `${join(dir, 'config.yaml')}: mlflow.zzzzzzzzzz is not a known key. Known keys here: tracking_uri, experiment_name.`,
    ]);
  });

  it('names the profile path for a bad value inside a profile, and a misspelled profile', () => {
    write('config.yaml', 'profiles:\n  prod:\n    data:\n      test_size: 2\n  prd:\n    logging:\n      level: info\n');
    const file = join(dir, 'config.yaml');
    expect(problemsOf(() => loadConfig('budget', { configDir: dir, env: { KDAP_ENV: 'prod' } }))).toEqual([
      `${file}: profiles.prd is not a known profile. Did you mean 'prod'? Profiles are 'dev' and 'prod' (selected by KDAP_ENV).`,
    ]);
    write('config.yaml', 'profiles:\n  prod:\n    data:\n      test_size: 2\n');
    expect(problemsOf(() => loadConfig('budget', { configDir: dir, env: { KDAP_ENV: 'prod' } }))).toEqual([
      `${file}: profiles.prod.data.test_size must be a number > 0 and <= 1, got 2`,
    ]);
  });

  it('treats an empty KDAP_ENV as unset (dev)', () => {
    expect(loadConfig('budget', { configDir: shipped, env: { KDAP_ENV: '' } }).environment).toBe('dev');
  });

  it('names the environment variable that holds a bad value', () => {
    expect(problemsOf(() => loadConfig('budget', { configDir: dir, env: { KDAP_ENV: 'staging' } }))).toEqual([
      "environment variable KDAP_ENV must be one of 'dev', 'prod', got 'staging'",
    ]);
  });

  it('names the overrides for a bad flag value', () => {
    expect(problemsOf(() => loadConfig('propensity', { configDir: dir, env: {}, overrides: { tuning: { n_trials: 0 } } }))).toEqual([
      'overrides: tuning.n_trials must be an integer >= 1, got 0',
    ]);
  });

  it('checks values that depend on each other', () => {
    write('budget_optimizer.yaml', 'optimization:\n  interval_quantiles: [0.9, 0.1]\n  spend_grid:\n    min_multiplier: 3\n    max_multiplier: 0.25\n');
    const file = join(dir, 'budget_optimizer.yaml');
    expect(problemsOf(() => loadConfig('budget', { configDir: dir, env: {} }))).toEqual([
      `${file}: optimization.interval_quantiles must be two quantiles with 0 < lower < upper < 1, got a list of 2`,
      `${file}: optimization.spend_grid.max_multiplier must be a number greater than min_multiplier, got 0.25`,
    ]);
    write('propensity.yaml', 'segments:\n  - { name: High, min_score: 0.4 }\n  - { name: Mid, min_score: 0.7 }\n  - { name: Low, min_score: 0.1 }\n');
    const pfile = join(dir, 'propensity.yaml');
    expect(problemsOf(() => loadConfig('propensity', { configDir: dir, env: {} }))).toEqual([
      `${pfile}: segments[1].min_score must be a number below the previous segment's min_score (0.4), got 0.7`,
      `${pfile}: segments[2].min_score must be 0 (the last segment must catch every score), got 0.1`,
    ]);
    write('anomaly_detector.yaml', 'detection:\n  contamination: 0.7\n  ensemble_weights: { isolation_forest: 0.5, lof: 0.4 }\n');
    const afile = join(dir, 'anomaly_detector.yaml');
    expect(problemsOf(() => loadConfig('anomaly', { configDir: dir, env: {} }))).toEqual([
      `${afile}: detection.contamination must be 'auto' or a number > 0 and <= 0.5, got 0.7`,
      `${afile}: detection.ensemble_weights must be weights that sum to 1, got a mapping`,
    ]);
  });

  it('rejects a feature listed as both numerical and categorical', () => {
    write('propensity.yaml', 'features:\n  categorical: [preferred_channel, recency]\n');
    expect(problemsOf(() => loadConfig('propensity', { configDir: dir, env: {} }))).toEqual([
      `${join(dir, 'propensity.yaml')}: features.categorical must be a list that does not repeat numerical features ('recency' is in both), got a list of 2`,
    ]);
  });

  it('checks search-space entries', () => {
    write(
      'budget_optimizer.yaml',
      'tuning:\n  search_space:\n    num_leaves: { type: int, low: 64, high: 8 }\n    learning_rate: { type: uniform, low: 0.1, high: 1 }\n    subsample: 0.5\n',
    );
    const file = join(dir, 'budget_optimizer.yaml');
    expect(problemsOf(() => loadConfig('budget', { configDir: dir, env: {} }))).toEqual([
      `${file}: tuning.search_space.num_leaves.high must be a number greater than low, got 8`,
      `${file}: tuning.search_space.learning_rate.type must be 'int', 'float' or 'categorical', got 'uniform'`,
      `${file}: tuning.search_space.subsample must be a mapping with type 'int', 'float' or 'categorical', got 0.5`,
    ]);
  });

  it('rejects a search-space entry that names no hyperparameter of the algorithm', () => {
    write('propensity.yaml', 'tuning:\n  search_space:\n    max_dept: { type: int, low: 3, high: 9 }\n');
    expect(problemsOf(() => loadConfig('propensity', { configDir: dir, env: {} }))).toEqual([
      `${join(dir, 'propensity.yaml')}: tuning.search_space.max_dept must be named after a hyperparameter of xgboost (did you mean 'max_depth'?), got a mapping`,
    ]);
  });

  it('rejects a section given as a scalar', () => {
    write('propensity.yaml', 'hyperparameters: 5\n');
    expect(problemsOf(() => loadConfig('propensity', { configDir: dir, env: {} }))).toEqual([
      `${join(dir, 'propensity.yaml')}: hyperparameters must be a mapping, got 5`,
    ]);
  });

  it('reports YAML syntax errors with line and column', () => {
    write('config.yaml', 'mlflow:\n  tracking_uri: a: b\n');
    const [problem] = problemsOf(() => loadConfig('budget', { configDir: dir, env: {} }));
    expect(problem).toMatch(new RegExp(`^${escape(join(dir, 'config.yaml'))}:2:17: is not valid YAML: `));
  });

  it('rejects a key written twice in one mapping', () => {
    write('config.yaml', 'logging:\n  level: info\nlogging:\n  level: debug\n');
    const [problem] = problemsOf(() => loadConfig('budget', { configDir: dir, env: {} }));
    expect(problem).toMatch(new RegExp(`^${escape(join(dir, 'config.yaml'))}:3:1: is not valid YAML: .*[Uu]nique`));
  });

  it('rejects a file whose top level is a list', () => {
    write('anomaly_detector.yaml', '- a\n- b\n');
    expect(problemsOf(() => loadConfig('anomaly', { configDir: dir, env: {} }))).toEqual([
      `${join(dir, 'anomaly_detector.yaml')}: must hold a mapping of settings at the top level, got a list`,
    ]);
  });

  it('rejects a named config directory that does not exist', () => {
    const missing = join(dir, 'nope');
    expect(problemsOf(() => loadConfig('budget', { configDir: missing, env: {} }))).toEqual([
      `loadConfig's 'configDir' option names '${missing}', which is not a directory. Point it at the folder holding config.yaml.`,
    ]);
    expect(problemsOf(() => loadConfig('budget', { env: { KDAP_CONFIG_DIR: missing } }))).toEqual([
      `environment variable KDAP_CONFIG_DIR names '${missing}', which is not a directory. Point it at the folder holding config.yaml.`,
    ]);
  });

  it('rejects an unknown model name and profile with a ParameterError', () => {
    expect(() => loadConfig('budgte' as 'budget')).toThrow(ParameterError);
    expect(() => loadConfig('budgte' as 'budget')).toThrow(
      "The 'model' argument of loadConfig must be one of 'budget', 'propensity', 'anomaly'. Got 'budgte'. Did you mean 'budget'?",
    );
    expect(() => loadConfig('budget_optimizer' as 'budget')).toThrow(
      "The 'model' argument of loadConfig must be one of 'budget', 'propensity', 'anomaly'. Got 'budget_optimizer'. Did you mean 'budget'?",
    );
    expect(() => loadConfig('budget', { configDir: dir, profile: 'staging' })).toThrow(
      "The 'profile' option of loadConfig must be 'dev' or 'prod'. Got 'staging'.",
    );
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
