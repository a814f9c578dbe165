import { randomUUID } from 'node:crypto';
import { DataError, ParameterError, UsageError, type KdapError } from '@kdap/errors';
import { distributionFromJson, distributionToJson, incompatibility, toExternal, type Distribution } from '../distributions';
import {
  DIRECTION_CODES,
  TRIAL_STATE_CODES,
  TRIAL_STATES_BY_CODE,
  isFinished,
  type Direction,
  type FrozenTrial,
  type TrialRecord,
  type TrialState,
} from '../trial-state';

/** Optuna's JournalOperation codes: the journal's op_code field. */
export const JOURNAL_OPS = {
  CREATE_STUDY: 0,
  DELETE_STUDY: 1,
  SET_STUDY_USER_ATTR: 2,
  SET_STUDY_SYSTEM_ATTR: 3,
  CREATE_TRIAL: 4,
  SET_TRIAL_PARAM: 5,
  SET_TRIAL_STATE_VALUES: 6,
  SET_TRIAL_INTERMEDIATE_VALUE: 7,
  SET_TRIAL_USER_ATTR: 8,
  SET_TRIAL_SYSTEM_ATTR: 9,
} as const;

/** One journal line. */
export type JournalOp = Record<string, unknown> & { op_code: number; worker_id: string };

/** Where journal operations live: an array in memory, or an append-only file shared by processes. */
export interface JournalBackend {
  /** Operations appended (by anyone) since the previous call, in log order. */
  readNew(): JournalOp[];
  /** Appends operations atomically with respect to other writers. */
  append(ops: readonly JournalOp[]): void;
}

/** A study as the storage knows it. */
export interface StudyRecord {
  readonly studyId: number;
  readonly name: string;
  readonly direction: Direction;
  readonly userAttrs: Record<string, unknown>;
  readonly systemAttrs: Record<string, unknown>;
  readonly trialIds: number[];
}

/**
 * Studies and trials kept as Optuna's journal: every change is an operation appended to a log, and the
 * state is the replay of the log. Several writers (processes) append to one log; each replays everyone's
 * operations in log order, so all agree on trial numbers and on who owns which trial. Operations that lose
 * a race (a second study of the same name, a parameter whose distribution another process fixed first)
 * are ignored in replay and, for their writer, raised as errors, exactly as Optuna's JournalStorage does.
 */
export class JournalStorage {
  private readonly workerId = `${randomUUID()}-${process.pid}`;
  private readonly studies = new Map<number, StudyRecord>();
  private readonly trialRecords: TrialRecord[] = [];
  private readonly trialStudy: number[] = [];
  private nextStudyId = 0;
  private lastCreatedTrialId = -1;
  private ownedTrialId: number | undefined;
  private ownError: KdapError | undefined;
  // Every SET_TRIAL_PARAM carries its distribution as JSON, and a study repeats a few: each text is parsed once
  // (the records share the frozen result).
  private readonly parsedDistributions = new Map<string, Distribution>();

  constructor(private readonly backend: JournalBackend) {
    this.sync();
  }

  /** Replays what other writers appended. */
  sync(): void {
    for (const op of this.backend.readNew()) this.apply(op);
  }

  private write(opCode: number, fields: Record<string, unknown>): void {
    this.backend.append([{ op_code: opCode, worker_id: this.workerId, ...fields }]);
    this.ownError = undefined;
    this.sync();
    const error = this.ownError as KdapError | undefined;
    this.ownError = undefined;
    if (error) throw error;
  }

  /** Creates a study and returns its id; a study of that name must not exist. */
  createStudy(name: string, direction: Direction): number {
    this.write(JOURNAL_OPS.CREATE_STUDY, { study_name: name, directions: [DIRECTION_CODES[direction]] });
    const study = this.findStudy(name);
    if (!study) throw new UsageError(`Study '${name}' was not recorded by the journal.`);
    return study.studyId;
  }

  /** The study of this name, after replaying everyone's operations. */
  findStudy(name: string): StudyRecord | undefined {
    this.sync();
    for (const study of this.studies.values()) if (study.name === name) return study;
    return undefined;
  }

  /** Every study's name, after replaying everyone's operations. */
  studyNames(): string[] {
    this.sync();
    return [...this.studies.values()].map((s) => s.name);
  }

  study(studyId: number): StudyRecord {
    const study = this.studies.get(studyId);
    if (!study) throw new UsageError(`Study ${studyId} does not exist in this storage (it was deleted, or the id is wrong).`);
    return study;
  }

  setStudyUserAttr(studyId: number, key: string, value: unknown): void {
    this.write(JOURNAL_OPS.SET_STUDY_USER_ATTR, { study_id: studyId, user_attr: { [key]: value } });
  }

