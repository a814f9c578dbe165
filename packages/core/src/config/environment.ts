import type { ConfigLayer } from './layer';

/** Environment variables the configuration reads, and the key each one sets. */
export const ENVIRONMENT_KEYS: Readonly<Record<string, readonly string[]>> = {
  KDAP_ENV: ['environment'],
  MLFLOW_TRACKING_URI: ['mlflow', 'tracking_uri'],
  AZURE_SUBSCRIPTION_ID: ['azure', 'subscription_id'],
  AZURE_RESOURCE_GROUP: ['azure', 'resource_group'],
  AZURE_ML_WORKSPACE: ['azure', 'workspace_name'],
  AZURE_REGION: ['azure', 'region'],
};

/** One layer per set variable, so a bad value is reported as "environment variable X ...". Empty counts as unset. */
export function environmentLayers(env: Readonly<Record<string, string | undefined>>): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  for (const [variable, path] of Object.entries(ENVIRONMENT_KEYS)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    // ['mlflow', 'tracking_uri'] -> { mlflow: { tracking_uri: value } }
    const values = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
    layers.push({ source: `environment variable ${variable}`, keyPrefix: [], single: true, values });
  }
  return layers;
}
