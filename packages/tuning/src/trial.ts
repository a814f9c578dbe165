import { ParameterError, UsageError, AbortError, checkInt, describe } from '@kdap/errors';
import {
  categoricalDistribution,
  containsInternal,
  floatDistribution,
  intDistribution,
  isSingle,
  sameDistribution,
  singleValue,
  toExternal,
  toInternal,
  type CategoricalChoice,
  type Distribution,
  type ParamValue,
} from './distributions';
import type { Study } from './study';
import { isFinished, type TrialRecord } from './trial-state';

/** Options of suggestFloat / suggestInt. */
export interface SuggestRangeOptions {
  /** Sample log-uniformly (low must be > 0 for floats, >= 1 for integers). */
  log?: boolean;
  /** Sample on the grid low, low + step, ... (floats: > 0; integers: >= 1). */
  step?: number;
}

/**
 * Thrown by an objective to end its trial as PRUNED (after `trial.shouldPrune()` said so). The study records
 * the trial with its last intermediate value and goes on. An AbortError: the trial was stopped on purpose.
 */
export class TrialPruned extends AbortError {
  constructor(message = 'The trial was pruned.') {
    super(message);
  }
}

/** One evaluation of the objective: suggests parameter values, reports intermediate values, asks whether to stop. */
export class Trial {
  private relativeSpace: Record<string, Distribution> | undefined;
  private relativeParams: Record<string, number> | undefined;

  /** @internal Created by Study. */
  constructor(
    private readonly study: Study,
    private readonly record: TrialRecord,
  ) {}

  /** 0-based number of this trial in its study. */
  get number(): number {
    return this.record.number;
  }

  /** The values suggested so far. */
  get params(): Readonly<Record<string, ParamValue>> {
    return this.record.params;
  }

  /** The study's AbortSignal, for objectives that can stop mid-way (boosting, long evaluations). */
  get signal(): AbortSignal | undefined {
    return this.study.currentSignal;
  }

  /** A real value in [low, high]: uniform, log-uniform with `log`, or on the grid of `step` (high is trimmed to the grid, as Optuna does). */
  suggestFloat(name: string, low: number, high: number, options: SuggestRangeOptions = {}): number {
    return this.suggest(name, floatDistribution(this.checkName(name), low, high, options)) as number;
  }

  /** An integer in [low, high], on the grid of `step` (default 1) or log-uniform with `log`. */
  suggestInt(name: string, low: number, high: number, options: SuggestRangeOptions = {}): number {
    return this.suggest(name, intDistribution(this.checkName(name), low, high, options)) as number;
  }

  /** One of `choices` (strings, numbers, booleans or null; stored as JSON). */
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.suggest(name, categoricalDistribution(this.checkName(name), choices)) as T;
  }

  /** Records the objective's intermediate `value` at `step` (an integer >= 0: boosting round, epoch); the pruner reads these. A step reported twice keeps its first value. */
  report(value: number, step: number): void {
    this.checkRunning('report');
    checkInt('Trial.report', 'step', step, 0, 2 ** 31 - 1, 'argument');
    if (typeof value !== 'number') throw new ParameterError('value', `The 'value' argument of Trial.report must be a number. Got ${describe(value)}.`);
    if (this.record.intermediateValues.has(step)) return;
    this.study.storage.setTrialIntermediateValue(this.record.trialId, step, value);
  }

  /** Whether the study's pruner says to stop this trial now (throw `new TrialPruned()` to do so). */
  shouldPrune(): boolean {
    this.checkRunning('shouldPrune');
    return this.study.pruner.prune(this.study, this.record);
  }

  /** Attaches a JSON-serializable note to the trial (stored in the journal as Optuna's user_attrs). */
  setUserAttr(key: string, value: unknown): void {
    this.checkRunning('setUserAttr');
    this.study.storage.setTrialUserAttr(this.record.trialId, key, value);
  }

  private checkName(name: string): string {
    if (typeof name !== 'string' || name === '') throw new ParameterError('name', `A parameter name must be a non-empty string. Got ${describe(name)}.`);
    return name;
  }

  private checkRunning(method: string): void {
    if (isFinished(this.record.state)) throw new UsageError(`Trial ${this.record.number} has finished (${this.record.state}); ${method}() works only inside the objective while the trial runs.`);
  }

  private suggest(name: string, distribution: Distribution): ParamValue {
    this.checkRunning('suggest');
    const existing = this.record.distributions[name];
    if (existing !== undefined) {
      if (!sameDistribution(existing, distribution)) {
        throw new ParameterError(name, `Parameter '${name}' was already suggested in trial ${this.record.number} with another range or choices. Give each search dimension its own name.`);
      }
      return this.record.params[name]!;
    }
    const fixed = (this.record.systemAttrs.fixed_params as Record<string, ParamValue> | undefined)?.[name];
    if (fixed !== undefined) {
      // A value fixed by Optuna's enqueue_trial (or ours): used as given, like Optuna, if the distribution can hold it.
      const internal = toInternal(distribution, fixed);
      if (!containsInternal(distribution, internal)) {
        throw new ParameterError(name, `Trial ${this.record.number} was enqueued with ${name} = ${describe(fixed)}, which is outside the suggested distribution. Enqueue a value inside it.`);
      }
      this.study.storage.setTrialParam(this.record.trialId, name, internal, distribution);
      return toExternal(distribution, internal);
    }
    if (isSingle(distribution)) {
      const value = singleValue(distribution);
      this.study.storage.setTrialParam(this.record.trialId, name, toInternal(distribution, value), distribution);
      return value;
    }
    const relative = this.relative();
    let internal: number;
    const relativeDistribution = this.relativeSpace?.[name];
    const relativeValue = relative[name];
    if (relativeValue !== undefined && relativeDistribution !== undefined && sameDistribution(relativeDistribution, distribution) && containsInternal(distribution, relativeValue)) {
      internal = relativeValue;
    } else {
      internal = this.study.sampler.sampleIndependent(this.study, this.record, name, distribution);
    }
    this.study.storage.setTrialParam(this.record.trialId, name, internal, distribution);
    return toExternal(distribution, internal);
  }

  private relative(): Record<string, number> {
    if (this.relativeParams === undefined) {
      this.relativeSpace = this.study.sampler.inferRelativeSearchSpace(this.study, this.record);
      this.relativeParams = Object.keys(this.relativeSpace).length === 0 ? {} : this.study.sampler.sampleRelative(this.study, this.record, this.relativeSpace);
    }
    return this.relativeParams;
  }
}
