import fs from 'node:fs';
import path from 'node:path';
import { checkInt, describe, ParameterError } from '@kdap/errors';
import { binding } from './binding';

/**
 * Routes LightGBM's log lines (info, warnings; `verbosity` sets the level) to `logger`, called on
 * the JS thread. With no logger (the default) they are dropped: LightGBM never writes to the
 * process's stdout/stderr.
 */
export function setLogger(logger: ((line: string) => void) | null): void {
  if (logger !== null && typeof logger !== 'function') {
    throw new ParameterError('logger', `setLogger needs a function or null. Got ${describe(logger)}.`);
  }
  binding().setLogger(logger);
}

/** The LightGBM version compiled into the addon (from the pinned source distribution). */
export function lightgbmVersion(): string {
  const pin = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'lightgbm.json'), 'utf8')) as { version: string };
  return pin.version;
}

/**
 * Joins this process to a LightGBM data-parallel network (`tree_learner=data`): `machines` is
 * "ip1:port1,ip2:port2,...", one entry per process, this process listening on `localListenPort`.
 */
export function networkInit(options: { machines: string[]; localListenPort: number; listenTimeOutMinutes?: number }): void {
  if (!Array.isArray(options?.machines) || options.machines.length === 0 || options.machines.some((m) => typeof m !== 'string' || !/^[^\s,:]+:\d+$/.test(m))) {
    throw new ParameterError('machines', `The 'machines' option of networkInit must be a non-empty array of 'host:port' strings. Got ${describe(options?.machines)}.`);
  }
  checkInt('networkInit', 'localListenPort', options.localListenPort, 1, 65535);
  const timeout = options.listenTimeOutMinutes ?? 2;
  checkInt('networkInit', 'listenTimeOutMinutes', timeout, 1);
  binding().networkInit(options.machines.join(','), options.localListenPort, timeout, options.machines.length);
}

/** Leaves the LightGBM network. */
export function networkFree(): void {
  binding().networkFree();
}

/**
 * Debug counter for leak tests: LightGBM objects of each kind created by this process and not yet
 * freed (counted in C++ at create/free; a disposed object still used by a running call counts
 * until that call ends).
 */
export function liveHandles(): { Dataset: number; Booster: number; FastConfig: number } {
  return binding().liveHandles();
}
