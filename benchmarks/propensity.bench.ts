/**
 * Propensity Scorer vs the Python reference (pandas + xgboost + scikit-learn), same data, same
 * run, sides alternating per repeat:
 *
 * - scoring: 1,000,000 customers from a Parquet file (text ids, a text channel, numbers) ->
 *   read, predict, calibrate, percentile rank, confidence, segment -> Parquet, timed per phase too
 *   (read / score = everything between read and write / write). Both sides use the
 *   same booster (the TypeScript bundle's model.json) and the same isotonic function (Python
 *   refits IsotonicRegression on the TypeScript calibrator's knots, which reproduces them).
 * - training: 200,000 customers end to end: read Parquet -> four-way split -> XGBoost with early
 *   stopping (default config, scale_pos_weight auto) -> isotonic calibration -> held-out metrics
 *   -> saved model. Like for like: Python gets the TypeScript trainer's split rows, category order
 *   and exact XGBoost parameters (nthread included), so both train the same model (same rounds).
 *
 * Times exclude process start, imports and model loading on both sides.
 *
 *   flock /tmp/kdap-bench.lock npm run bench -- propensity [--rows 1000000] [--train-rows 200000] [--reps 7] [--train-reps 7]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { categoricalColumn, numericColumn, readTable, syntheticCustomers, Table, writeTable } from '@kdap/preprocessing';
import { PropensityScorer, PropensityTrainer } from '@kdap/propensity';
import { runPythonScript } from '@kdap/test-support';
import { propensitySplits } from '../packages/propensity/src/splits';
import { arg, median, ratioRow } from './report';

function range(values: number[]): string {
  return `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
}

export async function propensityBench(argv: string[]): Promise<string> {
  const rows = Number(arg(argv, '--rows', '1000000'));
  const trainRows = Number(arg(argv, '--train-rows', '200000'));
  const reps = Number(arg(argv, '--reps', '7'));
  const trainReps = Number(arg(argv, '--train-reps', '7'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propensity-bench-'));
  const lines: string[] = [];
  try {
    const trainFile = path.join(dir, 'train.parquet');
    const scoreFile = path.join(dir, 'customers.parquet');
    await writeTable(syntheticCustomers({ samples: trainRows, seed: 7 }).table, trainFile);
    await writeTable(syntheticCustomers({ samples: rows, seed: 8 }).table, scoreFile);

    // Training, end to end.
    const ts: number[] = [];
    const py: number[] = [];
    const tsRead: number[] = [];
    const threads: number[] = [];
    const pyRead: number[] = [];
    let best = { ts: 0, py: 0, tsAuc: 0, pyAuc: 0 };
    const bundle = path.join(dir, 'bundle');
    for (let rep = 0; rep < trainReps; rep++) {
      const t0 = performance.now();
      const table = await readTable(trainFile);
      tsRead.push((performance.now() - t0) / 1000);
      const trainer = new PropensityTrainer();
      const result = await trainer.fit(table);
      const out = rep === 0 ? bundle : path.join(dir, `ts-${rep}`);
      await trainer.save(out);
      ts.push((performance.now() - t0) / 1000);
      const h = trainer.config.hyperparameters.xgboost;
      // Like for like: Python trains on the very rows of each TypeScript split (the trainer's
      // seeded stratified split, recomputed here outside the timing), with the TypeScript
      // schema's category order (the booster's category codes), so both fit the same model.
      const c = trainer.config;
      const splits = propensitySplits(
        (table.column(c.features.target) as { values: Float64Array }).values,
        { test: c.data.test_size, calibration: c.calibration.method === 'none' ? 0 : c.calibration.holdout_fraction, validation: c.data.validation_size },
        c.data.random_state,
      );
      const splitFiles: Record<string, string> = {};
      for (const name of ['train', 'validation', 'calibration', 'test'] as const) {
        if (splits[name].length !== trainer.model.state.splits[name]) throw new Error(`propensity bench: the ${name} split has ${splits[name].length} rows here, the trainer's ${trainer.model.state.splits[name]}.`);
        splitFiles[name] = path.join(dir, `split-${name}.i32`);
        fs.writeFileSync(splitFiles[name], new Uint8Array(splits[name].buffer, splits[name].byteOffset, splits[name].byteLength));
      }
      fs.writeFileSync(
        path.join(dir, 'params.json'),
        JSON.stringify({
          target: trainer.config.features.target,
          features: trainer.featureSchema.toJSON().features,
          splits: splitFiles,
          params: { ...trainer.model.state.params, scale_pos_weight: 1 },
          scale_pos_weight_auto: h.scale_pos_weight === 'auto',
          num_boost_round: trainer.model.state.numBoostRound,
          early_stopping_rounds: trainer.config.training.early_stopping_rounds,
        }),
      );
      const pyOut = JSON.parse(runPythonScript('propensity_bench.py', ['train', trainFile, path.join(dir, 'params.json'), path.join(dir, `py-${rep}`)], { timeoutMs: 3_600_000 })) as {
        seconds: number;
        read_seconds: number;
        best_iteration: number;
        auc_roc: number;
      };
      py.push(pyOut.seconds);
      pyRead.push(pyOut.read_seconds);
      threads.push(Number(trainer.model.state.params.nthread));
      best = { ts: trainer.model.state.rounds, py: pyOut.best_iteration, tsAuc: result.metrics.auc_roc!, pyAuc: pyOut.auc_roc };
      trainer.dispose();
    }
    lines.push(`${ratioRow(`training ${trainRows.toLocaleString('en')} customers end to end (s)`, median(ts), median(py), '<= 1.0')} ranges TS ${range(ts)}, Python ${range(py)}`);
    lines.push(`| training phase: read Parquet (s) | ${median(tsRead).toFixed(3)} | ${median(pyRead).toFixed(3)} | ${(median(tsRead) / median(pyRead)).toFixed(3)} | | TS/Python time; ranges TS ${range(tsRead)}, Python ${range(pyRead)} |`);
    lines.push(`| training threads (nthread, both sides) | ${threads.join(', ')} | ${threads.join(', ')} | | | |`);
    lines.push(`| rounds kept / held-out AUC | ${best.ts} / ${best.tsAuc.toFixed(4)} | ${best.py} / ${best.pyAuc.toFixed(4)} | | |`);

    // Scoring 1M customers Parquet -> Parquet, with the TypeScript bundle on both sides.
    using scorer = await PropensityScorer.load(bundle);
    const stateFile = path.join(dir, 'scoring.json');
    const bundleState = (file: string) => JSON.parse(fs.readFileSync(path.join(bundle, 'state', file), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    fs.writeFileSync(
      stateFile,
      JSON.stringify({
        calibration: bundleState('calibration.json'),
        distribution: bundleState('score_distribution.json'),
        features: manifest.feature_schema.features,
        feature_types: bundleState('propensity.json').featureTypes,
        segments: bundleState('propensity.json').segments,
      }),
    );
    const tsScore: number[] = [];
    const pyScore: number[] = [];
    // Per phase, so reading/writing (@kdap/preprocessing io) and scoring (the scorer) are seen apart.
    type Phases = { read: number; score: number; write: number };
    const tsPhases: Phases[] = [];
    const pyPhases: Phases[] = [];
    let checksums = { ts: 0, py: 0 };
    for (let rep = 0; rep < reps; rep++) {
      const t0 = performance.now();
      const table = await readTable(scoreFile);
      const tRead = performance.now();
      const c = scorer.scoreColumns(table, { ids: false });
      const out = new Table({
        customer_id: table.column('customer_id'),
        propensity_score: numericColumn(c.propensity_score),
        confidence: numericColumn(c.confidence),
        percentile_rank: numericColumn(c.percentile_rank),
        segment_assignment: categoricalColumn(c.segment_codes, c.segments),
      });
      const tScore = performance.now();
      await writeTable(out, path.join(dir, 'scores-ts.parquet'));
      const tWrite = performance.now();
      tsScore.push((tWrite - t0) / 1000);
      tsPhases.push({ read: (tRead - t0) / 1000, score: (tScore - tRead) / 1000, write: (tWrite - tScore) / 1000 });
      const pyOut = JSON.parse(runPythonScript('propensity_bench.py', ['score', path.join(bundle, 'model.json'), stateFile, scoreFile, path.join(dir, 'scores-py.parquet'), '1'], { timeoutMs: 1_800_000 })) as {
        seconds: number[];
        phases: Phases[];
        checksum: number;
      };
      pyScore.push(pyOut.seconds[0]!);
      pyPhases.push(pyOut.phases[0]!);
      checksums = { ts: c.propensity_score.reduce((s, v) => s + v, 0), py: pyOut.checksum };
    }
    const throughput = (s: number) => rows / s;
    lines.push(
      `| scoring ${rows.toLocaleString('en')} customers Parquet -> Parquet (customers/s) | ${throughput(median(tsScore)).toFixed(0)} | ${throughput(median(pyScore)).toFixed(0)} | ${(median(pyScore) / median(tsScore)).toFixed(3)} | >= 1.0 | ranges TS ${range(tsScore)} s, Python ${range(pyScore)} s`,
    );
    for (const phase of ['read', 'score', 'write'] as const) {
      const t = tsPhases.map((p) => p[phase]);
      const q = pyPhases.map((p) => p[phase]);
      lines.push(`| scoring phase: ${phase} (s) | ${median(t).toFixed(3)} | ${median(q).toFixed(3)} | ${(median(t) / median(q)).toFixed(3)} | | TS/Python time; ranges TS ${range(t)}, Python ${range(q)} |`);
    }
    lines.push(`| sum of calibrated scores (same model, same data) | ${checksums.ts.toFixed(6)} | ${checksums.py.toFixed(6)} | | |`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [
    `### Propensity Scorer (default config; training median of ${trainReps}, scoring median of ${reps}, sides alternating)`,
    '',
    '| measure | TypeScript | Python | ratio TS/Python | goal | notes |',
    '|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}
