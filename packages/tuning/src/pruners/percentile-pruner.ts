import { checkInt, checkKnownOptions, checkNumber } from '@kdap/errors';
import type { StudyView } from '../samplers/sampler';
import { lastStep, type FrozenTrial } from '../trial-state';
import type { Pruner } from './pruner';

/** Options of PercentilePruner and MedianPruner (Optuna's defaults). */
export interface PercentilePrunerOptions {
  /** No pruning until this many trials have COMPLETEd. Default 5. */
  nStartupTrials?: number;
  /** No pruning of a trial before it reports this step. Default 0. */
  nWarmupSteps?: number;
  /** Check every this many steps after the warm-up. Default 1. */
  intervalSteps?: number;
  /** No pruning at a step fewer than this many completed trials reported. Default 1. */
  nMinTrials?: number;
}

/** Numpy's default (linear) percentile of finite values; NaN when none. */
function percentile(values: number[], q: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const rank = (q / 100) * (v.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return v[lo]! + (v[hi]! - v[lo]!) * (rank - lo);
}

/**
 * Prunes a trial whose best intermediate value so far is worse than the given percentile of the completed
 * trials' values at the same step (Optuna's PercentilePruner).
 */
export class PercentilePruner implements Pruner {
  private readonly nStartupTrials: number;
  private readonly nWarmupSteps: number;
  private readonly intervalSteps: number;
  private readonly nMinTrials: number;

  constructor(
    private readonly percentileRank: number,
    options: PercentilePrunerOptions = {},
    owner = 'PercentilePruner',
  ) {
    checkKnownOptions(owner, options, ['nStartupTrials', 'nWarmupSteps', 'intervalSteps', 'nMinTrials']);
    checkNumber(owner, 'percentile', percentileRank, { min: 0, max: 100 }, 'parameter');
    const o = { nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1, nMinTrials: 1, ...options };
    checkInt(owner, 'nStartupTrials', o.nStartupTrials, 0);
    checkInt(owner, 'nWarmupSteps', o.nWarmupSteps, 0);
    checkInt(owner, 'intervalSteps', o.intervalSteps, 1);
    checkInt(owner, 'nMinTrials', o.nMinTrials, 1);
    this.nStartupTrials = o.nStartupTrials;
    this.nWarmupSteps = o.nWarmupSteps;
    this.intervalSteps = o.intervalSteps;
    this.nMinTrials = o.nMinTrials;
  }

  prune(study: StudyView, trial: FrozenTrial): boolean {
    const completed = study.getTrials(['COMPLETE']);
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const step = lastStep(trial);
    if (step === undefined || step < this.nWarmupSteps) return false;
    // Check only at the first report at or after each interval boundary.
    const boundary = Math.floor((step - this.nWarmupSteps) / this.intervalSteps) * this.intervalSteps + this.nWarmupSteps;
    let previousStep = -1;
    for (const s of trial.intermediateValues.keys()) if (s > previousStep && s !== step) previousStep = s;
    if (previousStep >= boundary) return false;
    const maximize = study.direction === 'maximize';
    const own = [...trial.intermediateValues.values()].filter((v) => !Number.isNaN(v));
    if (own.length === 0) return true;
    const best = maximize ? Math.max(...own) : Math.min(...own);
    const others: number[] = [];
    for (const t of completed) {
      const v = t.intermediateValues.get(step);
      if (v !== undefined) others.push(v);
    }
    if (others.length < this.nMinTrials) return false;
    const p = percentile(others, maximize ? 100 - this.percentileRank : this.percentileRank);
    if (Number.isNaN(p)) return false;
    return maximize ? best < p : best > p;
  }
}

/** Prunes a trial whose best intermediate value is worse than the median of completed trials at the same step (Optuna's MedianPruner). */
export class MedianPruner extends PercentilePruner {
  constructor(options: PercentilePrunerOptions = {}) {
    super(50, options, 'MedianPruner');
  }
}
