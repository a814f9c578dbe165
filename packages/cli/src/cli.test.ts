import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTable } from '@kdap/preprocessing';
import { cliWorkspace, inUntrackedDirectory, kdap } from './testing/run-kdap';

const BIN = path.join(__dirname, 'bin.ts');
const NODE_ARGS = ['--conditions=@kdap/source', '-r', require.resolve('ts-node/register'), BIN];
const CHILD_ENV = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.resolve(__dirname, '../../../tsconfig.json'), NO_COLOR: '1' };

const { dir, configDir } = cliWorkspace('kdap-cli-');

describe('kdap train budget', () => {
  it('trains on synthetic data, saves a bundle that info verifies and score uses, with a JSON result', async () => {
    const out = path.join(dir, 'models');
    const train = await kdap(['train', 'budget', '--samples', '600', '--output', out, '--config', configDir, '--json'], dir);
    expect(train.stderr).not.toMatch(/error/);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout) as { model: string; bundle: string; data: { rows: number }; metrics: Record<string, number>; best_iteration: number };
    expect(summary.model).toBe('budget');
    expect(summary.data.rows).toBe(600);
    expect(summary.bundle).toBe(path.join(out, 'budget_optimizer'));
    expect(Number.isFinite(summary.metrics.rmse)).toBe(true);
    expect(summary.best_iteration).toBeGreaterThan(0);
    expect(existsSync(path.join(summary.bundle, 'manifest.json'))).toBe(true);
    // Progress went to stderr as plain lines (not a TTY), the result alone to stdout.
    expect(train.stderr).toMatch(/training iteration 30\/30/);

    const info = await kdap(['info', summary.bundle, '--json'], dir);
    expect(info.code).toBe(0);
    const parsed = JSON.parse(info.stdout) as { kind: string; integrity: string; features: { name: string }[] };
    expect(parsed.kind).toBe('budget');
    expect(parsed.integrity).toBe('verified');
    expect(parsed.features.map((f) => f.name)).toContain('current_spend');

    const requests = path.join(dir, 'requests.csv');
    expect((await kdap(['synth', 'budget', '--samples', '20', '--output', requests, '--seed', '7'], dir)).code).toBe(0);
    for (const file of ['scores.json', 'scores.csv', 'scores.parquet']) {
      const scored = await kdap(['score', '--model', summary.bundle, '--data', requests, '--output', path.join(dir, file)], dir);
      expect(scored.code).toBe(0);
      expect(scored.stdout).toContain('Scored 20 rows with the budget model');
    }
    const records = JSON.parse(readFileSync(path.join(dir, 'scores.json'), 'utf8')) as { optimal_spend: number; channel_id: string }[];
    expect(records).toHaveLength(20);
    expect(records.every((r) => typeof r.channel_id === 'string' && Number.isFinite(r.optimal_spend))).toBe(true);

    // A bundle edited after saving: info says why it is refused, score fails with exit 1.
    const tampered = path.join(dir, 'tampered');
    rmSync(tampered, { recursive: true, force: true });
    require('node:fs').cpSync(summary.bundle, tampered, { recursive: true });
    writeFileSync(path.join(tampered, 'model.txt'), 'tree\n');
    const refused = await kdap(['info', tampered], dir);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/integrity\s+REFUSED: .*model\.txt/);
    const badScore = await kdap(['score', '--model', tampered, '--data', requests, '--output', path.join(dir, 'x.json')], dir);
    expect(badScore.code).toBe(1);
    expect(badScore.stderr.trim().split('\n')).toHaveLength(1);
    expect(badScore.stderr).toMatch(/^error: .*model\.txt/);
  });
});

