import { CommanderError } from 'commander';
import { dispositionOf, isKdapError } from '@kdap/errors';
import type { CommandContext } from './context';
import { Output, type Streams } from './output';
import { buildProgram } from './program';
import { versionReport } from './version';

export interface RunOptions {
  streams?: Streams;
  /** Aborts a running command (the executable wires Ctrl-C here). */
  signal?: AbortSignal;
  cwd?: string;
}

/**
 * Runs `kdap` with `argv` (without the node and script paths) and resolves to the exit code:
 * 0 success, 2 usage, 1 runtime failure, 130 interrupted — from the error kernel's table, so the
 * CLI and the scoring server agree. Errors print as one line; --verbose adds the stack.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const streams: Streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr, env: process.env };
  const signal = options.signal ?? new AbortController().signal;
  const cwd = options.cwd ?? process.cwd();
  let out = new Output(streams, { verbosity: argv.includes('--verbose') || argv.includes('-v') ? 'verbose' : 'normal' });
  if (argv[0] === '--version' || argv[0] === '-V') {
    streams.stdout.write(`${versionReport()}\n`);
    return 0;
  }
  const program = buildProgram(
    streams,
    (o): CommandContext => ({ out: o, signal, cwd, env: streams.env }),
    (o) => {
      out = o;
    },
  );
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version displays end parsing with exit code 0; commander already printed its message.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return 0;
      return 2;
    }
    const { exitCode } = dispositionOf(error);
    // Whatever the interrupted work threw on its way out, the user asked it to stop.
    if (signal.aborted) {
      out.error('interrupted: training stopped between iterations; nothing was saved.');
      return 130;
    }
    const message = error instanceof Error ? error.message : String(error);
    out.error(isKdapError(error) ? message : `internal error (a bug in kdap, please report it): ${message}`);
    if (out.verbosity === 'verbose' && error instanceof Error && error.stack) out.stderr.write(`${error.stack}\n`);
    return exitCode;
  }
}
