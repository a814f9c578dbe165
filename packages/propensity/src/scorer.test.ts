import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { categoricalColumn, dateColumn, numericColumn, syntheticCustomers, Table } from '@kdap/preprocessing';
import { expectKdapError } from '@kdap/test-support';
import type { PropensityScorer } from './scorer';
import { PropensityScorer as Scorer } from './scorer';
import { PropensityTrainer } from './trainer';
import { tableRows, type FeatureTable } from '@kdap/core';
import { categoricalBaseline, numericBaseline } from './distribution';
import { propensitySplits } from './splits';

const { table } = syntheticCustomers({ samples: 4000, seed: 5 });
const small = { n_estimators: 30, max_depth: 3 };
let trainer: PropensityTrainer;
let scorer: PropensityScorer;

beforeAll(async () => {
  trainer = new PropensityTrainer({ params: small });
  await trainer.fit(table);
  scorer = trainer.scorer();
});
afterAll(() => trainer.dispose());

/** The rows the trainer fitted the booster on. */
function trainRows(): FeatureTable {
  const c = trainer.config;
  const y = Float64Array.from(table.numeric('converted').values);
  const splits = propensitySplits(y, { test: c.data.test_size, calibration: c.calibration.holdout_fraction, validation: c.data.validation_size }, c.data.random_state);
  return tableRows(table as FeatureTable, splits.train);
}

const record = { customer_id: 'CUST_001', recency: 5, frequency: 12, monetary: 250, engagement_score: 80, tenure_days: 700, email_open_rate: 0.5, email_click_rate: 0.2, preferred_channel: 'web' };

describe('PropensityTrainer', () => {
  it('keeps the named splits apart and reports metrics from the held-out rows only', () => {
    const { splits } = scorer.state;
    expect(splits.train + splits.validation + splits.calibration + splits.test).toBe(4000);
    expect(splits).toEqual({ train: 2240, validation: 320, calibration: 640, test: 800, order: 'stratified' });
    expect(trainer.result.metrics).toEqual(scorer.metrics);
    expect(trainer.result.metricsSet).toBe('held_out');
    expect(scorer.report!.rows).toBe(800);
    // Configured features only: customer_id was never a candidate, so nothing is said about it.
    expect(trainer.notices.join('\n')).not.toMatch(/customer_id/);
  });

  it("sets scale_pos_weight 'auto' to negatives / positives of the training rows; a number overrides", async () => {
    const spw = scorer.state.params.scale_pos_weight as number;
    expect(spw).toBeGreaterThan(1.5);
    const fixed = new PropensityTrainer({ params: { ...small, scale_pos_weight: 2 } });
    expect(fixed.xgboostParams(10, 40).scale_pos_weight).toBe(2);
    expect(new PropensityTrainer().xgboostParams(10, 40).scale_pos_weight).toBe(3);
  });

  it("keeps drift baselines of each feature's training rows", () => {
    const X = trainer.featureSchema.encode(trainRows());
    for (const [j, f] of trainer.featureSchema.features.entries()) {
      const column = Float64Array.from({ length: X.rows }, (_, i) => X.values[i * X.cols + j]!);
      const expected = f.kind === 'categorical' ? categoricalBaseline(column, f.categories!) : numericBaseline(column);
      expect(trainer.model.baseline.features[f.name]).toEqual(expected);
    }
  });

  it('orders splits by time when the table has a date column', async () => {
    const days = Float64Array.from({ length: 4000 }, (_, i) => Date.UTC(2025, 0, 1) + ((i * 7919) % 4000) * 86400000);
    const dated = table.withColumn('signup_date', dateColumn(days));
    const timed = new PropensityTrainer({ params: small });
    await timed.fit(dated, { target: 'converted' });
    expect(timed.scorer().state.splits.order).toBe('time');
    expect(timed.featureSchema.featureNames).not.toContain('signup_date');
    expect(timed.featureSchema.featureNames).not.toContain('customer_id');
    expect(timed.notices.join('\n')).toMatch(/'customer_id' identifies customers .* not used as a feature/);
    expect(timed.notices.join('\n')).toMatch(/date column signup_date orders the splits/);
    timed.dispose();
  });
});