  /**
   * Starts a trial owned by this writer: an enqueued (WAITING) trial if one is free, else a new one.
   * Returns the storage's record, which later operations update in place.
   */
  startTrial(studyId: number, now: Date): TrialRecord {
    this.sync();
    for (const trialId of this.study(studyId).trialIds) {
      const trial = this.trialRecords[trialId]!;
      if (trial.state !== 'WAITING') continue;
      this.write(JOURNAL_OPS.SET_TRIAL_STATE_VALUES, { trial_id: trialId, state: TRIAL_STATE_CODES.RUNNING, values: null, datetime_start: isoLocal(now) });
      // Another process may have claimed it first; the replay says who owns it.
      if (this.ownedTrialId === trialId) return trial;
    }
    this.write(JOURNAL_OPS.CREATE_TRIAL, { study_id: studyId, datetime_start: isoLocal(now) });
    return this.trialRecords[this.lastCreatedTrialId]!;
  }

  /** Records a sampled parameter (internal value: the number, or the choice's index). */
  setTrialParam(trialId: number, name: string, internal: number, distribution: Distribution): void {
    this.write(JOURNAL_OPS.SET_TRIAL_PARAM, { trial_id: trialId, param_name: name, param_value_internal: internal, distribution: distributionToJson(distribution) });
  }

  setTrialIntermediateValue(trialId: number, step: number, value: number): void {
    this.write(JOURNAL_OPS.SET_TRIAL_INTERMEDIATE_VALUE, { trial_id: trialId, step, intermediate_value: value });
  }

  setTrialUserAttr(trialId: number, key: string, value: unknown): void {
    this.write(JOURNAL_OPS.SET_TRIAL_USER_ATTR, { trial_id: trialId, user_attr: { [key]: value } });
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): void {
    this.write(JOURNAL_OPS.SET_TRIAL_SYSTEM_ATTR, { trial_id: trialId, system_attr: { [key]: value } });
  }

  /** Ends a trial: COMPLETE with its value, PRUNED with its last intermediate value (if any), FAIL without. */
  finishTrial(trialId: number, state: TrialState, value: number | undefined, now: Date): void {
    this.write(JOURNAL_OPS.SET_TRIAL_STATE_VALUES, { trial_id: trialId, state: TRIAL_STATE_CODES[state], values: value === undefined ? null : [value], datetime_complete: isoLocal(now) });
  }

  /** The study's trials in number order, after replaying everyone's operations. The array is live: do not keep it across awaits. */
  trials(studyId: number): readonly FrozenTrial[] {
    this.sync();
    return this.study(studyId).trialIds.map((id) => this.trialRecords[id]!);
  }

  private ownOp(op: JournalOp): boolean {
    return op.worker_id === this.workerId;
  }

  private trialUpdatable(op: JournalOp): TrialRecord | undefined {
    const trialId = op.trial_id as number;
    const trial = this.trialRecords[trialId];
    if (!trial) {
      if (this.ownOp(op)) this.ownError = new UsageError(`Trial ${trialId} does not exist in this journal.`);
      return undefined;
    }
    if (isFinished(trial.state)) {
      if (this.ownOp(op)) this.ownError = new UsageError(`Trial ${trial.number} has already finished (${trial.state}) and cannot be updated.`);
      return undefined;
    }
    return trial;
  }

  private studyExists(op: JournalOp): boolean {
    if (this.studies.has(op.study_id as number)) return true;
    if (this.ownOp(op)) this.ownError = new UsageError(`Study ${String(op.study_id)} does not exist in this journal.`);
    return false;
  }

  private apply(op: JournalOp): void {
    switch (op.op_code) {
      case JOURNAL_OPS.CREATE_STUDY: {
        const name = op.study_name as string;
        if ([...this.studies.values()].some((s) => s.name === name)) {
          if (this.ownOp(op)) this.ownError = new UsageError(`A study named '${name}' already exists in this storage. Pass loadIfExists: true to continue it, or choose another studyName.`);
          return;
        }
        const directions = op.directions as number[];
        if (directions.length !== 1) {
          // Multi-objective studies replay (so ids stay aligned with Optuna) but cannot be opened here.
          directions.length = 1;
        }
        const direction: Direction = directions[0] === DIRECTION_CODES.maximize ? 'maximize' : 'minimize';
        const studyId = this.nextStudyId++;
        this.studies.set(studyId, { studyId, name, direction, userAttrs: {}, systemAttrs: {}, trialIds: [] });
        return;
      }
      case JOURNAL_OPS.DELETE_STUDY:
        if (this.studyExists(op)) this.studies.delete(op.study_id as number);
        return;
      case JOURNAL_OPS.SET_STUDY_USER_ATTR:
        if (this.studyExists(op)) Object.assign(this.studies.get(op.study_id as number)!.userAttrs, op.user_attr);
        return;
      case JOURNAL_OPS.SET_STUDY_SYSTEM_ATTR:
        if (this.studyExists(op)) Object.assign(this.studies.get(op.study_id as number)!.systemAttrs, op.system_attr);
        return;
      case JOURNAL_OPS.CREATE_TRIAL:
        this.applyCreateTrial(op);
        return;
      case JOURNAL_OPS.SET_TRIAL_PARAM:
        this.applySetParam(op);
        return;
      case JOURNAL_OPS.SET_TRIAL_STATE_VALUES: {
        const trial = this.trialUpdatable(op);
        if (!trial) return;
        const state = TRIAL_STATES_BY_CODE[op.state as number] ?? 'FAIL';
        if (state === 'RUNNING' && trial.state === 'RUNNING') return;
        if (state === 'RUNNING') {
          trial.datetimeStart = parseIsoLocal(op.datetime_start);
          if (this.ownOp(op)) this.ownedTrialId = trial.trialId;
        }
        if (isFinished(state)) trial.datetimeComplete = parseIsoLocal(op.datetime_complete);
        trial.state = state;
        const values = op.values as number[] | null | undefined;
        if (values !== null && values !== undefined) trial.value = values[0];
        return;
      }
      case JOURNAL_OPS.SET_TRIAL_INTERMEDIATE_VALUE: {
        const trial = this.trialUpdatable(op);
        if (trial) trial.intermediateValues.set(op.step as number, op.intermediate_value as number);
        return;
      }
      case JOURNAL_OPS.SET_TRIAL_USER_ATTR: {
        const trial = this.trialUpdatable(op);
        if (trial) Object.assign(trial.userAttrs, op.user_attr);
        return;
      }
      case JOURNAL_OPS.SET_TRIAL_SYSTEM_ATTR: {
        const trial = this.trialUpdatable(op);
        if (trial) Object.assign(trial.systemAttrs, op.system_attr);
        return;
      }
      default:
        throw new DataError(`The journal holds an operation with op_code ${String(op.op_code)}, which @kdap/tuning does not know. Was it written by a newer Optuna?`);
    }
  }

