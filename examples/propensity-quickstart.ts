/**
 * Propensity Scorer quickstart, step by step: a CSV of customers with a `converted` column ->
 * train (XGBoost + isotonic calibration) -> calibration report -> score and segment customers ->
 * top factors -> save/load. Scores are probabilities (0-1); percentile ranks are 0-100.
 *
 *   node --conditions=@kdap/source -r ts-node/register examples/propensity-quickstart.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PropensityScorer, PropensityTrainer } from '@kdap/propensity';
import { readTable, syntheticCustomers, writeTable } from '@kdap/preprocessing';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-propensity-quickstart-'));
  try {
    // 1. Data: 10,000 synthetic customers (RFM, engagement, tenure, email rates, channel) whose
    //    `converted` was drawn from a known logistic model, written to a CSV as a user's export would be.
    const csv = path.join(dir, 'customers.csv');
    await writeTable(syntheticCustomers({ samples: 10_000, seed: 42 }).table, csv);
    const customers = await readTable(csv);
    console.log('columns', customers.schema);

    // 2. Train on the CSV's columns (typed by its schema); customer_id is an identifier, not a feature.
    using trainer = new PropensityTrainer({ params: { n_estimators: 200 } });
    const result = await trainer.fit(customers, { target: 'converted' });
    console.log('held-out metrics', result.metrics, 'best round', result.bestIteration);
    console.log('notices', trainer.notices);

    // 3. Calibration report on the held-out metric rows.
    const scorer = trainer.scorer();
    const report = scorer.report!;
    console.log('grade', report.quality_grade, 'ECE', report.ece.toFixed(4), 'Brier', report.brier.toFixed(4), 'slope', report.calibration_slope?.toFixed(3));
    console.table(report.bins.map((b) => ({ bin: `${b.lower.toFixed(1)}-${b.upper.toFixed(1)}`, n: b.count, predicted: b.mean_predicted.toFixed(3), observed: b.observed_rate.toFixed(3), wilson: `${b.wilson_lower.toFixed(3)}-${b.wilson_upper.toFixed(3)}` })));
    console.table(report.gains.map((g) => ({ decile: g.decile, rate: g.response_rate.toFixed(3), gain: g.cumulative_gain.toFixed(3), lift: g.lift.toFixed(2) })));

    // 4. Score and segment customers.
    const record = { customer_id: 'CUST_001', recency: 5, frequency: 12, monetary: 250, engagement_score: 80, tenure_days: 700, email_open_rate: 0.5, email_click_rate: 0.2, preferred_channel: 'web' };
    console.log(scorer.score(record));
    const scored = scorer.scoreMany(customers.slice(0, 1000));
    const bySegment = new Map<string, number>();
    for (const s of scored) bySegment.set(s.segment_assignment, (bySegment.get(s.segment_assignment) ?? 0) + 1);
    console.log('segments of the first 1,000 customers', Object.fromEntries(bySegment));

    // 5. Why: top factors (SHAP contributions in log-odds before calibration).
    console.log('top factors', scorer.topFactors([record], { top: 3 })[0]);

    // 6. Save, load elsewhere, score the same.
    const bundle = path.join(dir, 'model');
    await trainer.save(bundle);
    using loaded = await PropensityScorer.load(bundle);
    console.log('loaded scores the same:', loaded.score(record).propensity_score === scorer.score(record).propensity_score);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
