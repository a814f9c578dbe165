import { ConfigError, type ConfigProblem } from '@kdap/errors';

/** Where a deployment goes: the Azure ML workspace and its region. */
export interface AzureSettings {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  /** Azure region of the workspace, e.g. `westeurope`; endpoints and deployments are created there. */
  region: string;
}

/** The environment variables the Python module reads, by setting. */
export const AZURE_SETTING_VARIABLES: Readonly<Record<keyof AzureSettings, string>> = {
  subscriptionId: 'AZURE_SUBSCRIPTION_ID',
  resourceGroup: 'AZURE_RESOURCE_GROUP',
  workspace: 'AZURE_ML_WORKSPACE',
  region: 'AZURE_REGION',
};

/**
 * The settings from explicit values, else from the environment (the Python module's variables).
 * Every missing one is listed in one ConfigError, with the variable that provides it.
 */
export function resolveAzureSettings(given: Partial<AzureSettings>, env: NodeJS.ProcessEnv = process.env): AzureSettings {
  const problems: ConfigProblem[] = [];
  const out: Partial<AzureSettings> = {};
  for (const [setting, variable] of Object.entries(AZURE_SETTING_VARIABLES) as [keyof AzureSettings, string][]) {
    const value = (given[setting] ?? env[variable] ?? '').trim();
    if (value === '') {
      problems.push({
        source: `environment variable ${variable}`,
        keyPath: setting,
        message: `The Azure setting '${setting}' is missing: set ${variable} (or pass ${setting} to AzureMLDeployer).`,
      });
    } else out[setting] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as AzureSettings;
}
