/** A metric that is undefined for the given inputs (e.g. ROC AUC with one class), or mismatched inputs. */
export class MetricError extends Error {
  override readonly name = 'MetricError';
  readonly code = 'ERR_KDAP_METRIC';
  /** The metric function, e.g. `rocAucScore`. */
  readonly metric: string;

  constructor(metric: string, message: string) {
    super(message);
    this.metric = metric;
  }
}
