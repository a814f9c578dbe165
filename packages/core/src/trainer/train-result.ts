/** What `train()` / `fit()` resolve to. */
export interface TrainResult {
  /** Validation metrics when a validation set was given, else training metrics (Python names). */
  metrics: Readonly<Record<string, number>>;
  trainMetrics: Readonly<Record<string, number>>;
  validationMetrics?: Readonly<Record<string, number>>;
  /**
   * Which set `metrics` come from: 'validation' (held out), 'training' (no validation set:
   * optimistic), or 'held_out' (rows the trainer kept from every fitting step, e.g. propensity's metric split).
   */
  metricsSet: 'validation' | 'training' | 'held_out';
  /** 1-based iteration with the best validation score (early stopping), or the last one. */
  bestIteration: number;
  /** Per-iteration metric series, e.g. { validation_rmse: [...] }. */
  history: Readonly<Record<string, readonly number[]>>;
  /** Wall-clock milliseconds. */
  timings: { encodeMs: number; fitMs: number; evaluateMs: number; totalMs: number };
}
