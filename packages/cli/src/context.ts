import type { Output } from './output';

/** What every command receives: where to write, and the signal that Ctrl-C fires. */
export interface CommandContext {
  out: Output;
  signal: AbortSignal;
  /** The directory relative paths resolve against. */
  cwd: string;
  /** The environment the command runs in (KDAP_BUNDLE_KEY is read from it). */
  env: NodeJS.ProcessEnv;
}