describe('KDAP_BUNDLE_KEY (signed bundles)', () => {
  it('train signs, info reports the signature, score refuses a bundle signed with another key; a bad key fails before training', async () => {
    const key = { KDAP_BUNDLE_KEY: 'cli-test-key-0123456789abcdef' };
    const out = path.join(dir, 'signed-models');
    const train = await kdap(['train', 'budget', '--samples', '300', '--output', out, '--config', configDir, '--json'], dir, key);
    expect(train.code).toBe(0);
    const bundle = (JSON.parse(train.stdout) as { bundle: string }).bundle;
    expect(JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8')).integrity.hmac_sha256).toMatch(/^[0-9a-f]{64}$/);

    const info = await kdap(['info', bundle, '--json'], dir, key);
    expect(JSON.parse(info.stdout)).toMatchObject({ integrity: 'verified', signature: 'verified' });
    const human = await kdap(['info', bundle], dir, {});
    expect(human.stdout).toMatch(/signature\s+signed, not checked: set KDAP_BUNDLE_KEY to verify it/);

    const requests = path.join(dir, 'signed-requests.csv');
    expect((await kdap(['synth', 'budget', '--samples', '5', '--output', requests], dir)).code).toBe(0);
    expect((await kdap(['score', '--model', bundle, '--data', requests, '--output', path.join(dir, 'signed.json')], dir, key)).code).toBe(0);
    const other = await kdap(['score', '--model', bundle, '--data', requests, '--output', path.join(dir, 'other.json')], dir, { KDAP_BUNDLE_KEY: 'another-key-0123456789abcdef' });
    expect(other.code).toBe(1);
    expect(other.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*manifest\.json has a signature that does not match the bundle key/)]);

    const short = await kdap(['train', 'budget', '--samples', '300', '--output', path.join(dir, 'never'), '--config', configDir], dir, { KDAP_BUNDLE_KEY: '' });
    expect(short.code).toBe(2); // a configuration error, like a bad config file
    expect(short.stderr).toMatch(/^error: environment variable KDAP_BUNDLE_KEY must be at least 16 bytes long\. Got an empty value\./m);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });
});

describe('kdap train propensity | anomaly (the Python README\'s seed examples)', () => {
  it('trains propensity on the CSV that kdap synth wrote, with --target, and scores it', async () => {
    const data = path.join(dir, 'data', 'customers.csv');
    expect((await kdap(['synth', 'propensity', '--samples', '3000', '--output', data], dir)).code).toBe(0);
    const train = await kdap(['train', 'propensity', '--data', data, '--target', 'converted', '--output', path.join(dir, 'models'), '--config', configDir, '--json'], dir);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout) as { model: string; metrics: Record<string, number>; metrics_from: string; bundle: string };
    expect(summary.model).toBe('propensity');
    expect(summary.metrics_from).toBe('held_out');
    expect(summary.metrics.auc_roc).toBeGreaterThan(0.6);
    const scored = await kdap(['score', '--model', summary.bundle, '--data', data, '--output', path.join(dir, 'propensity-scores.json')], dir);
    expect(scored.code).toBe(0);
    const scores = JSON.parse(readFileSync(path.join(dir, 'propensity-scores.json'), 'utf8')) as Record<string, unknown>[];
    expect(scores).toHaveLength(3000);
    expect(Object.keys(scores[0]!)).toEqual(expect.arrayContaining(['customer_id', 'propensity_score', 'confidence', 'percentile_rank', 'segment_assignment']));
    // Parquet and CSV come from the scorer's columns (no records): the same values as the JSON records.
    for (const file of ['propensity-scores.parquet', 'propensity-scores.csv']) {
      const output = path.join(dir, file);
      expect((await kdap(['score', '--model', summary.bundle, '--data', data, '--output', output], dir)).stdout).toContain('Scored 3,000 rows with the propensity model');
      const written = (await readTable(output)).toRecords();
      expect(written).toHaveLength(3000);
      written.forEach((row, i) => {
        const expected = scores[i]!;
        expect(row.customer_id).toBe(expected.customer_id);
        expect(row.segment_assignment).toBe(expected.segment_assignment);
        // JSON and CSV print numbers as shortest round-trip text: exact.
        for (const k of ['propensity_score', 'confidence', 'percentile_rank']) expect(row[k]).toBe(expected[k]);
      });
    }
  });

  it('trains anomaly on --samples rows (days x 16 series) and detects on new rows', async () => {
    const train = await kdap(['train', 'anomaly', '--samples', '1600', '--output', path.join(dir, 'models'), '--json'], dir);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout) as { model: string; data: { rows: number }; bundle: string; metrics: Record<string, number> };
    expect(summary.data.rows).toBe(1600);
    expect(summary.metrics.detected_anomaly_rate).toBeGreaterThan(0);
    const series = path.join(dir, 'series.parquet');
    expect((await kdap(['synth', 'anomaly', '--samples', '1600', '--seed', '9', '--output', series], dir)).code).toBe(0);
    const scored = await kdap(['score', '--model', summary.bundle, '--data', series, '--output', path.join(dir, 'anomalies.json')], dir);
    expect(scored.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(dir, 'anomalies.json'), 'utf8')) as Record<string, unknown>[];
    expect(Object.keys(results[0]!)).toEqual(expect.arrayContaining(['is_anomaly', 'anomaly_score', 'anomaly_type', 'expected_value', 'deviation', 'confidence']));
  });

  it('a non-binary propensity target is one line naming the column', async () => {
    const data = path.join(dir, 'data', 'customers-small.csv');
    expect((await kdap(['synth', 'propensity', '--samples', '500', '--output', data], dir)).code).toBe(0);
    const r = await kdap(['train', 'propensity', '--data', data, '--target', 'frequency', '--config', configDir, '--output', path.join(dir, 'm3')], dir);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error'))).toEqual([expect.stringMatching(/^error: .*'frequency' must be binary/)]);
  });
});

