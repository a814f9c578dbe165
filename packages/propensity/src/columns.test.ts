import { expectKdapError } from '@kdap/test-support';
import { syntheticCustomers } from '@kdap/preprocessing';
import { PropensityTrainer } from './trainer';

// A user's own table: 'user_id', 'bought' and a 'signup' date instead of customer_id / converted.
const { table } = syntheticCustomers({ samples: 1500, seed: 23 });
const day = 86_400_000;
const userTable = table.rename({ customer_id: 'user_id', converted: 'bought' }).withColumn('signup', { kind: 'date', unit: 'ms', values: Float64Array.from({ length: table.rowCount }, (_, i) => Date.UTC(2026, 0, 1) + (i % 365) * day) });
const params = { n_estimators: 30, max_depth: 3 };
const quiet = () => jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);

describe("PropensityTrainer on the user's own column names (columns option)", () => {
  it('drops the mapped id from the features, orders the splits by the mapped date, and scores records keyed by the user id', async () => {
    const warn = quiet();
    try {
      using trainer = new PropensityTrainer({ params, columns: { id: 'user_id', target: 'bought', date: 'signup' } });
      await trainer.fit(userTable);
      const names = trainer.featureSchema.featureNames;
      expect(names).not.toContain('user_id');
      expect(names).not.toContain('customer_id');
      expect(names).not.toContain('signup');
      expect(names).not.toContain('bought');
      expect(trainer.model.state.splits.order).toBe('time');
      // Notices name the user's columns, not the model's names they were renamed to.
      const notices = trainer.notices.join('\n');
      expect(notices).toContain("'user_id' identifies customers");
      expect(notices).toMatch(/date column signup orders the splits/);
      expect(notices).not.toContain('customer_id');
      expect(notices).not.toContain('signup_date');
      const records = userTable.slice(0, 3).toRecords();
      const scores = trainer.scorer().scoreMany(records);
      expect(scores.map((s) => s.customer_id)).toEqual(records.map((r) => r.user_id));
      // The Python name of the id column still works.
      const python = records.map(({ user_id, ...rest }) => ({ ...rest, customer_id: user_id }));
      expect(trainer.scorer().scoreMany(python)).toEqual(scores);
    } finally {
      warn.mockRestore();
    }
  }, 60_000);

  it('refuses a mapped date column that does not hold dates, and names a missing one', async () => {
    const warn = quiet();
    try {
      await expectKdapError(
        () => new PropensityTrainer({ params, columns: { target: 'bought', date: 'recency' } }).fit(userTable),
        'ERR_KDAP_SCHEMA',
        "PropensityTrainer: column 'recency' (the date column, option columns.date) must hold dates (a date column; read CSVs with the column typed as a date). Got a numeric column.",
      );
      await expectKdapError(
        () => new PropensityTrainer({ params, columns: { target: 'bought', date: 'signed_up' } }).fit(userTable),
        'ERR_KDAP_SCHEMA',
        `PropensityTrainer: the training table has no column 'signed_up' (the date column, option columns.date). Fix the 'columns.date' option (did you mean 'signup'?), or add the column. Its columns are: ${userTable.columnNames.join(', ')}.`,
      );
    } finally {
      warn.mockRestore();
    }
  });
});
