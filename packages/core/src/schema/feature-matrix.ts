/**
 * Features as the GBDT libraries take them: row-major float64, categorical features as the index of
 * the category in the training categories, NaN for missing values.
 */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows * cols values, row i at [i * cols, (i + 1) * cols). */
  readonly values: Float64Array;
  /** Column order of `values`: the schema's feature order. */
  readonly featureNames: readonly string[];
}