describe('kdap train --mlflow without a tracking server', () => {
  it("logs to MLflow's own default, ./mlflow.db and ./mlruns of the working directory, and says where", async () => {
    const out = path.join(dir, 'tracked');
    await inUntrackedDirectory(dir, async () => {
      // The trainer's default tracker resolves ./mlflow.db against the process's directory.
      const r = await kdap(['train', 'budget', '--samples', '600', '--config', configDir, '--output', out, '--mlflow', '--json'], dir);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as { mlflow: { run_id: string; tracking_uri: string } };
      expect(summary.mlflow.tracking_uri).toBe(`sqlite:///${path.join(realpathSync(dir), 'mlflow.db')}`);
      expect(existsSync(path.join(dir, 'mlruns', '1', summary.mlflow.run_id, 'artifacts', 'bundle', 'manifest.json'))).toBe(true);
      // The HTML training report goes with the run, byte for byte the file written to --output.
      const logged = path.join(dir, 'mlruns', '1', summary.mlflow.run_id, 'artifacts', 'report.html');
      expect(readFileSync(logged)).toEqual(readFileSync(path.join(out, 'budget_optimizer.report.html')));
      expect(existsSync(path.join(out, 'budget_optimizer', 'manifest.json'))).toBe(true);
    });
  });
});

