/**
 * The part of a table the trainers read. `@kdap/preprocessing`'s `Table` satisfies it as is; core
 * depends on this shape only, so it builds and tests without the data layer.
 */
export interface FeatureTable {
  /** Number of rows. */
  readonly rowCount: number;
  readonly columnNames: readonly string[];
  /** The column called `name`; called only for names listed in `columnNames`. */
  column(name: string): FeatureColumn;
}

/** Missing values: NaN in numeric/date values, a negative code in categorical codes. */
export type FeatureColumn =
  | { readonly kind: 'numeric'; readonly values: ArrayLike<number> }
  | { readonly kind: 'categorical'; readonly codes: ArrayLike<number>; readonly categories: readonly string[] }
  | { readonly kind: 'date'; readonly values: ArrayLike<number> };
