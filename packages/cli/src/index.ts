/**
 * @kdap/cli: the `kdap` command. `run(argv)` is the whole CLI as a function (for embedding and
 * tests); the executable is `kdap` (src/bin.ts).
 */
export { run } from './run';
export type { RunOptions } from './run';
export type { Streams } from './output';
export { CLI_VERSION, versionReport } from './version';
export { CLI_MODELS } from './models';
export type { CliModel } from './models';
