import { createStudy, MedianPruner, RandomSampler, TrialPruned } from '../index';
import type { StudyView } from '../samplers/sampler';
import type { FrozenTrial, TrialState } from '../trial-state';

function trial(number: number, state: TrialState, values: number[]): FrozenTrial {
  return {
    number,
    trialId: number,
    state,
    value: state === 'COMPLETE' ? values[values.length - 1] : undefined,
    params: {},
    internalParams: {},
    distributions: {},
    intermediateValues: new Map(values.map((v, step) => [step, v])),
    userAttrs: {},
    systemAttrs: {},
    datetimeStart: undefined,
    datetimeComplete: undefined,
  };
}

function view(direction: 'minimize' | 'maximize', trials: FrozenTrial[]): StudyView {
  return { direction, getTrials: (states) => (states ? trials.filter((t) => states.includes(t.state)) : trials) };
}

// Five completed learning curves; at step 2 their values are 3, 4, 5, 6, 7 (median 5).
const completed = [0, 1, 2, 3, 4].map((i) => trial(i, 'COMPLETE', [10 + i, 6 + i, 3 + i]));

describe('MedianPruner', () => {
  it('prunes a trial whose best value is worse than the median at its step, keeps one that is better', () => {
    const pruner = new MedianPruner();
    expect(pruner.prune(view('minimize', completed), trial(9, 'RUNNING', [20, 15, 5.5]))).toBe(true);
    expect(pruner.prune(view('minimize', completed), trial(9, 'RUNNING', [20, 15, 4.5]))).toBe(false);
    // The best value over steps counts: an earlier 4.9 keeps it.
    expect(pruner.prune(view('minimize', completed), trial(9, 'RUNNING', [4.9, 15, 5.5]))).toBe(false);
  });

  it('mirrors for maximize', () => {
    expect(new MedianPruner().prune(view('maximize', completed), trial(9, 'RUNNING', [1, 2, 4.5]))).toBe(true);
    expect(new MedianPruner().prune(view('maximize', completed), trial(9, 'RUNNING', [1, 2, 5.5]))).toBe(false);
  });

  it('waits for nStartupTrials completed trials and nWarmupSteps, and checks every intervalSteps', () => {
    const bad = trial(9, 'RUNNING', [99, 99, 99]);
    expect(new MedianPruner({ nStartupTrials: 6 }).prune(view('minimize', completed), bad)).toBe(false);
    expect(new MedianPruner({ nWarmupSteps: 3 }).prune(view('minimize', completed), bad)).toBe(false);
    // Interval 2 from step 0: steps 0, 2, 4 are checked; step 1 is not.
    expect(new MedianPruner({ intervalSteps: 2 }).prune(view('minimize', completed), trial(9, 'RUNNING', [99, 99]))).toBe(false);
    expect(new MedianPruner({ intervalSteps: 2 }).prune(view('minimize', completed), bad)).toBe(true);
    // All-NaN intermediate values are pruned.
    expect(new MedianPruner().prune(view('minimize', completed), trial(9, 'RUNNING', [NaN]))).toBe(true);
  });

  it('prunes in a study: bad learning curves stop early and are recorded PRUNED with their last value', async () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 4 }), pruner: new MedianPruner({ nStartupTrials: 5 }) });
    const stepsRun: number[] = [];
    await study.optimize(
      (t) => {
        const level = t.suggestFloat('level', 0, 10);
        let step = 0;
        for (; step < 20; step++) {
          t.report(level + 10 / (step + 1), step);
          if (t.shouldPrune()) {
            stepsRun.push(step + 1);
            throw new TrialPruned();
          }
        }
        stepsRun.push(step);
        return level;
      },
      { nTrials: 30 },
    );
    const pruned = study.trials.filter((t) => t.state === 'PRUNED');
    expect(pruned.length).toBeGreaterThan(5);
    expect(study.trials.slice(0, 5).every((t) => t.state === 'COMPLETE')).toBe(true);
    for (const t of pruned) {
      expect(t.intermediateValues.size).toBeLessThan(20);
      expect(t.value).toBe(t.intermediateValues.get(t.intermediateValues.size - 1));
    }
    expect(stepsRun.reduce((a, b) => a + b, 0)).toBeLessThan(30 * 20 * 0.8);
  });
});
