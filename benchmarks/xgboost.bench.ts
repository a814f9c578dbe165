/**
 * XGBoost binding vs Python xgboost (same libxgboost): runs benchmarks/xgboost.child.ts (200,000 x
 * 30, hist, depth 6, eta 0.05, 200 rounds; paired TS/Python runs with per-pair ratios) in a child
 * process, so the addon and its threads start fresh, and returns its table.
 *
 *   npm run bench -- xgboost [--repeat 7] [--nthread N] [--wait-idle 60] [--max-other 0.1] [--predict-only]
 */
import path from 'node:path';
import { runChildBench } from './report';

export async function xgboostBench(argv: string[]): Promise<string> {
  return runChildBench(path.join(__dirname, 'xgboost.child.ts'), 'xgboost', argv);
}
