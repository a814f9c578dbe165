import { expectKdapError } from '@kdap/test-support';
import { createStudy, JournalStorage, MemoryJournalBackend, NopPruner, RandomSampler, TPESampler, TrialPruned, type Trial } from './index';

describe('Study', () => {
  it('records a throwing objective, NaN and a non-number as FAIL and goes on', async () => {
    const seen: Array<[number, string, unknown]> = [];
    const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    await study.optimize(
      (trial) => {
        const x = trial.suggestFloat('x', 0, 1);
        if (trial.number === 1) throw new RangeError('diverged');
        if (trial.number === 2) return NaN;
        if (trial.number === 3) return 'oops' as unknown as number;
        return x;
      },
      { nTrials: 6, onTrial: (t, _s, error) => seen.push([t.number, t.state, error]) },
    );
    expect(study.trials.map((t) => t.state)).toEqual(['COMPLETE', 'FAIL', 'FAIL', 'FAIL', 'COMPLETE', 'COMPLETE']);
    expect(seen[1]![2]).toBeInstanceOf(RangeError);
    expect(String((seen[2]![2] as Error).message)).toMatch(/returned NaN/);
    expect(study.trials[1]!.value).toBeUndefined();
    const best = Math.min(...study.trials.filter((t) => t.state === 'COMPLETE').map((t) => t.value!));
    expect(study.bestValue).toBe(best);
    expect(study.bestParams.x).toBe(best);
    expect(study.summary()).toMatchObject({ n_trials: 6, n_complete: 3, n_fail: 3, n_pruned: 0, best_value: best, direction: 'minimize' });
  });

  it('maximizes when asked', async () => {
    const study = createStudy({ direction: 'maximize', sampler: new TPESampler({ seed: 2 }) });
    await study.optimize((t) => -((t.suggestFloat('x', -5, 5) - 1) ** 2), { nTrials: 40 });
    expect(study.bestValue).toBeGreaterThan(-0.1);
    expect(study.bestValue).toBe(Math.max(...study.trials.map((t) => t.value!)));
  });

  it('has no best trial before one completes, and says so', async () => {
    const study = createStudy();
    expectKdapError(() => study.bestTrial, 'ERR_KDAP_USAGE', /has no COMPLETE trial yet/);
    await study.optimize(() => NaN, { nTrials: 2 });
    expectKdapError(() => study.bestParams, 'ERR_KDAP_USAGE', /has no COMPLETE trial yet/);
  });

  it('rejects bad ranges and options with typed errors', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    const trialError = async (fn: (t: Trial) => unknown, re: RegExp) => {
      const s = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
      await expectKdapError(() => s.optimize((t) => Number(fn(t)), { nTrials: 1 }), 'ERR_KDAP_PARAMETER', re);
      expect(s.trials[0]!.state).toBe('FAIL');
    };
    await trialError((t) => t.suggestFloat('x', 2, 1), /must have low <= high. Got low 2 and high 1/);
    await trialError((t) => t.suggestFloat('x', 0, 1, { log: true }), /log-scaled Trial parameter 'x' must be > 0. Got 0/);
    await trialError((t) => t.suggestFloat('x', 0, 1, { log: true, step: 0.1 }), /cannot be both log-scaled and stepped/);
    await trialError((t) => t.suggestInt('n', 1.5, 4), /'low' bound of Trial parameter 'n' must be an integer. Got 1.5/);
    await trialError((t) => t.suggestInt('n', 1, 4, { step: 0 }), /'step' option of Trial parameter 'n' must be an integer >= 1/);
    await trialError((t) => t.suggestCategorical('c', []), /non-empty array/);
    await trialError((t) => t.suggestCategorical('c', ['a', 'a']), /must be distinct/);
    await trialError((t) => t.suggestCategorical('c', [{}] as never), /strings, numbers, booleans or null/);
    await trialError((t) => (t.suggestFloat('x', 0, 1), t.suggestFloat('x', 0, 2)), /already suggested in trial 0 with another range/);
    await trialError((t) => t.report(1, -1), /'step' argument of Trial.report must be an integer >= 0/);
    await expectKdapError(() => study.optimize(() => 1), 'ERR_KDAP_PARAMETER', /needs a limit/);
    await expectKdapError(() => study.optimize(() => 1, { nTrials: 1.5 }), 'ERR_KDAP_PARAMETER', /'nTrials' option of Study.optimize must be an integer >= 0/);
    expectKdapError(() => createStudy({ direction: 'down' as never }), 'ERR_KDAP_PARAMETER', /'direction' option of createStudy must be one of 'minimize', 'maximize'/);
    expectKdapError(() => new TPESampler({ nStartupTrials: -1 }), 'ERR_KDAP_PARAMETER', /'nStartupTrials' option of TPESampler/);
    expectKdapError(() => new TPESampler({ nEiCandidate: 3 } as never), 'ERR_KDAP_PARAMETER', /TPESampler has no option 'nEiCandidate'. Did you mean 'nEiCandidates'/);
  });

  it('refuses a parameter that changes kind, or choices, across trials', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    await study.optimize((t) => t.suggestFloat('p', 0, 1), { nTrials: 1 });
    await expectKdapError(() => study.optimize((t) => t.suggestInt('p', 0, 1), { nTrials: 1 }), 'ERR_KDAP_PARAMETER', /it was a float parameter in earlier trials and is now int/);
    await study.optimize((t) => t.suggestFloat('p', 0, 5), { nTrials: 1 });
    expect(study.trials.map((t) => t.state)).toEqual(['COMPLETE', 'FAIL', 'COMPLETE']);
  });

  it('stops starting trials at the timeout, and on abort rejects with AbortError after the running trial', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    const started = Date.now();
    await study.optimize(async (t) => {
      await new Promise((r) => setTimeout(r, 20));
      return t.suggestFloat('x', 0, 1);
    }, { timeout: 0.15 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(study.trials.length).toBeGreaterThanOrEqual(2);
    expect(study.trials.every((t) => t.state === 'COMPLETE')).toBe(true);

    const controller = new AbortController();
    const aborted = createStudy({ sampler: new RandomSampler({ seed: 0 }) });
    await expectKdapError(
      () =>
        aborted.optimize(
          (t) => {
            if (t.number === 2) controller.abort();
            return t.suggestFloat('x', 0, 1);
          },
          { nTrials: 10, signal: controller.signal },
        ),
      'ERR_KDAP_ABORTED',
      /was aborted/,
    );
    expect(aborted.trials).toHaveLength(3);
  });

  it('refuses a second study of one name unless loadIfExists, and a direction that differs', async () => {
    const storage = new JournalStorage(new MemoryJournalBackend());
    const first = createStudy({ storage, studyName: 's', pruner: new NopPruner() });
    await first.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 2 });
    expectKdapError(() => createStudy({ storage, studyName: 's' }), 'ERR_KDAP_USAGE', /A study named 's' already exists/);
    expectKdapError(() => createStudy({ storage, studyName: 's', loadIfExists: true, direction: 'maximize' }), 'ERR_KDAP_USAGE', /created to minimize/);
    const again = createStudy({ storage, studyName: 's', loadIfExists: true });
    await again.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 1 });
    expect(again.trials.map((t) => t.number)).toEqual([0, 1, 2]);
  });

  it('TrialPruned is an AbortError', () => {
    expect(new TrialPruned().code).toBe('ERR_KDAP_ABORTED');
  });
});
