import { AbortError, ParameterError, UsageError, checkKnownOptions, checkNumber, checkOneOf, describe, checkInt, isKdapError } from '@kdap/errors';
import type { ParamValue } from './distributions';
import { MedianPruner } from './pruners/percentile-pruner';
import type { Pruner } from './pruners/pruner';
import type { Sampler, StudyView } from './samplers/sampler';
import { TPESampler } from './samplers/tpe-sampler';
import { JournalFileBackend } from './storage/file-backend';
import { JournalStorage } from './storage/journal-storage';
import { MemoryJournalBackend } from './storage/memory-backend';
import { Trial, TrialPruned } from './trial';
import type { Direction, FrozenTrial, TrialState } from './trial-state';

/** Options of createStudy. */
export interface CreateStudyOptions {
  /** Default 'minimize'. */
  direction?: Direction;
  /** Default a TPESampler with Optuna's defaults and a random seed. */
  sampler?: Sampler;
  /** Default a MedianPruner with Optuna's defaults (5 startup trials, no warm-up, every step). */
  pruner?: Pruner;
  /** A JournalStorage, or the path of a journal file (Optuna's JournalFileBackend format). Default: in memory. */
  storage?: JournalStorage | string;
  /** Default 'no-name-<uuid>' (Optuna's naming). */
  studyName?: string;
  /** Continue the study of this name if the storage has it (Optuna's load_if_exists). Default false. */
  loadIfExists?: boolean;
}

/** The objective: returns the value to minimize or maximize (or a promise of it). */
export type Objective = (trial: Trial) => number | Promise<number>;

/** Options of Study.optimize. At least one of nTrials, timeout and signal is needed. */
export interface OptimizeOptions {
  /** Trials to run in this call. */
  nTrials?: number;
  /** Seconds after which no new trial starts (the running one finishes). */
  timeout?: number;
  /** Aborting stops the study after the running trial (which sees it as `trial.signal`); optimize then rejects with AbortError. */
  signal?: AbortSignal;
  /** Called after each trial with its record (and the error of a FAIL trial). */
  onTrial?: (trial: FrozenTrial, study: Study, error?: unknown) => void;
}

/** A finished trial's summary, in the Python module's snake_case shape (for bundles and reports). */
export interface StudySummary {
  study_name: string;
  direction: Direction;
  n_trials: number;
  n_complete: number;
  n_pruned: number;
  n_fail: number;
  best_trial: number | null;
  best_value: number | null;
  best_params: Record<string, ParamValue> | null;
}

const NO_NAME_PREFIX = 'no-name-';

/** A hyperparameter search: trials, their sampler and pruner, kept in a storage. */
export class Study implements StudyView {
  /** @internal */ readonly storage: JournalStorage;
  /** @internal */ currentSignal: AbortSignal | undefined;
  private running = false;

  /** @internal Use createStudy. */
  constructor(
    readonly studyName: string,
    private readonly studyId: number,
    readonly direction: Direction,
    readonly sampler: Sampler,
    readonly pruner: Pruner,
    storage: JournalStorage,
  ) {
    this.storage = storage;
  }

  /** All trials in number order (any state; other processes' trials included). */
  get trials(): readonly FrozenTrial[] {
    return [...this.storage.trials(this.studyId)];
  }

  getTrials(states?: readonly TrialState[]): readonly FrozenTrial[] {
    const all = this.storage.trials(this.studyId);
    return states === undefined ? all : all.filter((t) => states.includes(t.state));
  }

  /** The COMPLETE trial with the best value (the first, on ties). */
  get bestTrial(): FrozenTrial {
    let best: FrozenTrial | undefined;
    for (const trial of this.getTrials(['COMPLETE'])) {
      if (best === undefined || (this.direction === 'minimize' ? trial.value! < best.value! : trial.value! > best.value!)) best = trial;
    }
    if (best === undefined) throw new UsageError(`Study '${this.studyName}' has no COMPLETE trial yet, so it has no best trial. Run optimize() (and check why trials failed or were pruned).`);
    return best;
  }

  get bestValue(): number {
    return this.bestTrial.value!;
  }

  get bestParams(): Readonly<Record<string, ParamValue>> {
    return this.bestTrial.params;
  }

  /** Counts and the best trial, snake_case (what a model bundle stores). */
  summary(): StudySummary {
    const trials = this.getTrials();
    const complete = trials.filter((t) => t.state === 'COMPLETE');
    const best = complete.length > 0 ? this.bestTrial : undefined;
    return {
      study_name: this.studyName,
      direction: this.direction,
      n_trials: trials.length,
      n_complete: complete.length,
      n_pruned: trials.filter((t) => t.state === 'PRUNED').length,
      n_fail: trials.filter((t) => t.state === 'FAIL').length,
      best_trial: best?.number ?? null,
      best_value: best?.value ?? null,
      best_params: best ? { ...best.params } : null,
    };
  }

