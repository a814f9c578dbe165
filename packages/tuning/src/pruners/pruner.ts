import type { StudyView } from '../samplers/sampler';
import type { FrozenTrial } from '../trial-state';

/** Decides whether a running trial should stop early, from its reported intermediate values (Optuna's BasePruner). */
export interface Pruner {
  prune(study: StudyView, trial: FrozenTrial): boolean;
}

/** Never prunes. */
export class NopPruner implements Pruner {
  prune(): boolean {
    return false;
  }
}
