import pc from 'picocolors';

/** Where the CLI writes, and how: a TTY gets colour and redrawn bars, anything else plain lines. */
export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/**
 * The CLI's voice. Results go to stdout (one JSON document with --json); progress, notices and
 * errors go to stderr, so `kdap ... --json > result.json` stays machine-readable.
 */
export class Output {
  readonly json: boolean;
  readonly verbosity: Verbosity;
  /** Whether stderr is an interactive terminal (bars redraw in place). */
  readonly interactive: boolean;
  readonly #streams: Streams;
  readonly #color: boolean;

  constructor(streams: Streams, options: { json?: boolean; verbosity?: Verbosity } = {}) {
    this.#streams = streams;
    this.json = options.json ?? false;
    this.verbosity = options.verbosity ?? 'normal';
    this.interactive = streams.stderr.isTTY === true && streams.env.CI !== 'true' && streams.env.TERM !== 'dumb';
    // https://no-color.org: any non-empty NO_COLOR turns colour off; FORCE_COLOR turns it on.
    const noColor = streams.env.NO_COLOR !== undefined && streams.env.NO_COLOR !== '';
    this.#color = !noColor && (streams.env.FORCE_COLOR !== undefined ? streams.env.FORCE_COLOR !== '0' : this.interactive);
  }

  get stderr(): Streams['stderr'] {
    return this.#streams.stderr;
  }

  get color(): boolean {
    return this.#color;
  }

  /** A line of the human result (stdout); nothing in --json mode. */
  result(line: string): void {
    if (!this.json) this.#streams.stdout.write(`${line}\n`);
  }

  /** The one machine-readable document of --json mode. */
  resultJson(value: unknown): void {
    this.#streams.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** A notice while working (stderr); hidden by --quiet. */
  info(line: string): void {
    if (this.verbosity !== 'quiet') this.#streams.stderr.write(`${line}\n`);
  }

  /** Detail for --verbose only. */
  debug(line: string): void {
    if (this.verbosity === 'verbose') this.#streams.stderr.write(`${this.dim(line)}\n`);
  }

  /** An error line (stderr), always shown. */
  error(line: string): void {
    this.#streams.stderr.write(`${this.#color ? pc.red('error') : 'error'}: ${line}\n`);
  }

  bold(text: string): string {
    return this.#color ? pc.bold(text) : text;
  }

  dim(text: string): string {
    return this.#color ? pc.dim(text) : text;
  }

  green(text: string): string {
    return this.#color ? pc.green(text) : text;
  }
}

/** NaN and infinities have no JSON form: they become null, as in the bundle manifest. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (value instanceof Float64Array || value instanceof Float32Array) return Array.from(value);
  return value;
}
