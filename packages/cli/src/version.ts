/** This package's version (kept equal to package.json by a test). */
export const CLI_VERSION = '0.1.0';

/**
 * `kdap --version`: the packages and the native libraries they run. A native library that cannot
 * load is reported as such rather than failing the command, so the output helps diagnose it.
 */
export function versionReport(): string {
  // Loaded here only: start-up, --help and usage errors need neither @kdap/core nor a native library.
  const { CORE_VERSION } = require('@kdap/core') as typeof import('@kdap/core');
  const lines = [`kdap ${CLI_VERSION}`, `@kdap/core ${CORE_VERSION}`, `node ${process.versions.node}`];
  // The native libraries the models train with: LightGBM (budget) and XGBoost (propensity).
  const natives: [name: string, version: () => string][] = [
    ['LightGBM', () => (require('@kdap/lightgbm-node') as typeof import('@kdap/lightgbm-node')).lightgbmVersion()],
    ['XGBoost', () => (require('@kdap/xgboost-node') as typeof import('@kdap/xgboost-node')).xgboostVersion()],
  ];
  for (const [name, version] of natives) {
    try {
      lines.push(`${name} ${version()}`);
    } catch (error) {
      lines.push(`${name} (cannot load: ${(error as Error).message.split('\n')[0]})`);
    }
  }
  return lines.join('\n');
}
