import { maxScaledDifference, referencePython, runPython } from './python';

describe('parity harness', () => {
  const saved = process.env.KDAP_PYTHON;
  afterEach(() => {
    if (saved === undefined) delete process.env.KDAP_PYTHON;
    else process.env.KDAP_PYTHON = saved;
  });

  it('fails, never skips, when the reference Python is missing', () => {
    process.env.KDAP_PYTHON = '/nonexistent/python';
    expect(() => referencePython()).toThrow(
      'The Python reference environment is missing (/nonexistent/python). Run `bash scripts/python-ref.sh` from the repository root, ' +
        'or point KDAP_PYTHON at a Python with pandas, numpy, scikit-learn and pyarrow.',
    );
    expect(() => runPython('emit(1)', {})).toThrow(/Run `bash scripts\/python-ref.sh`/);
  });

  it('passes NaN as null and compares with NaN alignment', () => {
    expect(runPython<(number | null)[]>("emit([float(v) if v is not None else float('nan') for v in INPUT])", [1.5, NaN])).toEqual([1.5, null]);
    expect(maxScaledDifference([1, NaN], [1, NaN])).toBe(0);
    expect(maxScaledDifference([1, NaN], [1, 2])).toBe(Infinity);
    expect(maxScaledDifference([1000, 0], [1000.001, 1e-13])).toBeCloseTo(0.001 / 1000.001, 15);
  });
});