  private applyCreateTrial(op: JournalOp): void {
    if (!this.studyExists(op)) return;
    const study = this.studies.get(op.study_id as number)!;
    const trialId = this.trialRecords.length;
    const distributions: Record<string, Distribution> = {};
    for (const [name, json] of Object.entries((op.distributions as Record<string, string> | undefined) ?? {})) distributions[name] = this.parseDistribution(json);
    const internalParams: Record<string, number> = { ...((op.params as Record<string, number> | undefined) ?? {}) };
    const params: TrialRecord['params'] = {};
    for (const [name, internal] of Object.entries(internalParams)) params[name] = toExternal(distributions[name]!, internal);
    const values = op.values as number[] | null | undefined;
    const intermediate = new Map<number, number>();
    for (const [step, value] of Object.entries((op.intermediate_values as Record<string, number> | undefined) ?? {})) intermediate.set(Number(step), value);
    const record: TrialRecord = {
      number: study.trialIds.length,
      trialId,
      state: TRIAL_STATES_BY_CODE[(op.state as number | undefined) ?? 0] ?? 'RUNNING',
      value: values ? values[0] : ((op.value as number | null | undefined) ?? undefined),
      params,
      internalParams,
      distributions,
      intermediateValues: intermediate,
      userAttrs: { ...((op.user_attrs as Record<string, unknown> | undefined) ?? {}) },
      systemAttrs: { ...((op.system_attrs as Record<string, unknown> | undefined) ?? {}) },
      datetimeStart: parseIsoLocal(op.datetime_start),
      datetimeComplete: parseIsoLocal(op.datetime_complete),
    };
    this.trialRecords.push(record);
    this.trialStudy.push(study.studyId);
    study.trialIds.push(trialId);
    if (this.ownOp(op)) {
      this.lastCreatedTrialId = trialId;
      if (record.state === 'RUNNING') this.ownedTrialId = trialId;
    }
  }

  private parseDistribution(json: string): Distribution {
    let distribution = this.parsedDistributions.get(json);
    if (distribution === undefined) {
      distribution = distributionFromJson(json);
      if (distribution.kind === 'categorical') Object.freeze(distribution.choices);
      Object.freeze(distribution);
      if (this.parsedDistributions.size >= 10_000) this.parsedDistributions.clear();
      this.parsedDistributions.set(json, distribution);
    }
    return distribution;
  }

  private applySetParam(op: JournalOp): void {
    const trial = this.trialUpdatable(op);
    if (!trial) return;
    const name = op.param_name as string;
    const distribution = this.parseDistribution(op.distribution as string);
    const study = this.studies.get(this.trialStudy[trial.trialId]!)!;
    // Optuna checks against the first earlier trial that has the parameter.
    for (const id of study.trialIds) {
      const previous = this.trialRecords[id]!.distributions[name];
      if (previous === undefined) continue;
      const why = incompatibility(previous, distribution);
      if (why !== undefined) {
        if (this.ownOp(op)) this.ownError = new ParameterError(name, `Parameter '${name}' cannot be suggested this way: ${why}. One name must keep one kind (and one list of choices) across a study.`);
        return;
      }
      break;
    }
    const internal = op.param_value_internal as number;
    trial.internalParams[name] = internal;
    trial.params[name] = toExternal(distribution, internal);
    trial.distributions[name] = distribution;
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Python's `datetime.now().isoformat(timespec="microseconds")`: local time, no zone. */
export function isoLocal(date: Date): string {
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}` +
    `T${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds() * 1000, 6)}`
  );
}

function parseIsoLocal(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  // Date.parse reads a zone-less date-time as local time, like Python's fromisoformat; it takes milliseconds only.
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(.*)$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}.${(m[2] ?? '0').padEnd(3, '0').slice(0, 3)}${m[3]}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
