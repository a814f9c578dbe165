import { expectKdapError } from '@kdap/test-support';
import { tableOf } from '../testing/in-memory-table';
import { FeatureSchema } from './feature-schema';

const table = tableOf({ spend: [10, Number.NaN, 30], channel: ['social', null, 'search'], extra: [1, 2, 3] });
const options = { numerical: ['spend'], categorical: ['channel'], required: ['spend'], owner: 'TestTrainer' };

describe('FeatureSchema', () => {
  it('captures kinds, required flags and training categories', () => {
    const schema = FeatureSchema.capture(table, options);
    expect(schema.toJSON()).toEqual({
      features: [
        { name: 'spend', kind: 'numeric', required: true },
        { name: 'channel', kind: 'categorical', required: false, categories: ['search', 'social'] },
      ],
      policy: { mistyped: 'error', unknownCategory: 'missing' },
    });
  });

  it('encodes row-major in schema order, categories by training index, NaN for missing, ignoring extra columns', () => {
    const X = FeatureSchema.capture(table, options).encode(table);
    expect(X.rows).toBe(3);
    expect(X.cols).toBe(2);
    expect(X.featureNames).toEqual(['spend', 'channel']);
    // row 0: spend 10, social = index 1; row 1: both missing; row 2: spend 30, search = index 0.
    expect(Array.from(X.values)).toEqual([10, 1, Number.NaN, Number.NaN, 30, 0]);
  });

  it('round-trips through JSON', () => {
    const schema = FeatureSchema.capture(table, { ...options, policy: { unknownCategory: 'error' } });
    const restored = FeatureSchema.fromJSON(JSON.parse(JSON.stringify(schema)));
    expect(restored.toJSON()).toEqual(schema.toJSON());
    expect(restored.encode(table)).toEqual(schema.encode(table));
  });

  it('refuses a required feature the configuration does not list', () => {
    expect(expectKdapError(() => FeatureSchema.capture(table, { ...options, required: ['cpm'] }), 'ERR_KDAP_SCHEMA')).toMatchObject({ column: 'cpm' });
    expect(() => FeatureSchema.capture(table, { ...options, required: ['cpm'] })).toThrow(
      "TestTrainer declares 'cpm' as required, but the configuration lists no such feature.",
    );
  });

  it('refuses a training column of the wrong kind unless coercing', () => {
    const numericChannel = tableOf({ spend: [1, 2, 3], channel: [7, 8, 7] });
    expect(() => FeatureSchema.capture(numericChannel, options)).toThrow(
      "The feature 'channel' must be a categorical column, but the training table has a numeric column.",
    );
    const schema = FeatureSchema.capture(numericChannel, { ...options, policy: { mistyped: 'coerce' } });
    expect(schema.features[1]!.categories).toEqual(['7', '8']);
    expect(Array.from(schema.encode(numericChannel).values)).toEqual([1, 0, 2, 1, 3, 0]);
  });
});
