import { join } from 'node:path';
import { expectKdapError } from '@kdap/test-support';
import { artifactBaseUrl } from './artifact-uri';
import { MlflowClient } from './client';
import { experimentNameFromEnv, trackingSettingsFromEnv } from './settings';

describe('tracking settings from the environment', () => {
  it('is undefined without MLFLOW_TRACKING_URI (the caller uses the local default)', () => {
    expect(trackingSettingsFromEnv({})).toBeUndefined();
    expect(trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: '  ' })).toBeUndefined();
  });

  it('reads the URI, experiment and a bearer token', () => {
    expect(trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'https://mlflow.example/', MLFLOW_EXPERIMENT_NAME: 'kdap', MLFLOW_TRACKING_TOKEN: 'abc' })).toEqual({
      trackingUri: 'https://mlflow.example',
      experimentName: 'kdap',
      authorization: 'Bearer abc',
    });
  });

  it('builds basic credentials from username and password, and refuses one without the other', () => {
    expect(trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'http://h:5000', MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw' })?.authorization).toBe(
      `Basic ${Buffer.from('ann:pw').toString('base64')}`,
    );
    expectKdapError(() => trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'http://h:5000', MLFLOW_TRACKING_USERNAME: 'ann' }), 'ERR_KDAP_PARAMETER', /MLFLOW_TRACKING_PASSWORD is not set/);
  });

  it('takes a sqlite:/// database, made absolute as MLflow reports it, with the experiment name', () => {
    expect(trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db', MLFLOW_EXPERIMENT_NAME: 'kdap' })).toEqual({
      trackingUri: `sqlite:///${join(process.cwd(), 'mlflow.db')}`,
      experimentName: 'kdap',
      authorization: undefined,
    });
    expect(experimentNameFromEnv({ MLFLOW_EXPERIMENT_NAME: ' kdap ' })).toBe('kdap');
  });

  it('refuses a URI that is neither http(s) nor sqlite, pointing file-store users at the local default', () => {
    expectKdapError(() => trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'file:///srv/mlruns' }), 'ERR_KDAP_PARAMETER', /scheme 'file'\)\. That is MLflow's old file store, which MLflow 3\.13\+ refuses by default; unset MLFLOW_TRACKING_URI/);
    expectKdapError(() => trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: './mlruns' }), 'ERR_KDAP_PARAMETER', /Got '\.\/mlruns'\. That is MLflow's old file store/);
    expectKdapError(() => trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'not a url' }), 'ERR_KDAP_PARAMETER', /must be an http\(s\) URL/);
    expectKdapError(() => new MlflowClient({ trackingUri: 'sqlite:///mlflow.db' }), 'ERR_KDAP_PARAMETER', /MlflowClient speaks REST\. 'sqlite:\/\/\/mlflow\.db' is a SQLite database; MlflowTracker \(and SqliteTrackingStore\) write it directly/);
  });
});

describe('artifact proxy URLs', () => {
  it('maps mlflow-artifacts URIs onto the tracking server or the host they name', () => {
    expect(artifactBaseUrl('http://127.0.0.1:5000', 'mlflow-artifacts:/1/abc/artifacts')).toBe('http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts');
    expect(artifactBaseUrl('https://t.example', 'mlflow-artifacts://a.example:9000/1/models/m-1/artifacts')).toBe('https://a.example:9000/api/2.0/mlflow-artifacts/artifacts/1/models/m-1/artifacts');
    expect(artifactBaseUrl('http://t', 'http://t/api/2.0/mlflow-artifacts/artifacts/2/x/artifacts/')).toBe('http://t/api/2.0/mlflow-artifacts/artifacts/2/x/artifacts');
  });

  it('refuses artifact stores only the server can reach, saying how to start the server', () => {
    expectKdapError(() => artifactBaseUrl('http://t', 's3://bucket/1/abc/artifacts'), 'ERR_KDAP_TRACKING', /--serve-artifacts/);
    expectKdapError(() => artifactBaseUrl('http://t', '/srv/mlruns/1/abc/artifacts'), 'ERR_KDAP_TRACKING', /cannot write to/);
  });
});
