import { DataError, InsufficientDataError, KdapError, SchemaError } from '@kdap/errors';
import { Table } from '@kdap/preprocessing';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

const data = syntheticSplit(1200, 9);
const config = testConfig({ hyperparameters: { lightgbm: { n_estimators: 25 } } });

/** Runs `work` with process warnings muted (the trainer warns about the small synthetic data). */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    return await work();
  } finally {
    warn.mockRestore();
  }
}

function replaced(table: Table, column: string, edit: (values: Float64Array) => void): Table {
  const values = Float64Array.from(table.numeric(column).values);
  edit(values);
  return table.withColumn(column, { kind: 'numeric', values });
}

async function fitError(table: Table, options = {}): Promise<KdapError> {
  const error = await quietly(() => new BudgetOptimizerTrainer({ config }).fit(table, options).then(() => undefined, (e: unknown) => e as KdapError));
  if (error === undefined) throw new Error('fit accepted the table');
  return error;
}

describe('BudgetOptimizerTrainer checks its training data at fit', () => {
  it('refuses something that is not a Table with a ParameterError, and points at .table for a generator result', async () => {
    const fit = (table: unknown) => new BudgetOptimizerTrainer({ config: testConfig() }).fit(table as Table);
    await expect(fit(undefined)).rejects.toMatchObject({
      code: 'ERR_KDAP_PARAMETER',
      message: "The 'table' argument of BudgetOptimizerTrainer.fit must be a Table (readTable, Table.fromColumns). Got undefined.",
    });
    await expect(fit({ table: data.train, truth: {} })).rejects.toMatchObject({
      code: 'ERR_KDAP_PARAMETER',
      message: expect.stringMatching(/must be a Table .*Got .*\. It looks like a generator's result: pass its \.table\.$/),
    });
  });

  it('says a 0-row table is empty (not an internal Dataset message)', async () => {
    const e = await fitError(data.train.slice(0, 0));
    expect(e).toBeInstanceOf(InsufficientDataError);
    expect(e.code).toBe('ERR_KDAP_INSUFFICIENT_DATA');
    expect(e.message).toBe(
      "BudgetOptimizerTrainer: the training table is empty (0 rows). The Budget Optimizer needs at least 20 rows (periods) per channel, each with 'channel_id', 'current_spend' and the return.",
    );
  });

  it('refuses a tiny table, naming the channels and their rows', async () => {
    const e = await fitError(data.train.slice(0, 5));
    expect(e).toBeInstanceOf(InsufficientDataError);
    expect(e.message).toMatch(/^BudgetOptimizerTrainer: the training table has too few rows for channel '\w+' \(1\), /);
    expect(e.message).toContain('each channel needs at least 20 rows (periods) to trace a response curve.');
  });

  it.each([
    ['a negative spend', 'current_spend', -5, 'must hold finite numbers >= 0. Got -5 at rows 3, 10.'],
    ['an infinite spend', 'current_spend', Infinity, 'must hold finite numbers >= 0. Got Infinity at rows 3, 10.'],
    ['a negative return', 'return', -1, 'must hold finite numbers >= 0. Got -1 at rows 3, 10.'],
  ])('refuses %s naming column and rows', async (_what, column, value, message) => {
    const e = await fitError(replaced(data.train, column, (v) => ((v[3] = value), (v[10] = value))));
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe('ERR_KDAP_DATA');
    expect((e as DataError).column).toBe(column);
    expect((e as DataError).row).toBe(3);
    expect(e.message).toContain(`BudgetOptimizerTrainer: column '${column}' (`);
    expect(e.message).toContain(message);
  });

  it('refuses an all-missing spend and a missing return, with the share and rows', async () => {
    const allNaN = await fitError(replaced(data.train, 'current_spend', (v) => v.fill(Number.NaN)));
    expect(allNaN).toBeInstanceOf(DataError);
    expect(allNaN.message).toContain("column 'current_spend' (spend) of the training table is missing in 100% of the rows (rows 0, 1, 2, 3, 4, ... (960 rows)); at most 20% may be missing.");
    const noReturn = await fitError(replaced(data.train, 'return', (v) => (v[7] = Number.NaN)));
    expect(noReturn.message).toContain("column 'return' (return) of the training table is missing at row 7. Every training row needs its return");
    // The validation table is checked the same way.
    const badValidation = await fitError(data.train, { validation: replaced(data.validation, 'current_spend', (v) => (v[2] = -1)) });
    expect(badValidation.message).toContain("column 'current_spend' (spend, currency per period) of the validation table must hold finite numbers >= 0. Got -1 at row 2.");
    const textSpend = await fitError(data.train.withColumn('current_spend', { kind: 'categorical', codes: new Int32Array(data.train.rowCount), categories: ['lots'] }));
    expect(textSpend).toBeInstanceOf(SchemaError);
  });

  it('parses ISO-date strings, so carry-over stays on (same decays as a date column)', async () => {
    const days = data.train.date('date').values;
    const text = data.train.withColumn('date', { kind: 'categorical', codes: Int32Array.from(days, (_, i) => i), categories: Array.from(days, (d) => new Date(d).toISOString().slice(0, 10)) });
    const fromDates = new BudgetOptimizerTrainer({ config });
    const fromText = new BudgetOptimizerTrainer({ config });
    await quietly(async () => {
      await fromDates.fit(data.train, { validation: data.validation });
      await fromText.fit(text, { validation: data.validation });
    });
    expect(Object.values(fromDates.model.state.decays).some((d) => d > 0)).toBe(true);
    expect(fromText.model.state.decays).toEqual(fromDates.model.state.decays);
    expect(fromText.predict(text.slice(0, 50))).toEqual(fromDates.predict(data.train.slice(0, 50)));
  });

  it('says why carry-over is off when the date column holds text that is not a date', async () => {
    const text = data.train.withColumn('date', { kind: 'categorical', codes: new Int32Array(data.train.rowCount), categories: ['last tuesday'] });
    const trainer = new BudgetOptimizerTrainer({ config });
    await quietly(() => trainer.fit(text, { validation: data.validation }));
    expect(trainer.notices).toContain(
      "BudgetOptimizerTrainer: column 'date' holds text that is not an ISO date (e.g. 'last tuesday'), so the order of periods is unknown and carry-over is off (effective_spend is missing). Give dates as YYYY-MM-DD or a date column.",
    );
    expect(Object.values(trainer.model.state.decays).every((d) => d === 0)).toBe(true);
  });

  it('holds out the latest dates for validation when none is given, and labels the metrics', async () => {
    const trainer = new BudgetOptimizerTrainer({ config });
    await quietly(async () => {
      const result = await trainer.fit(data.train);
      expect(result.metricsSet).toBe('validation');
      expect(result.validationMetrics).toBeDefined();
      expect(result.metrics).toEqual(result.validationMetrics);
      // 10% (data.validation_size) of 160 days: the last 16 days of 6 channels.
      expect(trainer.notices).toContain(
        'BudgetOptimizerTrainer: no validation table was given, so the dates from 2023-05-25 on (96 rows) were held out for validation (10% of the dates; option holdOut); the metrics are validation metrics.',
      );
      const all = await new BudgetOptimizerTrainer({ config }).fit(data.train, { holdOut: false });
      expect(all.metricsSet).toBe('training');
      expect(all.validationMetrics).toBeUndefined();
      const quarter = new BudgetOptimizerTrainer({ config });
      await quarter.fit(data.train, { holdOut: 0.25 });
      expect(quarter.notices.join('\n')).toContain('(240 rows) were held out for validation (25% of the dates');
      await expect(new BudgetOptimizerTrainer({ config }).fit(data.train, { holdOut: 1.5 })).rejects.toThrow(
        "The 'holdOut' option of BudgetOptimizerTrainer.fit must be a number > 0 and < 1 (the share of the latest dates held out for validation) or false. Got 1.5.",
      );
    });
  });

  it('accepts records whose dates are strings, as Table.fromRecords gives them', async () => {
    const records = data.train.toRecords().map((r) => ({ ...r, date: new Date(r.date as number).toISOString().slice(0, 10) }));
    const table = Table.fromRecords(records);
    expect(table.column('date').kind).toBe('categorical');
    const trainer = new BudgetOptimizerTrainer({ config });
    await quietly(() => trainer.fit(table, { validation: data.validation }));
    expect(Object.values(trainer.model.state.decays).some((d) => d > 0)).toBe(true);
  });
});

describe('threads', () => {
  it("accepts num_threads or n_jobs in params and sizes the default (-1) to the data", async () => {
    await quietly(async () => {
      const two = new BudgetOptimizerTrainer({ config, params: { num_threads: 2 } });
      expect(two.config.training.n_jobs).toBe(2);
      expect(new BudgetOptimizerTrainer({ config, params: { n_jobs: -1, num_leaves: 7 } }).config.training.n_jobs).toBe(-1);
      expect(new BudgetOptimizerTrainer({ config, params: { num_threads: 0 } }).config.training.n_jobs).toBe(-1);
      expect(() => new BudgetOptimizerTrainer({ config, params: { num_threads: 1.5 } })).toThrow(
        "The 'num_threads' parameter of BudgetOptimizerTrainer must be an integer >= 1, or -1 (or 0) for the default thread policy. Got 1.5.",
      );
      expect(() => new BudgetOptimizerTrainer({ config, params: { num_threads: 1, n_jobs: 2 } })).toThrow("takes 'num_threads' or 'n_jobs' in params, not both");
      await two.fit(data.train, { validation: data.validation });
      expect(two.model.state.training.main.num_threads).toBe(2);
      // 900 rows: below SINGLE_THREAD_ROWS, the default is one thread.
      const small = new BudgetOptimizerTrainer({ config, params: { n_jobs: -1 } });
      await small.fit(data.train.slice(0, 900), { validation: data.validation });
      expect(small.model.state.training.main.num_threads).toBe(1);
      expect(small.model.state.training.lower.num_threads).toBe(1);
    });
  });
});

describe('configuration', () => {
  it("is built from the packaged defaults, never from the host application's ./config", () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const { join } = jest.requireActual<typeof import('node:path')>('node:path');
    const host = mkdtempSync(join(jest.requireActual<typeof import('node:os')>('node:os').tmpdir(), 'kdap-host-'));
    mkdirSync(join(host, 'config'));
    // The host's own configuration, in a shape that is not ours.
    writeFileSync(join(host, 'config', 'config.yaml'), 'server:\n  port: 8080\n');
    const cwd = process.cwd();
    process.chdir(host);
    try {
      const trainer = new BudgetOptimizerTrainer();
      expect(trainer.config.optimization.spend_feature).toBe('current_spend');
    } finally {
      process.chdir(cwd);
      rmSync(host, { recursive: true, force: true });
    }
  });
});
