/** Hill saturation curve parameters of one channel. */
export interface HillParameters {
  /** Return (currency per day) approached as spend grows without bound. */
  readonly maxReturn: number;
  /** Effective (adstocked) spend (currency per day) at which half of maxReturn is reached. */
  readonly halfSaturation: number;
  /** Steepness (dimensionless); above 1 the curve is S-shaped. */
  readonly shape: number;
}

/** maxReturn * x^shape / (halfSaturation^shape + x^shape) for effective spend x >= 0. */
export function hillResponse(x: number, hill: HillParameters): number {
  if (x <= 0) return 0;
  const ratio = Math.pow(x / hill.halfSaturation, hill.shape);
  return (hill.maxReturn * ratio) / (1 + ratio);
}

/** d/dx of {@link hillResponse}. */
export function hillDerivative(x: number, hill: HillParameters): number {
  if (x <= 0) return hill.shape === 1 ? hill.maxReturn / hill.halfSaturation : 0;
  const ratio = Math.pow(x / hill.halfSaturation, hill.shape);
  return (hill.maxReturn * hill.shape * ratio) / (x * (1 + ratio) * (1 + ratio));
}
