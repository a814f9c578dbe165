/**
 * Data that does not fit a fitted model's feature schema: a required feature is absent, a value
 * has the wrong type, or a category was never seen in training (under the 'error' policy).
 */
export class FeatureError extends Error {
  override readonly name = 'FeatureError';
  readonly code = 'ERR_KDAP_FEATURE';
  /** The feature (column) at fault. */
  readonly feature: string;

  constructor(feature: string, message: string) {
    super(message);
    this.feature = feature;
  }
}