  /**
   * Runs trials one after another. A trial whose objective throws or returns NaN (or no number) is recorded as
   * FAIL and the study goes on, except for errors of this package's own API (bad ranges, a name reused with
   * another distribution): those are bugs in the objective, so they fail the trial and stop the study.
   * Throwing TrialPruned records the trial as PRUNED.
   */
  async optimize(objective: Objective, options: OptimizeOptions = {}): Promise<void> {
    checkKnownOptions('Study.optimize', options, ['nTrials', 'timeout', 'signal', 'onTrial']);
    if (typeof objective !== 'function') throw new ParameterError('objective', `The 'objective' argument of Study.optimize must be a function (trial) => number. Got ${describe(objective)}.`);
    const { nTrials, timeout, signal, onTrial } = options;
    if (nTrials !== undefined) checkInt('Study.optimize', 'nTrials', nTrials, 0);
    if (timeout !== undefined) checkNumber('Study.optimize', 'timeout', timeout, { min: 0 });
    if (nTrials === undefined && timeout === undefined && signal === undefined) {
      throw new ParameterError('nTrials', 'Study.optimize needs a limit: pass nTrials, timeout (seconds) or an AbortSignal.');
    }
    if (this.running) throw new UsageError(`Study '${this.studyName}' is already optimizing; await the running optimize() first (run more processes on one journal file to parallelize).`);
    this.running = true;
    this.currentSignal = signal;
    const started = performance.now();
    try {
      for (let i = 0; nTrials === undefined || i < nTrials; i++) {
        if (signal?.aborted) throw new AbortError(`Study '${this.studyName}' was aborted after ${i} trial(s).`);
        if (timeout !== undefined && performance.now() - started >= timeout * 1000) break;
        await this.runTrial(objective, onTrial);
      }
      if (signal?.aborted) throw new AbortError(`Study '${this.studyName}' was aborted.`);
    } finally {
      this.running = false;
      this.currentSignal = undefined;
    }
  }

  private async runTrial(objective: Objective, onTrial: OptimizeOptions['onTrial']): Promise<void> {
    const record = this.storage.startTrial(this.studyId, new Date());
    const trial = new Trial(this, record);
    let state: TrialState;
    let value: number | undefined;
    let error: unknown;
    try {
      const returned: unknown = await objective(trial);
      if (typeof returned === 'number' && !Number.isNaN(returned)) {
        state = 'COMPLETE';
        value = returned;
      } else {
        state = 'FAIL';
        error = new ParameterError('objective', `The objective of trial ${record.number} returned ${describe(returned)}; it must return a number (NaN counts as a failure).`);
      }
    } catch (thrown) {
      error = thrown;
      if (thrown instanceof TrialPruned) {
        state = 'PRUNED';
        const step = [...record.intermediateValues.keys()].reduce((a, b) => Math.max(a, b), -1);
        const last = step >= 0 ? record.intermediateValues.get(step) : undefined;
        value = last !== undefined && !Number.isNaN(last) ? last : undefined;
        error = undefined;
      } else {
        state = 'FAIL';
      }
    }
    this.storage.finishTrial(record.trialId, state, value, new Date());
    onTrial?.(record, this, error);
    if (state === 'FAIL' && isApiMisuse(error)) throw error;
  }
}

/** A bad suggest or report call (a bug in the objective, repeated by every trial), not the objective's own failure. */
function isApiMisuse(error: unknown): boolean {
  if (error instanceof ParameterError) return error.parameter !== 'objective';
  return isKdapError(error, 'ERR_KDAP_USAGE');
}

/** Creates (or with loadIfExists, continues) a study. */
export function createStudy(options: CreateStudyOptions = {}): Study {
  checkKnownOptions('createStudy', options, ['direction', 'sampler', 'pruner', 'storage', 'studyName', 'loadIfExists']);
  const direction = options.direction ?? 'minimize';
  checkOneOf('createStudy', 'direction', direction, ['minimize', 'maximize']);
  if (options.studyName !== undefined && (typeof options.studyName !== 'string' || options.studyName === '')) {
    throw new ParameterError('studyName', `The 'studyName' option of createStudy must be a non-empty string. Got ${describe(options.studyName)}.`);
  }
  const storage =
    options.storage === undefined
      ? new JournalStorage(new MemoryJournalBackend())
      : typeof options.storage === 'string'
        ? new JournalStorage(new JournalFileBackend(options.storage))
        : options.storage;
  if (!(storage instanceof JournalStorage)) throw new ParameterError('storage', `The 'storage' option of createStudy must be a journal file path or a JournalStorage. Got ${describe(options.storage)}.`);
  const sampler = options.sampler ?? new TPESampler();
  const pruner = options.pruner ?? new MedianPruner();
  const name = options.studyName ?? `${NO_NAME_PREFIX}${crypto.randomUUID()}`;
  const existing = storage.findStudy(name);
  let studyId: number;
  if (existing !== undefined) {
    if (!options.loadIfExists) throw new UsageError(`A study named '${name}' already exists in this storage. Pass loadIfExists: true to continue it, or choose another studyName.`);
    if (existing.direction !== direction) {
      throw new UsageError(`Study '${name}' was created to ${existing.direction}, but createStudy asked to ${direction}. Pass direction: '${existing.direction}'.`);
    }
    studyId = existing.studyId;
  } else {
    try {
      studyId = storage.createStudy(name, direction);
    } catch (error) {
      // Another process created it between our look-up and our write.
      const raced = options.loadIfExists ? storage.findStudy(name) : undefined;
      if (!raced) throw error;
      studyId = raced.studyId;
    }
  }
  return new Study(name, studyId, direction, sampler, pruner, storage);
}
