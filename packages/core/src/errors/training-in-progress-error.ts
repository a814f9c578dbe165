/** `train()`/`fit()` called again on a trainer whose previous training has not finished. */
export class TrainingInProgressError extends Error {
  override readonly name = 'TrainingInProgressError';
  readonly code = 'ERR_KDAP_TRAINING_IN_PROGRESS';

  constructor(owner: string) {
    super(`${owner} is already training. Await the previous train()/fit() (or abort it) first, or use a second trainer.`);
  }
}
