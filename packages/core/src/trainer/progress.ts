/** One boosting round / iteration of training, as reported to `onProgress` and `'progress'` listeners. */
export interface TrainingProgress {
  /** 1-based. */
  iteration: number;
  /** The configured maximum (early stopping may end sooner). */
  totalIterations: number;
  /** Metrics after this iteration, e.g. { train_rmse: 12.3, validation_rmse: 14.1 }. */
  metrics: Readonly<Record<string, number>>;
  /** Milliseconds since training started. */
  elapsedMs: number;
}
