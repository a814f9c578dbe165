/**
 * Anomaly detectors vs scikit-learn on the same bytes (issue 18): IsolationForest fit + score on
 * 100,000 x 10, and LocalOutlierFactor (novelty) fit on 20,000 + score 100,000, on the
 * 'moderate' outlier set (5 % of rows shifted 2-3 sd in a few features). Sides alternate every
 * repetition; tables give medians and [min-max]. scikit-learn runs with n_jobs 1 and -1; our
 * LocalOutlierFactor gets the same nJobs (native neighbour search, @kdap/neighbors-node); the
 * IsolationForest is single-threaded, so its column is the same code in both rows.
 *
 *   npm run bench -- anomaly [--reps 7] [--lof-reps 7] [--rows 100000] [--only if|lof] [--parity]
 *
 * --parity adds the full-size semantic check (AUC, Spearman, offsets, predict agreement) on both
 * acceptance data sets (1 % far and 5 % moderate outliers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IsolationForest, LocalOutlierFactor } from '@kdap/anomaly';
import { runPythonScript } from '@kdap/test-support';
import { outlierData } from '../packages/anomaly/src/testing/outlier-data';
import { runParity } from '../packages/anomaly/src/testing/parity';
import { arg, median } from './report';

const COLS = 10;

function range(values: number[]): string {
  const fmt = (v: number) => v.toFixed(3);
  return `${fmt(median(values))} [${fmt(Math.min(...values))}-${fmt(Math.max(...values))}]`;
}

export async function anomalyBench(argv: string[]): Promise<string> {
  const rows = Number(arg(argv, '--rows', '100000'));
  const reps = Number(arg(argv, '--reps', '7'));
  const lofReps = Number(arg(argv, '--lof-reps', '7'));
  const lofTrain = Math.min(rows, 20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anomaly-bench-'));
  const data = outlierData('moderate', rows, COLS, 1);
  const file = path.join(dir, 'X.f64');
  fs.writeFileSync(file, data.values);
  const lines: string[] = [];
  try {
    const only = arg(argv, '--only', 'all');
    for (const model of (['if', 'lof'] as const).filter((m) => only === 'all' || only === m)) {
      const n = model === 'if' ? reps : lofReps;
      for (const jobs of [1, -1]) {
        const ts: number[] = [];
        const py: number[] = [];
        const tsParts: number[][] = [];
        const pyParts: number[][] = [];
        for (let rep = 0; rep < n; rep += 1) {
          const t0 = performance.now();
          let t1: number;
          if (model === 'if') {
            using forest = new IsolationForest({ nEstimators: 100, seed: rep }).fit(data);
            t1 = performance.now();
            forest.scoreSamples(data);
          } else {
            using lof = new LocalOutlierFactor({ nNeighbors: 20, nJobs: jobs }).fit({ values: data.values.subarray(0, lofTrain * COLS), rows: lofTrain, cols: COLS });
            t1 = performance.now();
            lof.scoreSamples(data);
          }
          const t2 = performance.now();
          ts.push((t2 - t0) / 1000);
          tsParts.push([(t1 - t0) / 1000, (t2 - t1) / 1000]);
          const out = JSON.parse(runPythonScript('anomaly_bench.py', [file, String(rows), String(COLS), model, String(jobs), String(lofTrain)], { timeoutMs: 1_800_000 })) as {
            fit_s: number;
            score_s: number;
          };
          py.push(out.fit_s + out.score_s);
          pyParts.push([out.fit_s, out.score_s]);
        }
        const ratios = ts.map((t, i) => t / py[i]!);
        const label =
          model === 'if'
            ? `IsolationForest fit + score ${rows.toLocaleString('en')} x ${COLS}, scikit-learn n_jobs ${jobs}`
            : `LocalOutlierFactor fit ${lofTrain.toLocaleString('en')} + score ${rows.toLocaleString('en')}, scikit-learn n_jobs ${jobs}`;
        const parts = (p: number[][]) => `fit ${median(p.map((x) => x[0]!)).toFixed(3)} + score ${median(p.map((x) => x[1]!)).toFixed(3)}`;
        lines.push(
          `| ${label} (${n} reps) | ${range(ts)} (${parts(tsParts)}) | ${range(py)} (${parts(pyParts)}) | ${(median(ts) / median(py)).toFixed(3)} [${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}] | ${model === 'if' ? '<= 0.5' : '<= 0.25'} |`,
        );
      }
    }
    if (argv.includes('--parity')) {
      for (const scenario of ['far', 'moderate'] as const) {
        const r = runParity({ scenario, rows, cols: COLS, lofTrainRows: lofTrain, seeds: Array.from({ length: 20 }, (_, i) => i), dataSeed: 7 });
        const f = r.isolation_forest;
        const l = r.lof;
        const sk = (v: number[]) => `${median(v).toFixed(4)} [${Math.min(...v).toFixed(4)}-${Math.max(...v).toFixed(4)}]`;
        lines.push(
          `| parity ${scenario}: IF AUC TS vs scikit-learn (median of 20 seeds each) | ${f.auc_ts.toFixed(4)} [${Math.min(...f.auc_ts_seeds).toFixed(4)}-${Math.max(...f.auc_ts_seeds).toFixed(4)}] | ${sk(f.auc_sklearn)} | diff ${(f.auc_ts - median(f.auc_sklearn)).toFixed(4)} | <= 0.005 |`,
          `| parity ${scenario}: IF Spearman TS vs scikit-learn (median over seeds) vs scikit-learn between seeds | ${f.spearman_ts_vs_sklearn_median.toFixed(4)} | ${f.spearman_sklearn_between_seeds_median.toFixed(4)} | | >= scikit-learn - 0.01 |`,
          `| parity ${scenario}: IF offset | ${f.offset_ts.toFixed(4)} | ${sk(f.offset_sklearn)} | | |`,
          `| parity ${scenario}: IF predict agreement TS vs scikit-learn (median) vs scikit-learn between seeds | ${median(f.predict_agreement).toFixed(4)} | ${f.predict_agreement_sklearn_between_seeds_median.toFixed(4)} | | >= 0.99 |`,
          `| parity ${scenario}: LOF AUC | ${l.auc_ts.toFixed(4)} | ${l.auc_sklearn.toFixed(4)} | max abs score diff ${l.max_abs_score_difference.toExponential(1)} | <= 0.005 |`,
          `| parity ${scenario}: LOF Spearman / offset / predict agreement | ${l.spearman.toFixed(6)} / ${l.offset_ts.toFixed(4)} / ${l.predict_agreement.toFixed(4)} | offset ${l.offset_sklearn.toFixed(4)} | | >= 0.99 / equal / >= 0.99 |`,
        );
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [
    `### Anomaly detectors vs scikit-learn (${rows.toLocaleString('en')} x ${COLS}, 5 % moderate outliers; seconds, median [min-max], sides alternating)`,
    '',
    '| measure | TypeScript | Python | ratio TS/Python | goal |',
    '|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}
