import * as preprocessing from '@kdap/preprocessing';

describe('public surface of @kdap/preprocessing', () => {
  it('exports what downstream packages use, and not the internals', () => {
    const expected = [
      'Table',
      'readTable',
      'vectorCopyPath',
      'writeTable',
      'Pipeline',
      'transformFromJSON',
      'Imputer',
      'StandardScaler',
      'RobustScaler',
      'MinMaxScaler',
      'OrdinalEncoder',
      'OneHotEncoder',
      'Log1p',
      'Clipper',
      'timeSeriesFeatures',
      'trainTestSplit',
      'stratifiedSplit',
      'timeSplit',
      'groupSplit',
      'kFold',
      'timeSeriesFolds',
      'syntheticMarketingSpend',
      'syntheticCustomers',
      'syntheticMetricSeries',
      'DataError',
      'SchemaError',
      'ParameterError',
      'NotFittedError',
      'SeededRandom',
    ];
    for (const name of expected) expect(typeof (preprocessing as Record<string, unknown>)[name]).toBe('function');
    expect(preprocessing.MISSING_CODE).toBe(-1);
    for (const internal of ['takeRows', 'sliceRows', 'scanWithDuckDB', 'runPython', 'describeValue', 'useJavaScriptVectorCopy']) {
      expect((preprocessing as Record<string, unknown>)[internal]).toBeUndefined();
    }
  });

  it('the synthetic marketing data feeds a pipeline and a dense float32 matrix', () => {
    const { table } = preprocessing.syntheticMarketingSpend({ rows: 300, seed: 1 });
    const { train, test } = preprocessing.timeSplit(table, { date: 'date', testSize: 0.2 });
    const pipeline = new preprocessing.Pipeline([
      new preprocessing.Log1p({ columns: ['current_spend'] }),
      new preprocessing.StandardScaler({ columns: ['current_spend', 'cpm'] }),
      new preprocessing.OrdinalEncoder({ columns: ['channel_id', 'objective_type'] }),
    ]);
    pipeline.fit(train);
    const features = ['current_spend', 'cpm', 'channel_id', 'objective_type'];
    const matrix = pipeline.transform(test).toMatrix({ columns: features, dtype: 'float32' });
    expect(matrix.rows).toBe(test.rowCount);
    expect(matrix.cols).toBe(4);
    expect(matrix.data).toBeInstanceOf(Float32Array);
    expect(Array.from(matrix.data).every(Number.isFinite)).toBe(true);
  });
});
