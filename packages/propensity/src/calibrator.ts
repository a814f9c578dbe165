import { ParameterError, describe } from '@kdap/errors';
import { IsotonicCalibrator, type IsotonicState } from './isotonic';
import { SigmoidCalibrator, type SigmoidState } from './sigmoid';

/** A fitted map from the booster's raw probability to a calibrated probability. */
export type Calibrator = IsotonicCalibrator | SigmoidCalibrator | IdentityCalibrator;

/** The calibration of a model trained with `calibration.method: none`: scores pass through. */
export class IdentityCalibrator {
  readonly method = 'none' as const;
  transform(scores: ArrayLike<number>): Float64Array {
    return Float64Array.from(scores);
  }
  toJSON(): { method: 'none' } {
    return { method: 'none' };
  }
}

export type CalibratorState = IsotonicState | SigmoidState | { method: 'none' };

/** Restores a calibrator from its saved state (`state/calibration.json` of a bundle). */
export function calibratorFromJSON(state: CalibratorState): Calibrator {
  switch (state?.method) {
    case 'isotonic':
      return IsotonicCalibrator.fromJSON(state);
    case 'sigmoid':
      return SigmoidCalibrator.fromJSON(state);
    case 'none':
      return new IdentityCalibrator();
    default:
      throw new ParameterError('state', `A calibration state must have method 'isotonic', 'sigmoid' or 'none'. Got ${describe((state as { method?: unknown })?.method)}.`);
  }
}
