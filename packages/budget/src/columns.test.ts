import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '@kdap/core';
import { expectKdapError } from '@kdap/test-support';
import { BudgetOptimizer } from './optimizer';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

// The user's own column names: no renaming before training or scoring.
const data = syntheticSplit(1800, 21);
const USER_NAMES = { channel_id: 'medium', current_spend: 'cost', date: 'day', return: 'revenue' };
const userTable = data.table.rename(USER_NAMES);
const columns = { channel: 'medium', spend: 'cost', date: 'day', target: 'revenue' } as const;
const config = testConfig({ hyperparameters: { lightgbm: { n_estimators: 60 } } });
const quiet = () => jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);

describe("BudgetOptimizerTrainer on the user's own column names (columns option)", () => {
  let trainer: BudgetOptimizerTrainer;
  let python: BudgetOptimizerTrainer;
  let dir: string;
  beforeAll(async () => {
    const warn = quiet();
    trainer = new BudgetOptimizerTrainer({ config, columns });
    await trainer.fit(userTable);
    python = new BudgetOptimizerTrainer({ config });
    await python.fit(data.table);
    warn.mockRestore();
    dir = mkdtempSync(join(tmpdir(), 'kdap-budget-columns-'));
  }, 120_000);
  afterAll(() => {
    trainer.dispose();
    python.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fits the same model as on the Python names: target, channel, spend and the date (carry-over) all found', () => {
    expect(trainer.featureSchema.toJSON()).toEqual(python.featureSchema.toJSON());
    expect(trainer.model.state.decays).toEqual(python.model.state.decays);
    expect(Object.values(trainer.model.state.decays).some((d) => d > 0)).toBe(true); // 'day' ordered the periods
    expect(trainer.result.metrics.rmse).toBeCloseTo(python.result.metrics.rmse!, 6);
  });

  it("recommends from records in the user's names and in the Python names alike, and after save/load", async () => {
    const optimizer = trainer.optimizer();
    const user = { medium: 'search', cost: 3000, historical_roi_mean: 2.5 };
    const pythonRecord = { channel_id: 'search', current_spend: 3000, historical_roi_mean: 2.5 };
    const rec = optimizer.recommend(user);
    expect(rec.channel_id).toBe('search');
    expect(optimizer.recommend(pythonRecord)).toEqual(rec);
    expect(optimizer.recommendMany([user, pythonRecord])).toEqual([rec, rec]);
    expect(optimizer.predict(data.validation.rename(USER_NAMES))).toEqual(optimizer.predict(data.validation));
    await trainer.save(join(dir, 'model'));
    expect((await loadBundle(join(dir, 'model'), { kind: 'budget' })).columns).toEqual(columns);
    using loaded = await BudgetOptimizer.load(join(dir, 'model'));
    expect(loaded.columns).toEqual(columns);
    expect(loaded.recommend(user)).toEqual(rec);
    expect(loaded.recommend(pythonRecord)).toEqual(rec);
    const allocation = loaded.allocate({ totalBudget: 9000, channels: [user, { medium: 'social', cost: 3000, historical_roi_mean: 2 }] });
    expect(allocation.channels.map((c) => c.channel_id)).toEqual(['search', 'social']);
  });

  it("names the user's field when a record lacks it, and refuses a record with both names", () => {
    const optimizer = trainer.optimizer();
    const missing = expectKdapError(() => optimizer.recommend({ medium: 'search' }), 'ERR_KDAP_SCHEMA', "The record has no 'cost' (or 'current_spend') (current spend");
    expect(missing).toMatchObject({ column: 'current_spend' });
    expectKdapError(() => optimizer.recommendMany([{ medium: 'search', cost: 1, current_spend: 2 }]), 'ERR_KDAP_SCHEMA', /record 0 has both 'cost' \(the spend column, option columns\.spend\) and 'current_spend'/);
  });

  it('names a mapped column the training table lacks and lists the columns it has', async () => {
    const table = userTable.drop(['cost']);
    const error = await expectKdapError(
      () => new BudgetOptimizerTrainer({ config, columns }).fit(table),
      'ERR_KDAP_SCHEMA',
      `BudgetOptimizerTrainer: the training table has no column 'cost' (the spend column, option columns.spend). Fix the 'columns.spend' option, or add the column. Its columns are: ${table.columnNames.join(', ')}.`,
    );
    expect(error).toMatchObject({ column: 'cost' });
  });

  it("without the option, points at it when the channel column has the user's name", async () => {
    await expectKdapError(
      () => new BudgetOptimizerTrainer({ config }).fit(userTable),
      'ERR_KDAP_SCHEMA',
      /the training table has no column 'channel_id' \(the channel column\)\. If yours is named differently, say which with the 'columns' option, e\.g\. columns: \{ channel: '.*' \}\. Its columns are: day, medium, /,
    );
  });
});

describe('overrides apply before anything derives from them', () => {
  it("optimization.spend_feature: 'spend' trains on a table whose spend column is 'spend' (it failed: required features came from the defaults)", async () => {
    const warn = quiet();
    try {
      using trainer = new BudgetOptimizerTrainer({ config, overrides: { optimization: { spend_feature: 'spend' } } });
      expect(trainer.config.features.numerical).toContain('spend');
      expect(trainer.config.features.numerical).not.toContain('current_spend');
      await trainer.fit(data.table.rename({ current_spend: 'spend' }));
      expect(trainer.featureSchema.features.find((f) => f.name === 'spend')).toMatchObject({ kind: 'numeric', required: true });
      expect(trainer.model.state.spendFeature).toBe('spend');
      const rec = trainer.optimizer().recommend({ channel_id: 'search', spend: 3000 });
      expect(rec.status).toBe('ok');
      expect(rec.optimal_spend).toBeGreaterThan(0);
    } finally {
      warn.mockRestore();
    }
  }, 60_000);

  it('feature lists overridden with the new spend feature keep it, with effective spend appended', () => {
    using trainer = new BudgetOptimizerTrainer({ config, overrides: { optimization: { spend_feature: 'spend' }, features: { numerical: ['spend', 'cpm'] } } });
    expect(trainer.config.features.numerical).toEqual(['spend', 'cpm', 'effective_spend']);
  });
});
