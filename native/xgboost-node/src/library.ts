import { checkInt, describe, ParameterError } from '@kdap/errors';
import { binding } from './binding';

/** The version of the XGBoost library the addon loaded (`XGBoostVersion`), e.g. "3.2.0". */
export function xgboostVersion(): string {
  const v = binding().version();
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** XGBoost's build flags (`XGBuildInfo`): compiler, OpenMP, CUDA, ... */
export function xgboostBuildInfo(): Record<string, unknown> {
  return JSON.parse(binding().buildInfo()) as Record<string, unknown>;
}

/**
 * Routes XGBoost's log lines (warnings, and info at higher verbosity) to `logger`, called on the
 * JS thread of the environment that set it. The logger is process-wide (the latest call wins)
 * because one native thread runs XGBoost for every environment. With no logger (the default)
 * the lines are dropped: XGBoost never writes to the process's stderr.
 */
export function setLogger(logger: ((line: string) => void) | null): void {
  if (logger !== null && typeof logger !== 'function') {
    throw new ParameterError('logger', `setLogger needs a function or null. Got ${describe(logger)}.`);
  }
  binding().setLogger(logger);
}

/** XGBoost's global log level: 0 silent, 1 warnings (the library's default), 2 info, 3 debug. */
export function setVerbosity(level: number): void {
  checkInt('setVerbosity', 'level', level, 0, 3);
  binding().setGlobalConfig(JSON.stringify({ verbosity: level }));
}

/** XGBoost's global configuration (verbosity, use_rmm, ...). */
export function getGlobalConfig(): Record<string, unknown> {
  return JSON.parse(binding().getGlobalConfig()) as Record<string, unknown>;
}

/**
 * Debug counter for leak tests: XGBoost objects of each kind created by this process and not yet
 * freed (counted in C++ at create/free; a disposed object still used by a running call counts
 * until that call ends).
 */
export function liveHandles(): { DMatrix: number; Booster: number } {
  return binding().liveHandles();
}
