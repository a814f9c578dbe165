import { erfc, logGaussMass, logNdtr, ndtriExp, truncNormPpf } from './gaussian';

// Reference values from scipy.special / scipy.stats.truncnorm (scipy 1.x in .venv-ref).
describe('gaussian', () => {
  it('erfc and log Phi match scipy to ~1e-15 relative, far into the tails', () => {
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 15);
    expect(erfc(-0.5)).toBeCloseTo(1.5204998778130465, 15);
    expect(logNdtr(-40)).toBeCloseTo(-804.6084420137539, 10);
    expect(logNdtr(-5)).toBeCloseTo(-15.064998393988727, 12);
    expect(logNdtr(1)).toBeCloseTo(-0.1727537790234499, 15);
    expect(logNdtr(9) / -1.1285884059538324e-19).toBeCloseTo(1, 10);
  });

  it('ndtriExp inverts logNdtr', () => {
    for (const z of [-90, -20, -3, -0.3, 0.2, 3, 7]) expect(ndtriExp(logNdtr(z))).toBeCloseTo(z, 12);
  });

  it('truncated-normal quantiles and masses match scipy, also 30 sigma out', () => {
    expect(truncNormPpf(0.3, -1, 2)).toBeCloseTo(-0.2424038178892269, 12);
    expect(truncNormPpf(0.7, 3, 5)).toBeCloseTo(3.349238484785686, 12);
    expect(truncNormPpf(0.5, -40, -30)).toBeCloseTo(-30.023070467827313, 10);
    expect(logGaussMass(-0.5, 0.7)).toBeCloseTo(-0.7996220745713244, 14);
  });
});
