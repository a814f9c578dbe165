/**
 * `logToMlflow()` was called without a tracker. MLflow tracking is its own piece of work: until a
 * tracker is injected (`new XTrainer({ tracker })`), the seam says so instead of pretending.
 */
export class TrackingNotConfiguredError extends Error {
  override readonly name = 'TrackingNotConfiguredError';
  readonly code = 'ERR_KDAP_TRACKING_NOT_CONFIGURED';

  constructor(owner: string) {
    super(
      `${owner}.logToMlflow() has no tracker: MLflow tracking arrives in its own issue. ` +
        `Pass one with the 'tracker' option (an object with logRun(run) returning the run id).`,
    );
  }
}
