import { SingleBar } from 'cli-progress';
import type { TrainingProgress } from '@kdap/core';
import type { Output } from './output';

/** The metric a progress line shows: the first validation metric, else the first one. */
function headlineMetric(metrics: Readonly<Record<string, number>>): [string, number] | undefined {
  const entries = Object.entries(metrics);
  return entries.find(([name]) => name.startsWith('validation_')) ?? entries[0];
}

/**
 * Per-iteration feedback: a bar redrawn in place on a terminal (iteration, metric, ETA), and on
 * anything else a plain line at every 10% so CI logs stay short and readable.
 */
export class TrainingProgressView {
  readonly #out: Output;
  readonly #label: string;
  readonly #unit: string;
  #bar: SingleBar | undefined;
  #nextPlain = 0;

  /** @param unit what one step is in plain lines: 'iteration' (boosting) or 'trial' (tuning). */
  constructor(out: Output, label: string, unit = 'iteration') {
    this.#out = out;
    this.#label = label;
    this.#unit = unit;
  }

  update(progress: TrainingProgress): void {
    if (this.#out.verbosity === 'quiet') return;
    const metric = headlineMetric(progress.metrics);
    const metricText = metric ? `${metric[0]} ${formatMetric(metric[1])}` : '';
    if (this.#out.interactive) {
      if (this.#bar === undefined) {
        this.#bar = new SingleBar(
          {
            format: `${this.#label} {bar} {value}/{total} | {metric} | ETA {eta_formatted}`,
            stream: this.#out.stderr as NodeJS.WritableStream,
            hideCursor: true,
            clearOnComplete: false,
            barsize: 30,
            etaBuffer: 50,
          },
          { format: '', barCompleteChar: '\u2588', barIncompleteChar: '\u2591' },
        );
        this.#bar.start(progress.totalIterations, 0, { metric: metricText });
      }
      this.#bar.update(progress.iteration, { metric: metricText });
      return;
    }
    const step = Math.max(1, Math.ceil(progress.totalIterations / 10));
    if (progress.iteration >= this.#nextPlain || progress.iteration === progress.totalIterations) {
      this.#nextPlain = progress.iteration + step;
      this.#out.info(`${this.#label} ${this.#unit} ${progress.iteration}/${progress.totalIterations}${metricText ? `  ${metricText}` : ''}  ${(progress.elapsedMs / 1000).toFixed(1)} s`);
    }
  }

  /** Ends the bar (early stopping may end before the total). */
  stop(): void {
    if (this.#bar !== undefined) {
      this.#bar.stop();
      this.#bar = undefined;
    }
  }
}

/** Four significant digits, plain notation where it reads well. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}
