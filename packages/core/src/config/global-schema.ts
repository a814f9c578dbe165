import { integer, number, oneOf, optionalText, section, text } from './expect';

/** Deployment-wide settings from `config/config.yaml`, shared by every model. */
export const globalSections = {
  /** Selected by `KDAP_ENV`; set by the loader, not by files. */
  environment: oneOf(['dev', 'prod']),
  azure: section({
    subscription_id: optionalText(),
    resource_group: optionalText(),
    workspace_name: text(),
    region: text(),
  }),
  mlflow: section({
    /** A tracking server URL, or a local directory for MLflow's file store. */
    tracking_uri: text(),
    experiment_name: text(),
  }),
  data: section({
    /** Fraction of rows held out for the final test metrics. */
    test_size: number(0, 1, true),
    /** Fraction of the remaining rows used for early stopping and calibration. */
    validation_size: number(0, 1, true),
    random_state: integer(0),
  }),
  training: section({
    random_seed: integer(0),
    /** Threads for the native libraries; -1 means one per core. */
    n_jobs: integer(-1),
    /** Rounds without improvement on the validation set before training stops. */
    early_stopping_rounds: integer(1),
  }),
  paths: section({
    models_dir: text(),
    data_dir: text(),
  }),
  logging: section({
    level: oneOf(['debug', 'info', 'warn', 'error']),
  }),
};
