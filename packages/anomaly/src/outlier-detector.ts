import { DisposedError, NotFittedError } from '@kdap/errors';
import type { NumericInput } from './numeric-matrix';

/**
 * What IsolationForest and LocalOutlierFactor share: scikit-learn's layered scoring
 * (`scoreSamples` -> `decisionFunction` = scoreSamples - offset -> `predict`) and the lifecycle of
 * the learned state `S` (absent before fit, replaced by a refit, released by dispose, after which
 * every call throws DisposedError).
 */
export abstract class OutlierDetector<S extends { offset: number }> implements Disposable {
  readonly #owner: string;
  #state: S | undefined;
  #disposed = false;

  /** @param owner the class name errors give, e.g. 'IsolationForest' */
  protected constructor(owner: string) {
    this.#owner = owner;
  }

  /** scikit-learn's `score_samples`: lower is more abnormal. */
  abstract scoreSamples(X: NumericInput): Float64Array;

  /** Frees what a state holds beyond the JS heap (native memory); called when it is replaced or disposed. */
  protected release(_state: S): void {}

  get isFitted(): boolean {
    return this.#state !== undefined;
  }

  /** scikit-learn's `offset_`: decisionFunction = scoreSamples - offset. */
  get offset(): number {
    return this.fitted('offset').offset;
  }

  /** scoreSamples - offset: negative for outliers. */
  decisionFunction(X: NumericInput): Float64Array {
    const offset = this.fitted('decisionFunction').offset;
    const scores = this.scoreSamples(X);
    for (let i = 0; i < scores.length; i += 1) scores[i] = scores[i]! - offset;
    return scores;
  }

  /** -1 for outliers (decisionFunction < 0), 1 for inliers. */
  predict(X: NumericInput): Int8Array {
    this.fitted('predict');
    return Int8Array.from(this.decisionFunction(X), (d) => (d < 0 ? -1 : 1));
  }

  /** Releases the learned state; later calls throw DisposedError. Idempotent. */
  dispose(): void {
    if (this.#state !== undefined) this.release(this.#state);
    this.#state = undefined;
    this.#disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  protected checkAlive(): void {
    if (this.#disposed) throw new DisposedError(this.#owner);
  }

  /** The learned state for `method`; DisposedError after dispose, NotFittedError before fit. */
  protected fitted(method: string): S {
    this.checkAlive();
    if (this.#state === undefined) throw new NotFittedError(this.#owner, method, 'fit(X)');
    return this.#state;
  }

  /** Installs a new learned state, releasing the one it replaces (now, not at GC). */
  protected setFitted(state: S): void {
    if (this.#state !== undefined && this.#state !== state) this.release(this.#state);
    this.#state = state;
  }
}