describe('kdap train --tune --mlflow', () => {
  it('logs the refitted model as the parent run and one nested run per trial', async () => {
    const out = path.join(dir, 'tracked-tuning');
    const work = mkdtempSync(path.join(dir, 'mlflow-tuning-'));
    await inUntrackedDirectory(work, async () => {
      const r = await kdap(['train', 'budget', '--samples', '600', '--trials', '3', '--config', configDir, '--output', out, '--mlflow', '--json', '--no-report'], work);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as { mlflow: { run_id: string; trial_run_ids: string[] } };
      expect(summary.mlflow.trial_run_ids).toHaveLength(3);
      // Read back what MLflow's own store holds: each trial run is tagged with the parent's id and has the trial's params.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Database = require('better-sqlite3') as new (file: string, options: { readonly: boolean }) => { prepare(sql: string): { all(...args: unknown[]): unknown[] }; close(): void };
      const db = new Database(path.join(work, 'mlflow.db'), { readonly: true });
      try {
        const children = db.prepare("SELECT run_uuid FROM tags WHERE key = 'mlflow.parentRunId' AND value = ?").all(summary.mlflow.run_id) as { run_uuid: string }[];
        expect(children.map((c) => c.run_uuid).sort()).toEqual([...summary.mlflow.trial_run_ids].sort());
        const params = db.prepare('SELECT key FROM params WHERE run_uuid = ?').all(summary.mlflow.trial_run_ids[0]) as { key: string }[];
        expect(params.map((p) => p.key)).toEqual(expect.arrayContaining(['num_leaves', 'learning_rate']));
        const states = db.prepare("SELECT value FROM tags WHERE key = 'kdap.tuning.state'").all() as { value: string }[];
        expect(states).toHaveLength(3);
      } finally {
        db.close();
      }
    });
  });
});

describe('kdap train budget --tune', () => {
  it('runs a TPE study on a time-ordered validation split and saves the model refitted with the best parameters', async () => {
    const out = path.join(dir, 'tuned');
    const r = await kdap(['train', 'budget', '--samples', '900', '--trials', '4', '--config', configDir, '--output', out, '--json'], dir);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { tuning: { trials: number; metric: string; best_value: number; best_params: Record<string, number> }; metrics_from: string; bundle: string };
    expect(summary.tuning.trials).toBe(4);
    expect(summary.tuning.metric).toBe('rmse');
    expect(Number.isFinite(summary.tuning.best_value)).toBe(true);
    expect(Object.keys(summary.tuning.best_params)).toEqual(expect.arrayContaining(['num_leaves', 'learning_rate']));
    expect(summary.metrics_from).toBe('validation');
    // One line per trial (not a TTY), then the summary; the bundle holds the study summary.
    expect(r.stderr).toMatch(/tuning trial 4\/4  best [\d.]+/);
    expect(existsSync(path.join(summary.bundle, 'state', 'tuning.json'))).toBe(true);
  });
});

describe('kdap train propensity|anomaly --tune', () => {
  it('tunes the Propensity Scorer on a CSV from kdap synth (the seed example with --trials) and saves the refitted model', async () => {
    const csv = path.join(dir, 'data', 'customers.csv');
    expect((await kdap(['synth', 'propensity', '--samples', '3000', '--output', csv], dir)).code).toBe(0);
    const out = path.join(dir, 'tuned-propensity');
    const r = await kdap(['train', 'propensity', '--data', csv, '--target', 'converted', '--tune', '--trials', '3', '--config', configDir, '--output', out, '--json'], dir);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { tuning: { trials: number; metric: string; best_value: number; best_params: Record<string, number> }; bundle: string; metrics: Record<string, number> };
    expect(summary.tuning.trials).toBe(3);
    expect(summary.tuning.metric).toBe('auc_roc');
    expect(summary.tuning.best_value).toBeGreaterThan(0.5);
    expect(Object.keys(summary.tuning.best_params)).toEqual(expect.arrayContaining(['max_depth', 'learning_rate', 'reg_lambda']));
    expect(r.stderr).toMatch(/tuning trial 3\/3  best [\d.]+/);
    const tuning = JSON.parse(readFileSync(path.join(summary.bundle, 'state', 'tuning.json'), 'utf8')) as { n_trials: number; best_value: number };
    expect(tuning).toMatchObject({ n_trials: 3, best_value: summary.tuning.best_value });
  });

  it('tunes the Anomaly Detector against the synthetic labels and saves the refitted detector', async () => {
    const out = path.join(dir, 'tuned-anomaly');
    const r = await kdap(['train', 'anomaly', '--samples', '1600', '--trials', '2', '--output', out, '--json', '--no-report'], dir);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { tuning: { trials: number; metric: string; best_value: number; best_params: Record<string, number> }; bundle: string };
    expect(summary.tuning).toMatchObject({ trials: 2, metric: 'f1' });
    expect(summary.tuning.best_value).toBeGreaterThanOrEqual(0);
    expect(Object.keys(summary.tuning.best_params)).toEqual(expect.arrayContaining(['n_estimators', 'n_neighbors', 'contamination']));
    expect(existsSync(path.join(summary.bundle, 'state', 'tuning.json'))).toBe(true);
  });

  it('says which label column anomaly tuning needs when the data has none', async () => {
    const csv = path.join(dir, 'series.csv');
    writeFileSync(csv, ['date,channel_id,metric,value', ...Array.from({ length: 60 }, (_, i) => `2026-01-${String((i % 28) + 1).padStart(2, '0')},search,spend,${100 + i}`)].join('\n'));
    const r = await kdap(['train', 'anomaly', '--data', csv, '--tune', '--output', path.join(dir, 'no-labels')], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass target \(a 0\/1 column, 1 = anomaly; kdap: --target\)/);
  });
});

