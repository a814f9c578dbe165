/**
 * Native categorical features against XGBoost's Python package (.venv-ref): a model trained in
 * Python on a pandas DataFrame with a categorical column stores its category names; here it must
 * re-code data by name, so test data with ANOTHER category order predicts exactly as in Python,
 * and a category the model never saw is refused with XGBoost's own message on both sides (or, made
 * missing as pandas does with set_categories, predicts exactly as there). The same the other way
 * round: a model trained here from DMatrix.fromColumns predicts in Python. Max difference 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeError } from '@kdap/errors';
import { readFloat32, runPythonScript, SeededRandom } from '@kdap/test-support';
import { Booster } from './booster';
import type { Column } from './binding';
import { DMatrix } from './dmatrix';

const TRAIN_CATEGORIES = ['red', 'green', 'blue', 'amber', 'violet', 'teal'];
// Another order, plus one category training never saw.
const TEST_CATEGORIES = ['teal', 'violet', 'ultraviolet', 'blue', 'amber', 'green', 'red'];
const EFFECT: Record<string, number> = { red: 1.5, green: -1, blue: 0.4, amber: 2.2, violet: -2, teal: 0.1, ultraviolet: 3 };
const PARAMS = { objective: 'binary:logistic', tree_method: 'hist', max_depth: 4, eta: 0.3, max_cat_to_onehot: 1, nthread: 2, seed: 3 };

interface Part {
  x0: number[];
  x1: number[];
  color: Array<string | null>;
  y: number[];
}

function makePart(rows: number, seed: number, names: string[]): Part {
  const rng = new SeededRandom(seed);
  const part: Part = { x0: [], x1: [], color: [], y: [] };
  for (let r = 0; r < rows; r++) {
    const x0 = Math.fround(rng.normal());
    const x1 = Math.fround(rng.normal());
    const u = rng.next();
    const color = u < 0.03 ? null : names[Math.floor(rng.next() * names.length)]!;
    part.x0.push(x0);
    part.x1.push(x1);
    part.color.push(color);
    const signal = 0.8 * x0 - 0.5 * x1 + (color === null ? 0 : EFFECT[color]!);
    part.y.push(signal + 0.6 * rng.normal() > 0.3 ? 1 : 0);
  }
  return part;
}

/** The part's columns in XGBoost's order [x0, color, x1], the color coded against `categories`. */
function columns(part: Part, categories: readonly string[]): Column[] {
  const index = new Map(categories.map((c, i) => [c, i]));
  const codes = Int32Array.from(part.color, (c) => (c === null || !index.has(c) ? -1 : index.get(c)!));
  return [Float32Array.from(part.x0), { categories, codes }, Float32Array.from(part.x1)];
}

