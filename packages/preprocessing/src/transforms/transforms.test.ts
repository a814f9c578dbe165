import { DataError, NotFittedError, ParameterError, SchemaError } from '../errors';
import { Table } from '../table/table';
import { MISSING_CODE } from '../table/column';
import { Imputer } from './imputer';
import { MinMaxScaler, RobustScaler, StandardScaler } from './scalers';
import { Log1p } from './log1p';
import { Clipper } from './clipper';
import { OneHotEncoder } from './one-hot-encoder';
import { OrdinalEncoder } from './ordinal-encoder';
import { Pipeline, transformFromJSON } from './pipeline';

const train = Table.fromRecords([
  { spend: 1, roi: 2, channel: 'search' },
  { spend: 3, roi: null, channel: 'social' },
  { spend: null, roi: 4, channel: 'search' },
  { spend: 5, roi: 4, channel: null },
]);

describe('fitted transforms', () => {
  it('compute hand-checked values', () => {
    // mean of [1, 3, 5] = 3; population std = sqrt(8/3)
    const scaled = new StandardScaler({ columns: ['spend'] }).fitTransform(train);
    expect(Array.from(scaled.numeric('spend').values)).toEqual([-2 / Math.sqrt(8 / 3), 0, NaN, 2 / Math.sqrt(8 / 3)]);
    // median of [2, 4, 4] = 4, q25 = 3, q75 = 4 -> IQR 1
    expect(Array.from(new RobustScaler({ columns: ['roi'] }).fitTransform(train).numeric('roi').values)).toEqual([-2, NaN, 0, 0]);
    expect(Array.from(new MinMaxScaler({ columns: ['spend'] }).fitTransform(train).numeric('spend').values)).toEqual([0, 0.5, NaN, 1]);
    expect(Array.from(new Imputer({ columns: ['roi'], strategy: 'most_frequent' }).fitTransform(train).numeric('roi').values)).toEqual([2, 4, 4, 4]);
    const channel = new Imputer({ columns: ['channel'], strategy: 'most_frequent' }).fitTransform(train).categorical('channel');
    expect(Array.from(channel.codes, (c) => channel.categories[c])).toEqual(['search', 'social', 'search', 'search']);
    expect(Array.from(new Clipper({ columns: ['spend'], lower: 2, upper: 4 }).fitTransform(train).numeric('spend').values)).toEqual([2, 3, NaN, 4]);
    expect(Array.from(new Log1p({ columns: ['spend'] }).fitTransform(train).numeric('spend').values)).toEqual([Math.log(2), Math.log(4), NaN, Math.log(6)]);
  });

  it('a constant column is shifted, not divided by zero', () => {
    const constant = Table.fromRecords([{ x: 2 }, { x: 2 }]);
    expect(Array.from(new StandardScaler({ columns: ['x'] }).fitTransform(constant).numeric('x').values)).toEqual([0, 0]);
    expect(Array.from(new MinMaxScaler({ columns: ['x'] }).fitTransform(constant).numeric('x').values)).toEqual([0, 0]);
  });

  it('one-hot caps categories into __other__ and handles unknown and missing', () => {
    const table = Table.fromRecords(['a', 'a', 'a', 'b', 'b', 'c', 'd', null].map((channel) => ({ channel })));
    const encoder = new OneHotEncoder({ columns: ['channel'], maxCategories: 3 }).fit(table);
    expect(encoder.outputColumns).toEqual(['channel=a', 'channel=b', 'channel=__other__']);
    const scored = encoder.transform(Table.fromRecords([{ channel: 'c' }, { channel: 'zzz' }, { channel: null }, { channel: 'b' }]));
    expect(scored.toRecords()).toEqual([
      { 'channel=a': 0, 'channel=b': 0, 'channel=__other__': 1 },
      { 'channel=a': 0, 'channel=b': 0, 'channel=__other__': 1 },
      { 'channel=a': 0, 'channel=b': 0, 'channel=__other__': 0 },
      { 'channel=a': 0, 'channel=b': 1, 'channel=__other__': 0 },
    ]);
    const strict = new OneHotEncoder({ columns: ['channel'], maxCategories: 3, unknown: 'error' }).fit(table);
    expect(strict.transform(Table.fromRecords([{ channel: 'd' }])).numeric('channel=__other__').values[0]).toBe(1);
    const act = () => strict.transform(Table.fromRecords([{ channel: 'zzz' }]));
    expect(act).toThrow(DataError);
    expect(act).toThrow(`OneHotEncoder saw category "zzz" in column 'channel' (row 0), which was not in the training data. Retrain with it, or use { unknown: 'ignore' }.`);
  });

  it('ordinal encoder keeps training codes; unknown -> MISSING_CODE or error', () => {
    const encoder = new OrdinalEncoder({ columns: ['channel'] }).fit(train);
    const scoring = Table.fromRecords([{ channel: 'social' }, { channel: 'tv' }, { channel: 'search' }]);
    const codes = encoder.transform(scoring).categorical('channel');
    expect(codes.categories).toEqual(['search', 'social']);
    expect(Array.from(codes.codes)).toEqual([1, MISSING_CODE, 0]);
    const strict = new OrdinalEncoder({ columns: ['channel'], unknown: 'error' }).fit(train);
    expect(() => strict.transform(scoring)).toThrow(
      `OrdinalEncoder saw category "tv" in column 'channel' (row 1), which was not in the training data. Retrain with it, or use { unknown: 'missing' }.`,
    );
  });

  it('a pipeline fits on train, applies to new data, and round-trips through JSON', () => {
    const pipeline = new Pipeline([
      new Imputer({ columns: ['spend', 'roi'], strategy: 'median' }),
      new Clipper({ columns: ['spend'], percentiles: [5, 95] }),
      new Log1p({ columns: ['spend'] }),
      new StandardScaler({ columns: ['spend', 'roi'] }),
      new OrdinalEncoder({ columns: ['channel'] }),
      new OneHotEncoder({ columns: ['channel'], maxCategories: 5 }),
    ]);
    expect(pipeline.isFitted).toBe(false);
    const trained = pipeline.fitTransform(train);
    const restored = transformFromJSON(JSON.parse(JSON.stringify(pipeline)));
    expect(restored).toBeInstanceOf(Pipeline);
    expect(restored.isFitted).toBe(true);
    expect(restored.transform(train).toRecords()).toEqual(trained.toRecords());
    const scoring = Table.fromRecords([{ spend: 1000, roi: null, channel: 'tv' }]);
    expect(restored.transform(scoring).toRecords()).toEqual(pipeline.transform(scoring).toRecords());
    expect(JSON.parse(JSON.stringify(restored))).toEqual(JSON.parse(JSON.stringify(pipeline)));
  });

  it('errors say what is wrong and what to call', () => {
    const unfitted = new StandardScaler({ columns: ['spend'] });
    expect(() => unfitted.transform(train)).toThrow(NotFittedError);
    expect(() => unfitted.transform(train)).toThrow('StandardScaler.transform() needs a fitted model. Call fit(trainTable) first.');
    expect(() => new StandardScaler({ columns: [] })).toThrow(ParameterError);
    expect(() => new StandardScaler({ columns: [] })).toThrow("The 'columns' option of StandardScaler must be a non-empty array of column names. Got [].");
    expect(() => new Imputer({ columns: ['x'], strategy: 'mode' as never })).toThrow(
      "The 'strategy' option of Imputer must be one of 'mean', 'median', 'most_frequent', 'constant'. Got \"mode\".",
    );
    expect(() => new StandardScaler({ columns: ['channel'] }).fit(train)).toThrow(SchemaError);
    expect(() => new StandardScaler({ columns: ['channel'] }).fit(train)).toThrow(
      "StandardScaler cannot use column 'channel': it is categorical, and StandardScaler handles numeric columns.",
    );
    const empty = Table.fromRecords([{ x: null }, { x: null }], { columns: { x: 'numeric' } });
    expect(() => new Imputer({ columns: ['x'], strategy: 'mean' }).fit(empty)).toThrow(DataError);
    expect(() => new Imputer({ columns: ['x'], strategy: 'mean' }).fit(empty)).toThrow(
      "Imputer cannot fit column 'x': it has no values to take the mean of. Use strategy 'constant' or drop the column.",
    );
    expect(() => new Log1p({ columns: ['x'] }).fitTransform(Table.fromRecords([{ x: -2 }]))).toThrow(
      "Log1p cannot transform column 'x': it holds -2, below -1, where log(1 + x) is undefined. Clip or shift the column first.",
    );
    const damaged = JSON.parse(JSON.stringify(new StandardScaler({ columns: ['spend', 'roi'] }).fit(train)));
    damaged.state.scale.pop();
    expect(() => transformFromJSON(damaged)).toThrow(ParameterError);
    expect(() => transformFromJSON(damaged)).toThrow(
      "The JSON of the 'standard_scaler' transform is damaged: state 'scale' must hold one entry per column (2). Got [",
    );
    expect(() => transformFromJSON({ kind: 'pca' })).toThrow(
      'Unknown transform kind "pca". Known kinds: imputer, standard_scaler, robust_scaler, min_max_scaler, ordinal_encoder, one_hot_encoder, log1p, clipper, pipeline.',
    );
  });
});
