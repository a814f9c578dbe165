import { join } from 'node:path';
import { runPythonJson } from '@kdap/test-support';
import { SeededRandom } from '@kdap/preprocessing';
import { expectKdapError } from '@kdap/test-support';
import { SigmoidCalibrator } from './sigmoid';

describe('SigmoidCalibrator', () => {
  it("reaches the optimum of scikit-learn's Platt fit (predictions within 1e-6)", () => {
    const random = new SeededRandom(42);
    const cases = Array.from({ length: 20 }, (_, c) => {
      const n = 50 + random.integer(800);
      const sharp = 0.3 + 2 * random.uniform();
      const p: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        const z = random.normal(c % 2 === 0 ? -1 : 0.5, 1.2);
        y.push(random.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
        p.push(Math.fround(1 / (1 + Math.exp(-sharp * z))));
      }
      return { p, y, query: Array.from({ length: 25 }, (_, k) => k / 24) };
    });
    const reference = runPythonJson<Array<{ a: number; b: number; predicted: number[] }>>(join(__dirname, 'testing', 'sigmoid_reference.py'), cases);
    let maxDiff = 0;
    cases.forEach((c, k) => {
      const predicted = SigmoidCalibrator.fit(c.p, c.y).transform(c.query);
      reference[k]!.predicted.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - predicted[i]!))));
    });
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it('refuses labels other than 0/1 and scores outside [0, 1]; NaN at transform is a DataError', () => {
    expectKdapError(() => SigmoidCalibrator.fit([0.2, 0.4], [0, 2]), 'ERR_KDAP_PARAMETER', /0\/1 labels. Got 2 at index 1/);
    expectKdapError(() => SigmoidCalibrator.fit([0.2, 1.4], [0, 1]), 'ERR_KDAP_PARAMETER', /probabilities in \[0, 1\]/);
    const fitted = SigmoidCalibrator.fit([0.2, 0.4, 0.7], [0, 1, 1]);
    expectKdapError(() => fitted.transform([Number.NaN]), 'ERR_KDAP_DATA', /NaN/);
    expect(SigmoidCalibrator.fromJSON(fitted.toJSON()).transform([0.3])).toEqual(fitted.transform([0.3]));
  });
});