describe('bad invocations: exit code and one line', () => {
  const cases: [string, () => string[], number, RegExp][] = [
    ['unknown flag', () => ['train', 'budget', '--sampels', '10'], 2, /unknown option '--sampels'/],
    ['missing value', () => ['train', 'budget', '--samples'], 2, /option '--samples <n>' argument missing/],
    ['bad number', () => ['train', 'budget', '--samples', 'abc'], 2, /--samples must be an integer >= 1\. Got 'abc'/],
    ['negative number', () => ['train', 'budget', '--samples', '-5'], 2, /--samples must be an integer >= 1/],
    ['unknown model', () => ['train', 'budgett'], 2, /Allowed choices are budget, propensity, anomaly/],
    ['missing file', () => ['train', 'budget', '--data', path.join(dir, 'nope.csv'), '--config', configDir], 1, /nope\.csv/],
    ['empty file', () => ['train', 'budget', '--data', path.join(dir, 'empty.csv'), '--config', configDir], 1, /empty\.csv/],
    ['malformed file', () => ['train', 'budget', '--data', path.join(dir, 'bad.parquet'), '--config', configDir], 1, /bad\.parquet/],
    ['unknown target column', () => ['train', 'budget', '--samples', '200', '--target', 'revenu', '--config', configDir, '--output', path.join(dir, 'm2')], 2, /revenu/],
    ['bad bundle', () => ['score', '--model', dir, '--data', path.join(dir, 'empty.csv'), '--output', path.join(dir, 'o.json')], 1, /no model bundle at/],
    ['bad output extension', () => ['synth', 'budget', '--output', path.join(dir, 'x.xlsx')], 2, /x\.xlsx/],
    ['missing config dir', () => ['train', 'budget', '--config', path.join(dir, 'no-config')], 2, /not a directory/],
    ['no command', () => [], 2, /Usage: kdap/],
  ];
  beforeAll(() => {
    writeFileSync(path.join(dir, 'empty.csv'), '');
    writeFileSync(path.join(dir, 'bad.parquet'), 'this is not parquet');
  });

  it.each(cases)('%s', async (_name, argv, code, message) => {
    const result = await kdap(argv(), dir);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: expect.stringMatching(message) });
    if (argv().length > 0) {
      // The error is one line (after any progress notices), never a stack trace.
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const lines = result.stderr.trim().split('\n');
      expect(lines.filter((l) => /^error/.test(l))).toHaveLength(1);
      expect(lines.at(-1)).toMatch(/^error/);
    }
    expect(result.stdout).toBe('');
  });

  it('shows a stack with --verbose', async () => {
    const result = await kdap(['train', 'budget', '--data', path.join(dir, 'nope.csv'), '--verbose'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe('kdap as a process', () => {
  function spawnKdap(args: string[], env: NodeJS.ProcessEnv = CHILD_ENV) {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, done, output: () => ({ stdout, stderr }) };
  }

  it('--help lists every command with exit 0; --version names the native libraries', async () => {
    const help = spawnKdap(['train', '--help']);
    expect(await help.done).toBe(0);
    expect(help.output().stdout).toMatch(/Examples:\n\s+\$ kdap train budget/);
    const version = spawnKdap(['--version']);
    expect(await version.done).toBe(0);
    expect(version.output().stdout).toMatch(/^kdap 0\.1\.0\n@kdap\/core 0\.1\.0\nnode .*\nLightGBM 4\.7\.0\nXGBoost 3\.2\.0\n?$/);
  });

  it('Ctrl-C during training exits 130 and writes no bundle', async () => {
    const out = path.join(dir, 'interrupted');
    // The packaged default (1,000 rounds) leaves time to interrupt.
    const proc = spawnKdap(['train', 'budget', '--samples', '3000', '--output', out]);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line in 60 s: ${proc.output().stderr}`)), 60_000);
      proc.child.stderr.on('data', () => {
        if (/training iteration/.test(proc.output().stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    proc.child.kill('SIGINT');
    expect(await proc.done).toBe(130);
    expect(proc.output().stderr).toMatch(/interrupted: training stopped between iterations; nothing was saved/);
    expect(existsSync(out)).toBe(false);
  });

  it('kdap serve scores over HTTP with key auth and stops gracefully on SIGTERM', async () => {
    const bundle = path.join(dir, 'models', 'budget_optimizer');
    expect(existsSync(bundle)).toBe(true); // trained by the first test of this file
    const key = 'a-key-of-sixteen-chars-or-more';
    const proc = spawnKdap(['serve', '--model', bundle, '--port', '0'], { ...CHILD_ENV, KDAP_SCORING_KEY: key });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no server line in 90 s: ${proc.output().stderr}`)), 90_000);
      proc.child.stderr.on('data', () => {
        const m = /scoring server on (http:\/\/[\d.:]+)/.exec(proc.output().stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    // Liveness comes at once, readiness once the bundle is verified and loaded: wait for it as a client would.
    for (let waited = 0; (await fetch(`${url}/ready`)).status !== 200; waited += 100) {
      if (waited > 60_000) throw new Error(`not ready in 60 s: ${proc.output().stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ask = (headers: Record<string, string>) =>
      fetch(`${url}/score`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ data: [{ channel_id: 'search', current_spend: 4000 }] }) });
    expect((await ask({})).status).toBe(401);
    const ok = await ask({ authorization: `Bearer ${key}` });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { channel_id: string }[])[0]!.channel_id).toBe('search');
    proc.child.kill('SIGTERM');
    expect(await proc.done).toBe(0);
    // The key never reaches the logs.
    expect(proc.output().stderr + proc.output().stdout).not.toContain(key);
  });

  it('redraws a bar in place in a terminal (a pty), plain lines in a pipe', async () => {
    const out = path.join(dir, 'tty');
    const command = [process.execPath, ...NODE_ARGS, 'train', 'budget', '--samples', '400', '--output', out, '--config', configDir].map((a) => `'${a}'`).join(' ');
    // util-linux `script` gives the command a real pseudo-terminal.
    const env = { ...CHILD_ENV, CI: 'false', TERM: 'xterm' };
    delete (env as Record<string, string | undefined>).NO_COLOR;
    const proc = spawn('script', ['-qec', command, '/dev/null'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    expect(code).toBe(0);
    // cli-progress redraws with carriage returns / cursor moves, and draws the bar characters.
    expect(text).toMatch(/\r|\u001b\[\d*G/);
    expect(text).toContain('\u2588');
    expect(text).toMatch(/30\/30/);
    expect(text).not.toMatch(/training iteration \d+\/30/);
  });
});
