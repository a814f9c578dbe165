/** A trainer used before `train()`/`fit()` produced a model. */
export class NotFittedError extends Error {
  override readonly name = 'NotFittedError';
  readonly code = 'ERR_KDAP_NOT_FITTED';

  constructor(owner: string, method: string) {
    super(`${owner}.${method}() needs a fitted model. Call train(XTrain, yTrain) or fit(table, { target }) first.`);
  }
}
