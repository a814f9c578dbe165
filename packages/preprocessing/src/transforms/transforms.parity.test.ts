import { fromPythonNumbers, maxScaledDifference, runPythonSnippet } from '@kdap/test-support';
import { Table } from '../table/table';
import { SeededRandom } from '../random/seeded-random';
import { Imputer } from './imputer';
import { MinMaxScaler, RobustScaler, StandardScaler } from './scalers';
import { Log1p } from './log1p';
import { Clipper } from './clipper';
import { OneHotEncoder } from './one-hot-encoder';
import { OrdinalEncoder } from './ordinal-encoder';
import type { Transform } from './transform';

/** Random columns with ~10% missing, heavy tails and repeated values (so medians and modes are non-trivial). */
function randomTable(rows: number, seed: number): Table {
  const random = new SeededRandom(seed);
  const cell = (draw: () => number) => (random.uniform() < 0.1 ? null : draw());
  return Table.fromRecords(
    Array.from({ length: rows }, () => ({
      spend: cell(() => random.logNormal(6, 1.5)),
      roi: cell(() => random.normal(1.2, 0.8)),
      visits: cell(() => random.poisson(3)),
      channel: random.uniform() < 0.05 ? null : (['search', 'social', 'display', 'video', 'email'][random.weightedIndex([5, 4, 3, 2, 1])] as string),
    })),
  );
}

const train = randomTable(1500, 1);
const test = randomTable(500, 2);
const NUMERIC = ['spend', 'roi', 'visits'];

function columnsOf(table: Table, names: readonly string[]): (number | null)[][] {
  return names.map((name) => Array.from(table.numeric(name).values, (v) => (Number.isNaN(v) ? null : v)));
}

const CASES: readonly (readonly [string, () => Transform, string, readonly string[]])[] = [
  ['mean imputer', () => new Imputer({ columns: NUMERIC, strategy: 'mean' }), "SimpleImputer(strategy='mean')", NUMERIC],
  ['median imputer', () => new Imputer({ columns: NUMERIC, strategy: 'median' }), "SimpleImputer(strategy='median')", NUMERIC],
  ['most frequent imputer', () => new Imputer({ columns: NUMERIC, strategy: 'most_frequent' }), "SimpleImputer(strategy='most_frequent')", NUMERIC],
  ['constant imputer', () => new Imputer({ columns: NUMERIC, strategy: 'constant', fillValue: -7.5 }), "SimpleImputer(strategy='constant', fill_value=-7.5)", NUMERIC],
  ['standard scaler', () => new StandardScaler({ columns: NUMERIC }), 'StandardScaler()', NUMERIC],
  ['robust scaler', () => new RobustScaler({ columns: NUMERIC }), 'RobustScaler()', NUMERIC],
  ['robust scaler (10, 90)', () => new RobustScaler({ columns: NUMERIC, quantileRange: [10, 90] }), 'RobustScaler(quantile_range=(10.0, 90.0))', NUMERIC],
  ['min-max scaler', () => new MinMaxScaler({ columns: NUMERIC }), 'MinMaxScaler()', NUMERIC],
  ['min-max scaler (-1, 1)', () => new MinMaxScaler({ columns: NUMERIC, featureRange: [-1, 1] }), 'MinMaxScaler(feature_range=(-1, 1))', NUMERIC],
  ['log1p', () => new Log1p({ columns: ['spend', 'visits'] }), 'lambda tr, te: np.log1p(te)', ['spend', 'visits']],
  [
    'winsorizing clipper',
    () => new Clipper({ columns: NUMERIC, percentiles: [1, 99] }),
    'lambda tr, te: np.clip(te, np.nanpercentile(tr, 1, axis=0), np.nanpercentile(tr, 99, axis=0))',
    NUMERIC,
  ],
];

/** scikit-learn's outputs for every case, computed in one Python run (importing sklearn costs ~1 s). */
let reference: Record<string, (number | null)[][]>;
beforeAll(() => {
  const specs = CASES.map(([label, , expression, names]) => ({ label, names: names.map((n) => NUMERIC.indexOf(n)), expression }));
  reference = runPythonSnippet(
    `
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler, RobustScaler, MinMaxScaler
Xtr_all = np.column_stack([nan_array(c) for c in INPUT['train']])
Xte_all = np.column_stack([nan_array(c) for c in INPUT['test']])
result = {}
for spec in INPUT['specs']:
    Xtr, Xte = Xtr_all[:, spec['names']], Xte_all[:, spec['names']]
    model = eval(spec['expression'])
    out = model.fit(Xtr).transform(Xte) if hasattr(model, 'fit') else model(Xtr, Xte)
    result[spec['label']] = [out[:, j] for j in range(out.shape[1])]
emit(result)
`,
    { train: columnsOf(train, NUMERIC), test: columnsOf(test, NUMERIC), specs },
  );
});

describe('transforms agree with scikit-learn / NumPy on random data', () => {
  it.each(CASES.map(([label, make, , names]) => [label, make, names] as const))('%s', (label, make, names) => {
    const ours = make().fit(train).transform(test);
    const expected = reference[label] as (number | null)[][];
    let worst = 0;
    names.forEach((name, j) => {
      worst = Math.max(worst, maxScaledDifference(ours.numeric(name).values, fromPythonNumbers(expected[j] as (number | null)[])));
    });
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('ordinal and one-hot encoders match sklearn with unknown categories', () => {
    const trainChannels = train.categorical('channel');
    const email = trainChannels.categories.indexOf('email');
    const trainOnly = train.filter((i) => trainChannels.codes[i] !== email);
    const ordinal = new OrdinalEncoder({ columns: ['channel'] }).fit(trainOnly).transform(test);
    const oneHot = new OneHotEncoder({ columns: ['channel'] }).fit(trainOnly);
    const encoded = oneHot.transform(test);
    const text = (table: Table) => table.toRecords().map((r) => r.channel as string | null);
    const expected = runPythonSnippet<{ ordinal: number[]; onehot: number[][]; names: string[] }>(
      `
from sklearn.preprocessing import OrdinalEncoder, OneHotEncoder
tr = np.array([v for v in INPUT['train'] if v is not None], dtype=object).reshape(-1, 1)
te = np.array(['__missing__' if v is None else v for v in INPUT['test']], dtype=object).reshape(-1, 1)
o = OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1).fit(tr).transform(te)[:, 0]
h = OneHotEncoder(handle_unknown='ignore', sparse_output=False).fit(tr)
m = h.transform(te)
emit({'ordinal': o, 'onehot': [m[:, j] for j in range(m.shape[1])], 'names': list(h.get_feature_names_out(['channel']))})
`,
      { train: text(trainOnly), test: text(test) },
    );
    expect(Array.from(ordinal.categorical('channel').codes)).toEqual(expected.ordinal);
    expect(oneHot.outputColumns).toEqual(expected.names.map((name) => name.replace('channel_', 'channel=')));
    oneHot.outputColumns.forEach((name, j) => {
      expect(Array.from(encoded.numeric(name).values)).toEqual(expected.onehot[j]);
    });
  });
});
