// Smoke test of the built packages under whichever Node runs it (CI runs it with Node 22 and 24
// next to the suite's Node 20): ESM and CommonJS imports, then train -> predict with each model
// kind (LightGBM, XGBoost, the anomaly forests, DuckDB-backed preprocessing). Needs 'npm run build'.
//
//   /path/to/node scripts/node-smoke.mjs        prints one JSON line; exit 1 on any failure
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const started = performance.now();
const { BudgetOptimizerTrainer } = await import('@kdap/budget');
const { PropensityTrainer } = await import('@kdap/propensity');
const { AnomalyDetectorTrainer } = await import('@kdap/anomaly');
const { syntheticCustomers, syntheticMarketingSpend, syntheticMetricSeries } = await import('@kdap/preprocessing');
const cjs = ['@kdap/budget', '@kdap/propensity', '@kdap/anomaly', '@kdap/deploy', '@kdap/cli'].map((name) => typeof require(name));

const spend = syntheticMarketingSpend({ rows: 2_000, seed: 7 }).table;
const budget = new BudgetOptimizerTrainer({ params: { n_estimators: 40 } });
await budget.fit(spend.slice(0, 1_600), { validation: spend.slice(1_600) });
const recommendation = budget.optimizer().recommend({ channel_id: 'search', current_spend: 5_000, historical_roi_mean: 2.5 });

const customers = syntheticCustomers({ samples: 3_000, seed: 7 }).table;
const propensity = new PropensityTrainer({ params: { n_estimators: 40 } });
await propensity.fit(customers, { target: 'converted' });
const score = propensity.scorer().score(customers.slice(0, 1).toRecords()[0]);

const series = syntheticMetricSeries({ days: 120, channels: 2, seed: 7 }).table;
const anomaly = new AnomalyDetectorTrainer();
await anomaly.fit(series);
const detected = anomaly.detector.detectTable(series).length;

const ok = Number.isFinite(recommendation.optimal_spend) && score.propensity_score >= 0 && score.propensity_score <= 1 && cjs.every((t) => t === 'object') && detected > 0;
console.log(JSON.stringify({ node: process.version, ok, cjs, optimal_spend: recommendation.optimal_spend, propensity_score: score.propensity_score, detected, seconds: +((performance.now() - started) / 1000).toFixed(1) }));
budget.dispose?.();
propensity.dispose?.();
anomaly.dispose?.();
if (!ok) process.exit(1);
