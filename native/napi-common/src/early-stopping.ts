/** One evaluation result of a boosting round: a metric of one evaluation set. */
export interface RoundScore {
  dataName: string;
  metric: string;
  value: number;
}

export interface EarlyStoppingOptions<S extends RoundScore> {
  /** Rounds without an improvement of a watched score after which training stops (>= 1). */
  rounds: number;
  /** Minimum improvement that counts (>= 0; default 0, as XGBoost's Python callback). */
  minDelta?: number;
  /** Whether larger is better for a score; asked once per score, when its first value is recorded. */
  higherBetter: (score: S) => boolean;
  /**
   * Whether a score may stop training (default: every score). Scores it leaves out are still
   * tracked (LightGBM leaves out the training data and, with first_metric_only, other metrics).
   */
  watches?: (score: S, round: readonly S[]) => boolean;
  /**
   * The last round (0-based) that training runs. When given, that round stops training with the
   * best round of the first watched score (LightGBM's `best_iteration` when no early stop fired).
   */
  finalRound?: number;
}

/** Where training stopped: the best round of the score that stopped it. */
export interface EarlyStop<S extends RoundScore> {
  /** 0-based best round. */
  iteration: number;
  /** Every score of that round. */
  scores: readonly S[];
}

interface Tracked<S extends RoundScore> {
  higherBetter: boolean;
  best: number;
  bestIteration: number;
  bestRound: readonly S[];
  /** Rounds recorded since the best one. */
  stale: number;
}

/**
 * Early stopping over the scores of each boosting round, for both bindings: each score position
 * (evaluation set x metric) keeps its best value and round; training stops when a watched score
 * has not improved by more than `minDelta` for `rounds` rounds. XGBoost's Python `EarlyStopping`
 * callback is this over one score (the last metric of the last evaluation set, minDelta 0);
 * `lightgbm.callback.early_stopping` is this over every score.
 */
export class EarlyStopping<S extends RoundScore> {
  readonly #rounds: number;
  readonly #minDelta: number;
  readonly #higherBetter: (score: S) => boolean;
  readonly #watches: (score: S, round: readonly S[]) => boolean;
  readonly #finalRound: number | undefined;
  readonly #tracked: Tracked<S>[] = [];

  constructor(options: EarlyStoppingOptions<S>) {
    this.#rounds = options.rounds;
    this.#minDelta = options.minDelta ?? 0;
    this.#higherBetter = options.higherBetter;
    this.#watches = options.watches ?? (() => true);
    this.#finalRound = options.finalRound;
  }

  /**
   * Records the scores of round `iteration` (0-based; the same positions every round) and returns
   * where training stops, or undefined to go on. Scores after the one that stops are not recorded.
   */
  update(iteration: number, round: readonly S[]): EarlyStop<S> | undefined {
    const first = this.#tracked.length === 0;
    for (let i = 0; i < round.length; i++) {
      const score = round[i]!;
      let t = this.#tracked[i];
      if (first || t === undefined) {
        t = { higherBetter: this.#higherBetter(score), best: score.value, bestIteration: iteration, bestRound: round, stale: 0 };
        this.#tracked[i] = t;
      } else if (t.higherBetter ? score.value > t.best + this.#minDelta : score.value < t.best - this.#minDelta) {
        t.best = score.value;
        t.bestIteration = iteration;
        t.bestRound = round;
        t.stale = 0;
      } else {
        t.stale++;
      }
      if (!this.#watches(score, round)) continue;
      if (t.stale >= this.#rounds || iteration === this.#finalRound) {
        return { iteration: t.bestIteration, scores: t.bestRound };
      }
    }
    return undefined;
  }

  /** The best round of score position `index` so far, or undefined before it was recorded. */
  best(index = 0): { iteration: number; value: number } | undefined {
    const t = this.#tracked[index];
    return t === undefined ? undefined : { iteration: t.bestIteration, value: t.best };
  }

  /**
   * How many rounds from `iteration` on may run before training could stop: the earliest best
   * round plus `rounds`, so a batch of rounds never trains past the stopping point.
   */
  roundsBeforePossibleStop(iteration: number): number {
    const earliest = this.#tracked.length > 0 ? Math.min(...this.#tracked.map((t) => t.bestIteration)) : iteration;
    return earliest + this.#rounds - iteration + 1;
  }
}
