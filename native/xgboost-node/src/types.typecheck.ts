/**
 * Type tests, checked by `tsc -b native/xgboost-node` (not a jest file, never run): each
 * `@ts-expect-error` fails the build if the line below it stops being a type error.
 */
import { binding, type BoosterHandle, type DMatrixHandle } from './binding';
import { Booster, type PredictOptions, type TrainOptions } from './booster';
import { DMatrix, type DMatrixOptions } from './dmatrix';

function typeChecks(d: DMatrixHandle, bst: BoosterHandle, dm: DMatrix, booster: Booster): void {
  const b = binding();
  // @ts-expect-error a DMatrix handle is not a Booster handle
  b.boosterBoostedRounds(d);
  // @ts-expect-error a Booster handle is not a DMatrix handle
  b.dmatrixNumRow(bst);
  // @ts-expect-error in-place prediction takes type 0 (value) or 1 (margin) only
  b.boosterPredictFromDense(bst, new Float32Array(4), 1, 4, 2, 0, 0, NaN);
  // @ts-expect-error meta info fields are named
  b.dmatrixSetInfoFromInterface(d, 'group', new Float32Array(1));
  // @ts-expect-error model formats are json or ubj
  b.boosterSaveModelToBuffer(bst, 'deprecated');
  // @ts-expect-error data must be a float typed array
  new DMatrix(new Int32Array(4), { rows: 1, cols: 4 });
  // @ts-expect-error rows and cols are required
  const noShape: DMatrixOptions = { label: [1] };
  // @ts-expect-error evals are [DMatrix, name] pairs
  const badEvals: TrainOptions = { evals: [dm] };
  // @ts-expect-error iterationRange is a pair
  const badRange: PredictOptions = { rows: 1, cols: 1, iterationRange: [1] };
  // @ts-expect-error importance types are XGBoost's five
  booster.featureImportance('split');
  // @ts-expect-error the Booster constructor's handle must be a Booster handle
  new Booster(d);
  const p: Promise<Float32Array> = booster.predict(new Float64Array(4), { rows: 1, cols: 4 });
  const s: Float32Array = booster.predictSync(new Float32Array(4), { rows: 1, cols: 4, contributions: true });
  void [noShape, badEvals, badRange, p, s];
}

export type { typeChecks as _typeChecks };
