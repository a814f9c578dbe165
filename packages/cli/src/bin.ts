#!/usr/bin/env node
import { run } from './run';

// Ctrl-C: the first stops training between iterations (exit 130, no bundle written); a second
// one exits at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\ninterrupt: stopping after the current iteration (Ctrl-C again to quit now)\n');
  controller.abort();
});

// SIGTERM (a container stop, `kdap serve` under a supervisor): the same graceful stop.
process.on('SIGTERM', () => controller.abort());

// The libraries' notices (process warnings such as "identifier column dropped") print as the
// CLI's own notes, without Node's "(node:1234) Warning:" prefix.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!process.argv.includes('--quiet') && !process.argv.includes('-q')) process.stderr.write(`note: ${warning.message}\n`);
});

run(process.argv.slice(2), { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kdap: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
