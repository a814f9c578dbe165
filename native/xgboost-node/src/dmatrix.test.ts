import { DisposedError, ParameterError } from '@kdap/errors';
import { tabularProblem } from '@kdap/test-support';
import { DMatrix } from './dmatrix';
import { paramError } from './testing/matchers';

const fx = tabularProblem(200, 5, 3);


describe('DMatrix', () => {
  it('holds shape, labels, weights, base margin and feature metadata', () => {
    using d = new DMatrix(fx.x, {
      rows: fx.rows,
      cols: fx.cols,
      label: Array.from(fx.yRegression),
      weight: new Float64Array(fx.rows).fill(0.5),
      baseMargin: new Float32Array(fx.rows).fill(0.25),
      featureNames: ['a', 'b', 'c', 'd', 'e'],
      featureTypes: ['q', 'q', 'q', 'q', 'int'],
    });
    expect([d.rows, d.cols]).toEqual([fx.rows, fx.cols]);
    expect(d.getLabel()).toEqual(fx.yRegression);
    expect(Array.from(new Set(d.getWeight()))).toEqual([0.5]);
    expect(Array.from(new Set(d.getBaseMargin()))).toEqual([0.25]);
    expect(d.featureNames).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(d.featureTypes).toEqual(['q', 'q', 'q', 'q', 'int']);
    d.setLabel(fx.yBinary);
    expect(d.getLabel()).toEqual(fx.yBinary);
  });

  it('builds off the JS thread with DMatrix.create and copies the input', async () => {
    const x = Float64Array.from(fx.x);
    const pending = DMatrix.create(x, { rows: fx.rows, cols: fx.cols, label: fx.yBinary });
    x.fill(0);
    const d = await pending;
    expect(d.getLabel()).toEqual(fx.yBinary);
    expect(d.rows).toBe(fx.rows);
    d.dispose();
  });

  it('rejects bad input with ParameterError before reaching native code', async () => {
    const base = { rows: fx.rows, cols: fx.cols };
    expect(() => new DMatrix(fx.x, { rows: fx.rows, cols: 4 })).toThrow(
      paramError('data', "The 'data' argument of DMatrix must hold rows * cols = 200 * 4 = 800 values. Got 1000."),
    );
    expect(() => new DMatrix([1, 2] as unknown as Float32Array, { rows: 1, cols: 2 })).toThrow(
      paramError('data', "The 'data' argument of DMatrix must be a Float64Array or Float32Array. Got [1,2]."),
    );
    expect(() => new DMatrix(fx.x, { ...base, lable: [] } as never)).toThrow(
      paramError('lable', "DMatrix has no option 'lable'. Did you mean 'label'? Known options: rows, cols, label, weight, baseMargin, featureNames, featureTypes, missing, nthread."),
    );
    expect(() => new DMatrix(fx.x, { ...base, label: new Float32Array(3) })).toThrow(
      paramError('label', "The 'label' option of DMatrix must have rows * k values (rows = 200). Got 3."),
    );
    const nanLabel = Float32Array.from(fx.yBinary);
    nanLabel[7] = NaN;
    expect(() => new DMatrix(fx.x, { ...base, label: nanLabel })).toThrow(
      paramError('label', "The 'label' option of DMatrix must hold finite numbers. Got NaN at index 7."),
    );
    expect(() => new DMatrix(fx.x, { ...base, weight: new Float32Array(fx.rows).fill(-1) })).toThrow(
      paramError('weight', "The 'weight' option of DMatrix must hold non-negative numbers. Got -1 at index 0."),
    );
    expect(() => new DMatrix(fx.x, { ...base, featureNames: ['a', 'b', 'c', 'd', 'a'] })).toThrow(
      paramError('featureNames', "The 'featureNames' option of DMatrix must hold unique names. 'a' appears twice."),
    );
    expect(() => new DMatrix(fx.x, { ...base, featureNames: ['a', 'b', 'c', 'd', 'x[1]'] })).toThrow(
      paramError('featureNames', "The 'featureNames' option of DMatrix must hold non-empty strings without '[', ']', '<' or ','. Got \"x[1]\" at index 4."),
    );
    expect(() => new DMatrix(fx.x, { ...base, featureTypes: ['q', 'q', 'q', 'q', 'categorical' as 'c'] })).toThrow(
      paramError('featureTypes', "The 'featureTypes' option of DMatrix must hold one of q, float, i, int, c. Got \"categorical\" at index 4."),
    );
    expect(() => new DMatrix(fx.x, { ...base, missing: Infinity })).toThrow(
      paramError('missing', "The 'missing' option of DMatrix must be NaN or a finite number. Got Infinity."),
    );
    await expect(DMatrix.create(fx.x, { rows: 0, cols: fx.cols })).rejects.toThrow(
      paramError('rows', "The 'rows' option of DMatrix.create must be an integer >= 1. Got 0."),
    );
    expect(() => new DMatrix(fx.x, { rows: fx.rows, cols: fx.cols, label: fx.yBinary }).setWeight([1])).toThrow(
      paramError('weight', "The 'weight' option of DMatrix.setWeight must have one value per row (200). Got 1."),
    );
  });

  it('is disposable once, and unusable after', () => {
    const d = new DMatrix(fx.x, { rows: fx.rows, cols: fx.cols, label: fx.yBinary });
    d.dispose();
    d.dispose();
    expect(d.disposed).toBe(true);
    expect(() => d.getLabel()).toThrow(DisposedError);
    expect(() => d.getLabel()).toThrow('DMatrix has been disposed');
    expect(() => new DMatrix(fx.x, { rows: fx.rows, cols: fx.cols, label: 'x' as never })).toThrow(ParameterError);
  });
});
