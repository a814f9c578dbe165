import { EarlyStopping, type RoundScore } from './early-stopping';

const score = (dataName: string, metric: string, value: number): RoundScore => ({ dataName, metric, value });

/** Feeds rounds of one score until a stop; returns the round that stopped and where. */
function run(stopper: EarlyStopping<RoundScore>, values: number[], dataName = 'valid', metric = 'rmse') {
  for (let i = 0; i < values.length; i++) {
    const stop = stopper.update(i, [score(dataName, metric, values[i]!)]);
    if (stop) return { at: i, best: stop.iteration };
  }
  return undefined;
}

describe('EarlyStopping', () => {
  it('stops after `rounds` rounds without improvement and reports the best round', () => {
    const stopper = new EarlyStopping({ rounds: 2, higherBetter: () => false });
    expect(run(stopper, [5, 4, 4.5, 4, 3.9])).toEqual({ at: 3, best: 1 });
    expect(stopper.best()).toEqual({ iteration: 1, value: 4 });
  });

  it('maximizes when the score says larger is better', () => {
    const stopper = new EarlyStopping({ rounds: 1, higherBetter: (s) => s.metric === 'auc' });
    expect(run(stopper, [0.6, 0.7, 0.65], 'valid', 'auc')).toEqual({ at: 2, best: 1 });
  });

  it('counts only improvements larger than minDelta', () => {
    const stopper = new EarlyStopping({ rounds: 2, minDelta: 0.5, higherBetter: () => false });
    expect(run(stopper, [5, 4.8, 4.6, 4])).toEqual({ at: 2, best: 0 });
  });

  it('tracks scores it does not watch without stopping on them', () => {
    const stopper = new EarlyStopping<RoundScore>({ rounds: 1, higherBetter: () => false, watches: (s) => s.dataName !== 'training' });
    // training stalls from round 1 on, valid keeps improving: no stop.
    for (let i = 0; i < 4; i++) expect(stopper.update(i, [score('training', 'l2', 1), score('valid', 'l2', 10 - i)])).toBeUndefined();
    expect(stopper.best(0)).toEqual({ iteration: 0, value: 1 });
    expect(stopper.best(1)).toEqual({ iteration: 3, value: 7 });
  });

  it('ends at finalRound with the best round of the first watched score', () => {
    const stopper = new EarlyStopping<RoundScore>({ rounds: 10, higherBetter: () => false, finalRound: 2 });
    expect(stopper.update(0, [score('valid', 'l2', 3)])).toBeUndefined();
    expect(stopper.update(1, [score('valid', 'l2', 2)])).toBeUndefined();
    const round = [score('valid', 'l2', 2.5)];
    expect(stopper.update(2, round)).toEqual({ iteration: 1, scores: [score('valid', 'l2', 2)] });
  });

  it('bounds a batch by the earliest best round plus `rounds`', () => {
    const stopper = new EarlyStopping<RoundScore>({ rounds: 3, higherBetter: () => false });
    expect(stopper.roundsBeforePossibleStop(0)).toBe(4);
    stopper.update(0, [score('a', 'l2', 1), score('b', 'l2', 1)]);
    stopper.update(1, [score('a', 'l2', 0.5), score('b', 'l2', 2)]);
    // b's best is round 0: it can stop at round 3 at the earliest, so from round 2 two rounds may run.
    expect(stopper.roundsBeforePossibleStop(2)).toBe(2);
  });
});