describe('PropensityScorer', () => {
  it("returns the Python module's shape: calibrated score, |2p - 1| confidence, percentile rank, segment", () => {
    const [s] = scorer.scoreMany([record]);
    expect(Object.keys(s!).sort()).toEqual(['confidence', 'customer_id', 'percentile_rank', 'propensity_score', 'segment_assignment']);
    expect(s!.customer_id).toBe('CUST_001');
    expect(s!.confidence).toBeCloseTo(Math.abs(2 * s!.propensity_score - 1), 15);
    expect(s!.percentile_rank).toBeGreaterThanOrEqual(0);
    expect(s!.percentile_rank).toBeLessThanOrEqual(100);
    const expected = s!.propensity_score >= 0.7 ? 'High Propensity' : s!.propensity_score >= 0.4 ? 'Medium Propensity' : 'Low Propensity';
    expect(s!.segment_assignment).toBe(expected);
    expect(scorer.score(record)).toEqual(s);
  });

  it('ranks against the training scores with ties counted in (searchsorted right)', () => {
    const scores = scorer.predict(table);
    const all = scorer.scoreMany(table);
    const top = Math.max(...scores);
    const best = all.find((r) => r.propensity_score === top)!;
    expect(best.percentile_rank).toBe(100);
    expect(Math.abs(0.56 - Math.abs(2 * 0.78 - 1))).toBeLessThan(1e-12);
  });

  it("scoreTable gives scoreMany's records as typed columns: ids passed through, numeric ids as text, absent ids missing", () => {
    const part = table.slice(0, 300);
    const records = scorer.scoreMany(part);
    const columns = scorer.scoreTable(part);
    expect(columns.columnNames).toEqual(['customer_id', 'propensity_score', 'confidence', 'percentile_rank', 'segment_assignment']);
    expect(columns.toRecords()).toEqual(records);
    const numericIds = part.withColumn('customer_id', numericColumn(Float64Array.from({ length: 300 }, (_, i) => (i === 7 ? NaN : 1000 + i))));
    expect(scorer.scoreTable(numericIds).toRecords()).toEqual(scorer.scoreMany(numericIds));
    expect(scorer.scoreTable(numericIds).toRecords()[1]!.customer_id).toBe('1001');
    const noIds = part.drop(['customer_id']);
    expect(scorer.scoreTable(noIds).toRecords()).toEqual(scorer.scoreMany(noIds));
    expect(scorer.scoreTable([record]).toRecords()).toEqual(scorer.scoreMany([record]));
  });

  it('gives top factors ordered by |SHAP contribution| (log-odds), with category names as values', () => {
    const factors = scorer.topFactors([record], { top: 8 })[0]!;
    expect(factors).toHaveLength(8);
    for (let k = 1; k < factors.length; k++) expect(Math.abs(factors[k - 1]!.contribution)).toBeGreaterThanOrEqual(Math.abs(factors[k]!.contribution));
    expect(factors.find((f) => f.feature === 'preferred_channel')!.value).toBe('web');
  });

  it('saves and loads with the calibrator and the score distribution; disposed scorers refuse work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdap-propensity-'));
    try {
      await trainer.save(join(dir, 'model'));
      const loaded = await Scorer.load(join(dir, 'model'));
      expect(loaded.scoreMany(table.slice(0, 300))).toEqual(scorer.scoreMany(table.slice(0, 300)));
      expect(loaded.report).toEqual(JSON.parse(JSON.stringify(scorer.report)));
      loaded.dispose();
      loaded.dispose();
      expectKdapError(() => loaded.score(record), 'ERR_KDAP_DISPOSED', /PropensityScorer has been disposed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('measures drift: stable on training-like data, PSI and counts on shifted data', () => {
    const same = scorer.drift(syntheticCustomers({ samples: 3000, seed: 99 }).table);
    expect(same.score_psi).toBeLessThan(0.1);
    const n = 1000;
    const shifted = new Table({
      recency: numericColumn(Float64Array.from({ length: n }, (_, i) => (i % 10 === 0 ? Number.NaN : 5000 + i))),
      frequency: numericColumn(new Float64Array(n).fill(3)),
      monetary: numericColumn(new Float64Array(n).fill(80)),
      engagement_score: numericColumn(new Float64Array(n).fill(50)),
      tenure_days: numericColumn(new Float64Array(n).fill(400)),
      email_open_rate: numericColumn(new Float64Array(n).fill(0.3)),
      email_click_rate: numericColumn(new Float64Array(n).fill(0.05)),
      preferred_channel: categoricalColumn(Int32Array.from({ length: n }, (_, i) => i % 2), ['web', 'tiktok']),
    });
    const drift = scorer.drift(shifted);
    expect(drift.features.recency!.missing).toBe(100);
    expect(drift.features.recency!.out_of_range).toBe(900);
    expect(drift.features.recency!.psi).toBeGreaterThan(0.25);
    expect(drift.features.preferred_channel!.unseen_categories).toBe(500);
  });
});

describe('bad input', () => {
  const withTarget = (values: Float64Array | { codes: Int32Array; categories: string[] }) =>
    table.withColumn('converted', values instanceof Float64Array ? numericColumn(values) : categoricalColumn(values.codes, values.categories));

  it('a non-binary target names the column and the values found', async () => {
    const three = Float64Array.from({ length: 4000 }, (_, i) => i % 3);
    await expectKdapError(() => new PropensityTrainer().fit(withTarget(three)), 'ERR_KDAP_SCHEMA', /'converted' must be binary .* 3 values: '0', '1', '2'/);
    const text = { codes: Int32Array.from({ length: 4000 }, (_, i) => i % 2), categories: ['gold', 'silver'] };
    await expectKdapError(() => new PropensityTrainer().fit(withTarget(text)), 'ERR_KDAP_SCHEMA', /labels 'gold', 'silver'.*positiveLabel/);
    const yesNo = { codes: Int32Array.from({ length: 4000 }, (_, i) => (i % 4 === 0 ? 0 : 1)), categories: ['yes', 'no'] };
    const fitted = new PropensityTrainer({ params: small });
    await fitted.fit(withTarget(yesNo));
    fitted.dispose();
  });

  it('a single class and too few positives are typed errors with counts and thresholds', async () => {
    await expectKdapError(() => new PropensityTrainer().fit(withTarget(new Float64Array(4000))), 'ERR_KDAP_SCHEMA', /single class \(every row is '0'\)/);
    const few = Float64Array.from({ length: 4000 }, (_, i) => (i < 20 ? 1 : 0));
    await expectKdapError(() => new PropensityTrainer().fit(withTarget(few)), 'ERR_KDAP_INSUFFICIENT_DATA', /20 positive rows .* fewer than the 50 required/);
  });

  it('a missing feature column at scoring is a SchemaError naming it; extra columns are ignored', () => {
    const { recency: _dropped, ...partial } = record;
    expectKdapError(() => scorer.score(partial), 'ERR_KDAP_SCHEMA', /no column 'recency'/);
    expect(scorer.score({ ...record, favourite_colour: 'blue' }).propensity_score).toBe(scorer.score(record).propensity_score);
  });

  it('unseen categories and NaN score as missing values; Infinity is a DataError; empty input gives []', () => {
    const unseen = scorer.score({ ...record, preferred_channel: 'carrier-pigeon' });
    const missing = scorer.score({ ...record, preferred_channel: null });
    expect(unseen.propensity_score).toBe(missing.propensity_score);
    expect(Number.isFinite(scorer.score({ ...record, recency: Number.NaN }).propensity_score)).toBe(true);
    expectKdapError(() => scorer.score({ ...record, monetary: Infinity }), 'ERR_KDAP_DATA', /'monetary' is Infinity in row 0/);
    expect(scorer.scoreMany([])).toEqual([]);
    expect(scorer.scoreMany(table.slice(0, 0))).toEqual([]);
    expectKdapError(() => scorer.drift(table.slice(0, 0)), 'ERR_KDAP_DATA', /empty/);
  });

  it('an empty training table, and Infinity in a training feature, are typed errors; NaN trains as missing', async () => {
    await expectKdapError(() => new PropensityTrainer().fit(table.slice(0, 0)), 'ERR_KDAP_INSUFFICIENT_DATA', /empty table \(0 rows\)/);
    const monetary = Float64Array.from(table.numeric('monetary').values);
    monetary[7] = -Infinity;
    await expectKdapError(() => new PropensityTrainer().fit(table.withColumn('monetary', numericColumn(monetary))), 'ERR_KDAP_DATA', /column 'monetary' is -Infinity in row 7/);
    monetary[7] = Number.NaN;
    const withNaN = new PropensityTrainer({ params: small });
    await withNaN.fit(table.withColumn('monetary', numericColumn(monetary)));
    expect(Number.isFinite(withNaN.result.metrics.auc_roc)).toBe(true);
    withNaN.dispose();
  });

  it('train(X, y) says to call fit(table)', async () => {
    await expectKdapError(() => new PropensityTrainer().train(table, new Float64Array(4000)), 'ERR_KDAP_USAGE', /Call fit\(table, \{ target \}\)/);
  });
});
