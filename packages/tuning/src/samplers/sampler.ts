import type { Distribution } from '../distributions';
import type { Direction, FrozenTrial, TrialState } from '../trial-state';

/** What samplers and pruners may read of a study. */
export interface StudyView {
  readonly direction: Direction;
  /** Trials in number order, optionally only those in `states`. */
  getTrials(states?: readonly TrialState[]): readonly FrozenTrial[];
}

/**
 * How a study picks parameter values (Optuna's BaseSampler). Values cross this interface in internal form:
 * the number itself for ranges, the choice's index for categoricals.
 */
export interface Sampler {
  /** The parameters this sampler draws jointly at the start of `trial` (empty for independent samplers). */
  inferRelativeSearchSpace(study: StudyView, trial: FrozenTrial): Record<string, Distribution>;
  /** Joint draw over `searchSpace`; may return fewer parameters (they are then drawn independently). */
  sampleRelative(study: StudyView, trial: FrozenTrial, searchSpace: Record<string, Distribution>): Record<string, number>;
  /** One parameter drawn on its own. */
  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number;
}
