import { ParameterError } from '@kdap/errors';

/**
 * The fold (0..k-1) each row is scored in, as scikit-learn's `StratifiedKFold(n_splits=k,
 * shuffle=False)` deals them (what `CalibratedClassifierCV(cv=k)` uses for a classifier):
 * classes numbered by first appearance, the sorted class codes dealt round-robin to count each
 * fold's share per class, and each class's rows (in row order) given folds 0, 0, ..., 1, 1, ...
 * in those numbers.
 *
 * @throws ParameterError when a class has fewer than k rows (a fold would lack it).
 */
export function stratifiedFolds(y: ArrayLike<number>, k: number, owner: string): Int32Array {
  const n = y.length;
  // Classes by first appearance (scikit-learn re-encodes np.unique's codes that way).
  const classes: number[] = [];
  const code = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = classes.indexOf(y[i]!);
    if (c < 0) c = classes.push(y[i]!) - 1;
    code[i] = c;
  }
  const counts = classes.map(() => 0);
  for (let i = 0; i < n; i++) counts[code[i]!]!++;
  for (const [c, count] of counts.entries()) {
    if (count < k) {
      throw new ParameterError(
        'calibration.cv_folds',
        `${owner}: calibration.cv_folds is ${k}, but the training rows hold only ${count} with target ${classes[c]}, so a fold would have none. Use at most ${Math.min(...counts)} folds, or a held-out split (cv_folds: null).`,
      );
    }
  }
  // allocation[f][c]: rows of class c in fold f = count of c in sorted(code)[f::k].
  const allocation = Array.from({ length: k }, () => classes.map(() => 0));
  let position = 0;
  for (const [c, count] of counts.entries()) {
    for (let j = 0; j < count; j++, position++) allocation[position % k]![c]!++;
  }
  const folds = new Int32Array(n);
  const fold = classes.map(() => 0);
  const left = classes.map((_, c) => allocation[0]![c]!);
  for (let i = 0; i < n; i++) {
    const c = code[i]!;
    while (left[c] === 0) left[c] = allocation[++fold[c]!]![c]!;
    folds[i] = fold[c]!;
    left[c]!--;
  }
  return folds;
}

/**
 * The fold of each row when rows are taken in `order` (row numbers, e.g. oldest first) and cut
 * into k contiguous blocks, as scikit-learn's `KFold(n_splits=k, shuffle=False)` cuts them: the
 * first n % k blocks one row longer. With dates, each fold is a period.
 */
export function contiguousFolds(order: ArrayLike<number>, k: number, owner: string): Int32Array {
  const n = order.length;
  if (n < k) throw new ParameterError('calibration.cv_folds', `${owner}: calibration.cv_folds is ${k}, but there are only ${n} training rows. Use fewer folds.`);
  const folds = new Int32Array(n);
  const base = Math.floor(n / k);
  let position = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < n % k ? 1 : 0);
    for (let j = 0; j < size; j++) folds[order[position++]!] = f;
  }
  return folds;
}
