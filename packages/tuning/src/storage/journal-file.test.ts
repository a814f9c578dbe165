import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { referencePython } from '@kdap/test-support';
import { createStudy, TPESampler, TrialPruned, type Trial } from '../index';

const SCRIPT = resolve(__dirname, '../../scripts/optuna_journal.py');
const WORKER = resolve(__dirname, '../testing/journal-worker.ts');
const NODE_ARGS = ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', WORKER];

interface OptunaView {
  optuna: string;
  direction: string;
  numbers: number[];
  states: string[];
  values: Array<number | null>;
  params: Array<Record<string, unknown>>;
  intermediate: Array<Record<string, number>>;
  user_attrs: Array<Record<string, unknown>>;
  best_value: number | null;
  best_params: Record<string, unknown> | null;
}

/** Runs Optuna (from .venv-ref) on the journal; fails, never skips, without it. */
function optuna(mode: 'read' | 'run' | 'enqueue', path: string, study: string, ...args: string[]): OptunaView {
  const run = spawnSync(referencePython(), [SCRIPT, mode, path, study, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`optuna_journal.py ${mode} failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as OptunaView;
}

function objective(trial: Trial): number {
  const x = trial.suggestFloat('x', -5, 5);
  const lr = trial.suggestFloat('lr', 1e-5, 1, { log: true });
  const n = trial.suggestInt('n', 1, 20);
  const c = trial.suggestCategorical('c', ['a', 'b', 'c']);
  const value = (x - 2) ** 2 + (Math.log10(lr) + 2) ** 2 + (n - 7) ** 2 / 10 + (c !== 'b' ? 1 : 0);
  trial.report(value + 1, 0);
  trial.report(trial.number === 3 ? NaN : value, 1);
  if (trial.number === 4) throw new TrialPruned();
  if (trial.number === 5) throw new RangeError('the objective broke');
  trial.setUserAttr('writer', 'node');
  return value;
}

describe('journal file (Optuna JournalFileBackend format)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kdap-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a study written here opens in Optuna with the same trials, and one Optuna continues opens here', async () => {
    const path = join(dir, 'study.log');
    const ours = createStudy({ storage: path, studyName: 'mixed', sampler: new TPESampler({ seed: 3 }) });
    await ours.optimize(objective, { nTrials: 12 });
    const read = optuna('read', path, 'mixed');
    expect(read.numbers).toEqual([...Array(12).keys()]);
    expect(read.states).toEqual(ours.trials.map((t) => t.state));
    expect(read.states[4]).toBe('PRUNED');
    expect(read.states[5]).toBe('FAIL');
    expect(read.params).toEqual(ours.trials.map((t) => t.params));
    expect(read.values[0]).toBe(ours.trials[0]!.value);
    expect(read.intermediate[3]).toEqual({ '0': ours.trials[3]!.intermediateValues.get(0), '1': null }); // the NaN, as Optuna read it
    expect(read.best_value).toBe(ours.bestValue);
    expect(read.best_params).toEqual(ours.bestParams);
    expect(read.user_attrs[0]).toEqual({ writer: 'node' });

    const continued = optuna('run', path, 'mixed', '5', '11');
    expect(continued.numbers).toEqual([...Array(17).keys()]);
    const again = createStudy({ storage: path, studyName: 'mixed', loadIfExists: true, sampler: new TPESampler({ seed: 4 }) });
    expect(again.trials).toHaveLength(17);
    expect(again.trials.slice(12).map((t) => t.params)).toEqual(continued.params.slice(12));
    expect(again.trials.slice(12).map((t) => t.userAttrs)).toEqual(continued.user_attrs.slice(12));
    expect(Number.isNaN(again.trials[3]!.intermediateValues.get(1))).toBe(true);
    await again.optimize(objective, { nTrials: 3 });
    const last = optuna('read', path, 'mixed');
    expect(last.numbers).toEqual([...Array(20).keys()]);
    expect(last.best_value).toBe(again.bestValue);
  });

  it('runs the trial Optuna enqueued, with its fixed values, and keeps the direction', async () => {
    const path = join(dir, 'enqueued.log');
    optuna('enqueue', path, 'queued');
    const study = createStudy({ storage: path, studyName: 'queued', loadIfExists: true, direction: 'maximize' });
    await study.optimize((t) => t.suggestFloat('x', 0, 2) + (t.suggestCategorical('c', ['a', 'b']) === 'b' ? 1 : 0), { nTrials: 2 });
    expect(study.trials[0]!.params).toEqual({ x: 1.5, c: 'b' });
    expect(study.trials[0]!.value).toBe(2.5);
    const read = optuna('read', path, 'queued');
    expect(read.direction).toBe('maximize');
    expect(read.states).toEqual(['COMPLETE', 'COMPLETE']);
  });

  it('two processes share one study: every trial gets one number and one owner', async () => {
    const path = join(dir, 'shared.log');
    const barrier = join(dir, 'barrier');
    const run = (seed: number) =>
      new Promise<number>((resolveExit) => {
        const child = spawn(process.execPath, [...NODE_ARGS, path, 'shared', '12', String(seed), '30'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KDAP_BARRIER: barrier } });
        child.on('exit', (code) => resolveExit(code ?? -1));
      });
    const exits = Promise.all([run(1), run(2)]);
    while (readdirSync(dir).filter((f) => f.startsWith('barrier.ready.')).length < 2) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(`${barrier}.go`, '');
    const codes = await exits;
    expect(codes).toEqual([0, 0]);
    const study = createStudy({ storage: path, studyName: 'shared', loadIfExists: true });
    expect(study.trials.map((t) => t.number)).toEqual([...Array(24).keys()]);
    expect(study.trials.every((t) => t.state === 'COMPLETE' && Object.keys(t.params).length === 4)).toBe(true);
    const writers = new Map<unknown, number>();
    for (const t of study.trials) writers.set(t.userAttrs.writer, (writers.get(t.userAttrs.writer) ?? 0) + 1);
    expect([...writers.values()]).toEqual([12, 12]);
    // They ran side by side: the owners alternate along the trial numbers.
    const switches = study.trials.filter((t, i) => i > 0 && t.userAttrs.writer !== study.trials[i - 1]!.userAttrs.writer).length;
    expect(switches).toBeGreaterThan(3);
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(optuna('read', path, 'shared').numbers).toHaveLength(24);
  }, 180_000);

  it('resumes after the writing process is killed: numbering continues, the killed trial stays RUNNING', async () => {
    const path = join(dir, 'killed.log');
    const marker = join(dir, 'marker');
    const child = spawn(process.execPath, [...NODE_ARGS, path, 'killed', '100', '1', '150', marker], { stdio: ['ignore', 'ignore', 'inherit'] });
    // Kill while the objective of trial 4 sleeps: after its parameters were appended, never during an append.
    await new Promise<void>((ready, fail) => {
      const poll = setInterval(() => {
        if (existsSync(marker) && readFileSync(marker, 'utf8') === '4') {
          clearInterval(poll);
          child.kill('SIGKILL');
          ready();
        }
      }, 5);
      child.on('exit', () => fail(new Error('the worker exited before it could be killed')));
    });
    await new Promise((r) => child.on('exit', r));
    const resumed = createStudy({ storage: path, studyName: 'killed', loadIfExists: true, sampler: new TPESampler({ seed: 9 }) });
    expect(resumed.trials.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'RUNNING']);
    await resumed.optimize((t) => t.suggestFloat('x', -5, 5) ** 2, { nTrials: 3 });
    expect(resumed.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(resumed.trials.slice(5).every((t) => t.state === 'COMPLETE')).toBe(true);
    expect(optuna('read', path, 'killed').states).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'RUNNING', 'COMPLETE', 'COMPLETE', 'COMPLETE']);
  }, 120_000);
});
