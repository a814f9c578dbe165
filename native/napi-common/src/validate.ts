import { ParameterError, checkInt, describe } from '@kdap/errors';

/** A dense matrix as the native bindings take it. */
export type DenseData = Float32Array | Float64Array;

/** What the training matrices of both boosting libraries (LightGBM Dataset, XGBoost DMatrix) take beyond the values. */
export interface MatrixOptions {
  /** Number of rows (samples). */
  rows: number;
  /** Number of columns (features). */
  cols: number;
  /** Target per row (the libraries store it as float32). Required for training and evaluation data. */
  label?: ArrayLike<number>;
  /** Sample weight per row. */
  weight?: ArrayLike<number>;
  /** Column names, one per column; a booster trained on the matrix keeps them in its model. */
  featureNames?: readonly string[];
}

/**
 * Checks that rows/cols are positive integers and that `data` holds exactly rows * cols values.
 * `owner` names the API in messages, e.g. "Dataset" -> "The 'rows' option of Dataset ...".
 */
export function checkMatrix(owner: string, data: unknown, rows: unknown, cols: unknown, minRows = 1): void {
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) {
    throw new ParameterError('data', `The 'data' argument of ${owner} must be a Float64Array or Float32Array. Got ${describe(data)}.`);
  }
  checkInt(owner, 'rows', rows, minRows);
  checkInt(owner, 'cols', cols, 1);
  if (data.length !== (rows as number) * (cols as number)) {
    throw new ParameterError(
      'data',
      `The 'data' argument of ${owner} must hold rows * cols = ${rows as number} * ${cols as number} = ${(rows as number) * (cols as number)} values. Got ${data.length}.`,
    );
  }
}
