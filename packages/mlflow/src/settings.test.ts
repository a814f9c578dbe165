import { expectKdapError } from '@kdap/test-support';
import { artifactBaseUrl } from './artifact-uri';
import { trackingSettingsFromEnv } from './settings';

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

  it('refuses a URI that is not http(s), pointing file and sqlite users at the local default', () => {
    expectKdapError(() => trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' }), 'ERR_KDAP_PARAMETER', /scheme 'sqlite'\)\. Unset it to log to the local default/);
    expectKdapError(() => trackingSettingsFromEnv({ MLFLOW_TRACKING_URI: 'not a url' }), 'ERR_KDAP_PARAMETER', /must be an http\(s\) URL/);
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