describe('native categorical features: parity with the Python xgboost package', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgb-cat-parity-'));
  const train = makePart(4000, 91, TRAIN_CATEGORIES);
  const test = makePart(1000, 92, TEST_CATEGORIES);
  let py: { xgboost: string; unseen_error: string | null; categories: Array<string[] | null>; feature_types: string[] };
  let tsModel: Booster;

  beforeAll(async () => {
    // The TypeScript model: trained from columns whose category order differs from Python's.
    const tsOrder = [...TRAIN_CATEGORIES].reverse();
    const dtrain = DMatrix.fromColumns(columns(train, tsOrder), { label: train.y, featureNames: ['x0', 'color', 'x1'] });
    tsModel = await Booster.train(PARAMS, dtrain, { numBoostRound: 30 });
    dtrain.dispose();
    tsModel.save(path.join(dir, 'ts_cat.json'));
    tsModel.save(path.join(dir, 'ts_cat.ubj'));
    fs.writeFileSync(
      path.join(dir, 'cat_spec.json'),
      JSON.stringify({ train, test, train_categories: TRAIN_CATEGORIES, test_categories: TEST_CATEGORIES, params: PARAMS, num_boost_round: 30 }),
    );
    runPythonScript(path.join(__dirname, '..', 'test', 'python', 'xgb_categorical_reference.py'), [dir]);
    py = JSON.parse(fs.readFileSync(path.join(dir, 'py_cat_results.json'), 'utf8')) as typeof py;
  }, 600_000);

  afterAll(() => {
    tsModel?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a Python model stores its category names and feature types, read here', () => {
    for (const fmt of ['json', 'ubj']) {
      using model = Booster.load(path.join(dir, `py_cat.${fmt}`));
      expect(model.categories).toEqual([null, TRAIN_CATEGORIES, null]);
      expect(model.categories).toEqual(py.categories);
      expect(model.featureTypes).toEqual(py.feature_types);
      expect(model.featureNames).toEqual(['x0', 'color', 'x1']);
    }
  });

  it('data with a category the model never saw predicts as in Python (the same values, or the same refusal)', async () => {
    using model = Booster.load(path.join(dir, 'py_cat.ubj'));
    const cols = columns(test, TEST_CATEGORIES);
    expect(cols[1]).toMatchObject({ categories: expect.arrayContaining(['ultraviolet']) });
    expect((cols[1] as { codes: Int32Array }).codes).toContain(TEST_CATEGORIES.indexOf('ultraviolet'));
    const outcome = async (f: () => Promise<Float32Array>): Promise<{ values: Float32Array } | { error: string }> =>
      f().then(
        (values) => ({ values }),
        (e: unknown) => {
          expect(e).toBeInstanceOf(NativeError);
          return { error: /Found a category[^\n]*/.exec((e as Error).message)?.[0] ?? (e as Error).message };
        },
      );
    const python = py.unseen_error === null
      ? { values: readFloat32(path.join(dir, 'py_cat_unseen_inplace.f32')) }
      : { error: /Found a category[^\n]*/.exec(py.unseen_error)?.[0] ?? py.unseen_error };
    expect(await outcome(() => model.predictColumns(cols))).toEqual(python);
    if (py.unseen_error === null) {
      expect(readFloat32(path.join(dir, 'py_cat_unseen_dmatrix.f32'))).toEqual((python as { values: Float32Array }).values);
      expect(await outcome(async () => model.predictColumns(cols, { contributions: false }))).toEqual(python);
    }
  });

  it.each([['json'], ['ubj']])('a Python model (%s) re-codes another category order by name: predictions equal exactly', async (fmt) => {
    using model = Booster.load(path.join(dir, `py_cat.${fmt}`));
    // Unseen names made missing the pandas way: the known names in the test order.
    const known = TEST_CATEGORIES.filter((c) => TRAIN_CATEGORIES.includes(c));
    const cols = columns(test, known);
    const value = await model.predictColumns(cols);
    expect(value).toEqual(readFloat32(path.join(dir, 'py_cat_inplace.f32')));
    expect(value).toEqual(readFloat32(path.join(dir, 'py_cat_dmatrix.f32')));
    expect(model.predictColumnsSync(cols)).toEqual(value);
    expect(await model.predictColumns(cols, { outputMargin: true })).toEqual(readFloat32(path.join(dir, 'py_cat_margin.f32')));
    expect(await model.predictColumns(cols, { contributions: true })).toEqual(readFloat32(path.join(dir, 'py_cat_contrib.f32')));
    // Not a tautology: the same codes read in the training order predict differently.
    expect(known).not.toEqual(TRAIN_CATEGORIES);
    expect(await model.predictColumns(columns(test, known).map((c, i) => (i === 1 ? { categories: TRAIN_CATEGORIES, codes: (cols[1] as { codes: Int32Array }).codes } : c)))).not.toEqual(value);
  });

  it('a model trained here from columns (another category order) predicts the same in Python', async () => {
    expect(tsModel.categories).toEqual([null, [...TRAIN_CATEGORIES].reverse(), null]);
    expect(tsModel.featureTypes).toEqual(['q', 'c', 'q']);
    const known = TEST_CATEGORIES.filter((c) => TRAIN_CATEGORIES.includes(c));
    const mine = await tsModel.predictColumns(columns(test, known));
    for (const fmt of ['json', 'ubj']) expect(readFloat32(path.join(dir, `py_cat_from_ts_${fmt}.f32`))).toEqual(mine);
  });
});
