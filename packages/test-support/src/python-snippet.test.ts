import { fromPythonNumbers, maxDifference, maxScaledDifference, runPythonSnippet } from './index';

describe('runPythonSnippet', () => {
  it('passes NaN as null and brings infinities back', () => {
    const out = runPythonSnippet<(number | string | null)[]>("emit([float('nan') if v is None else v * 2 for v in INPUT] + [float('inf')])", [1.5, NaN]);
    expect(out).toEqual([3, null, 'inf']);
    expect(Array.from(fromPythonNumbers(out))).toEqual([3, NaN, Infinity]);
  });

  it('fails with the script error, not a parse error', () => {
    expect(() => runPythonSnippet('raise ValueError("no such column")', {})).toThrow(/failed \(exit 1\):[\s\S]*ValueError: no such column/);
  });
});

describe('differences', () => {
  it('scales near zero absolutely and aligns NaN', () => {
    expect(maxScaledDifference([1, NaN], [1, NaN])).toBe(0);
    expect(maxScaledDifference([1, NaN], [1, 2])).toBe(Infinity);
    expect(maxScaledDifference([1000, 0], [1000.001, 1e-13])).toBeCloseTo(0.001 / 1000.001, 15);
  });

  it('reports relative and absolute worst cases', () => {
    expect(maxDifference(Float32Array.of(0, 2, 10), Float32Array.of(0, 1, 10.5))).toEqual({ relative: 0.5, absolute: 1 });
    expect(() => maxDifference([1], [1, 2])).toThrow('length mismatch: 1 vs 2');
  });
});
