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
  try {
    const { lightgbmVersion } = require('@kdap/lightgbm-node') as typeof import('@kdap/lightgbm-node');
    lines.push(`LightGBM ${lightgbmVersion()}`);
  } catch (error) {
    lines.push(`LightGBM (cannot load: ${(error as Error).message.split('\n')[0]})`);
  }
  return lines.join('\n');
}
