import { invalidParameter } from '@kdap/errors';

/** Expected fraction of outliers: 'auto' (the algorithm's fixed offset) or a number in (0, 0.5]. */
export type Contamination = 'auto' | number;

export function checkContamination(owner: string, contamination: unknown): asserts contamination is Contamination {
  if (contamination === 'auto') return;
  if (typeof contamination !== 'number' || !(contamination > 0 && contamination <= 0.5)) {
    invalidParameter(owner, 'contamination', "'auto' or a number > 0 and <= 0.5", contamination, 'option');
  }
}
