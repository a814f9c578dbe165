import type { Distribution, ParamValue } from './distributions';

/** A trial's life: RUNNING while the objective runs, then COMPLETE, PRUNED or FAIL. WAITING is an enqueued trial (Optuna's enqueue_trial). */
export type TrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';

/** Whether the study minimizes or maximizes the objective. */
export type Direction = 'minimize' | 'maximize';

/** Optuna's TrialState integers, as the journal stores them. */
export const TRIAL_STATE_CODES: Readonly<Record<TrialState, number>> = { RUNNING: 0, COMPLETE: 1, PRUNED: 2, FAIL: 3, WAITING: 4 };
export const TRIAL_STATES_BY_CODE: readonly TrialState[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'];
/** Optuna's StudyDirection integers (0 is NOT_SET). */
export const DIRECTION_CODES: Readonly<Record<Direction, number>> = { minimize: 1, maximize: 2 };

export function isFinished(state: TrialState): boolean {
  return state === 'COMPLETE' || state === 'PRUNED' || state === 'FAIL';
}

/** A trial as recorded: what was sampled, reported and returned. Read-only view of the storage's record. */
export interface FrozenTrial {
  /** 0-based position in its study (continues across processes and restarts). */
  readonly number: number;
  /** Storage-wide id (the journal's trial_id). */
  readonly trialId: number;
  readonly state: TrialState;
  /** The objective's value (COMPLETE), or the last intermediate value of a PRUNED trial; undefined otherwise. */
  readonly value: number | undefined;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The samplers' numbers: the value itself for ranges, the index of the choice for categoricals. */
  readonly internalParams: Readonly<Record<string, number>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** step -> value reported with `trial.report`. */
  readonly intermediateValues: ReadonlyMap<number, number>;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  readonly systemAttrs: Readonly<Record<string, unknown>>;
  readonly datetimeStart: Date | undefined;
  readonly datetimeComplete: Date | undefined;
}

/** The storage's own record, mutated in place as journal operations replay. */
export interface TrialRecord extends FrozenTrial {
  state: TrialState;
  value: number | undefined;
  params: Record<string, ParamValue>;
  internalParams: Record<string, number>;
  distributions: Record<string, Distribution>;
  intermediateValues: Map<number, number>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  datetimeStart: Date | undefined;
  datetimeComplete: Date | undefined;
}

/** The largest reported step, or undefined. */
export function lastStep(trial: FrozenTrial): number | undefined {
  let last: number | undefined;
  for (const step of trial.intermediateValues.keys()) if (last === undefined || step > last) last = step;
  return last;
}
