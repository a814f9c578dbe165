import { checkInt } from '@kdap/napi-common';
import { binding } from './binding';

/** The version of the XGBoost library the addon loaded (`XGBoostVersion`), e.g. "1.7.4". */
export function xgboostVersion(): string {
  const v = binding().version();
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** XGBoost's build flags (`XGBuildInfo`): compiler, OpenMP, CUDA, ... */
export function xgboostBuildInfo(): Record<string, unknown> {
  return JSON.parse(binding().buildInfo()) as Record<string, unknown>;
}

/**
 * XGBoost's global log level: 0 silent, 1 warnings (the library's default), 2 info, 3 debug.
 * XGBoost writes its log lines to the process's stderr.
 */
export function setVerbosity(level: number): void {
  checkInt('setVerbosity', 'level', level, 0, 3);
  binding().setGlobalConfig(JSON.stringify({ verbosity: level }));
}

/** XGBoost's global configuration (verbosity, use_rmm, ...). */
export function getGlobalConfig(): Record<string, unknown> {
  return JSON.parse(binding().getGlobalConfig()) as Record<string, unknown>;
}
