/**
 * Scoring server under load (issue 22): single-record POST /score against `kdap serve` and
 * against the Python reference served the way Azure ML's Python images serve it
 * (azureml-inference-server-http, `azmlinfsrv`, WORKER_COUNT=1, in .venv-azureml, with
 * benchmarks/python/score_<model>.py scoring the same bundle through lightgbm / xgboost /
 * scikit-learn), for each model, in the same run. Each server is pinned to core 0 and the load
 * generator to core 1 with taskset; both servers log as they do by default, to /dev/null.
 * Per model: both servers start once; every request body is scored once by each (all must be
 * 200) and one answer of each is compared; each gets a 2 s warm-up; then per repeat, sides
 * alternating: (a) closed loop, maximum throughput: autocannon (benchmarks/serve-load.child.ts)
 * with --connections connections for --seconds; (b) fixed rate: loadtest's open loop
 * (benchmarks/serve-load-rate.child.mjs) at --rate requests/s (budget: --budget-rate, one both
 * servers sustain) for --seconds, latency p50/p99 of
 * the 2xx answers (hrtime, request creation to response end), the rate achieved, and the p99 of
 * how late the generator itself sent its requests against its schedule (a tail that is the
 * generator's, not the server's); not run for a side whose closed loop stayed below the
 * rate in that repeat (it could only build a backlog that spills into the next run). Tables give
 * medians [min-max] over the repeats. Last, the generator's floor: the same fixed-rate runs
 * against a minimal Node http server on the server core.
 * Goals: throughput ratio >= 5 and p99 <= 5 ms at 1,000 req/s for propensity and anomaly; budget
 * ratio >= 2 (p99 reported).
 *
 *   flock /tmp/kdap-bench.lock npm run bench -- serve-load [--models budget,propensity,anomaly]
 *     [--reps 3] [--seconds 5] [--rate 1000] [--budget-rate 50] [--connections 8]
 *
 * Needs .venv-azureml (bash scripts/python-azureml.sh; setup.sh runs it) and `taskset`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AnomalyDetectorTrainer } from '@kdap/anomaly';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { budgetOptimizerDefaults } from '@kdap/core';
import { SeededRandom, syntheticCustomers, syntheticMarketingSpend, syntheticMetricSeries } from '@kdap/preprocessing';
import { PropensityTrainer } from '@kdap/propensity';
import { repoRoot } from '@kdap/test-support';
import { arg, median } from './report';

type ModelKind = 'budget' | 'propensity' | 'anomaly';
type Side = 'ts' | 'py';

interface LoadResult {
  requests: number;
  rps: number;
  /** Latencies in ms; null (NaN in JSON) when no request of the run was answered with a 2xx. */
  p50: number | null;
  p99: number | null;
  max: number | null;
  errors: number;
  non2xx: number;
  /** Fixed-rate runs only: how late the generator sent its requests against its schedule, ms (p99, max). */
  lateP99?: number | null;
  lateMax?: number | null;
}

interface Server {
  url: string;
  process: ChildProcess;
}

const SERVER_CORE = '0';
const LOADGEN_CORE = '1';
const BODIES = 200;

/** A free loopback port (the kernel's pick, released for the server to take). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, text: await response.text() };
}

/** Starts a server pinned to the server core and waits until it scores `probe` with a 200. */
async function startServer(command: string[], env: NodeJS.ProcessEnv, url: string, probe: string, label: string): Promise<Server> {
  const child = spawn('taskset', ['-c', SERVER_CORE, ...command], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve-load: the ${label} server exited with code ${child.exitCode} before it was ready:\n${stderr}`);
    try {
      const r = await post(url, probe);
      if (r.status === 200) return { url, process: child };
      if (r.status !== 503 && r.status !== 502) throw new Error(`serve-load: the ${label} server answered the first record with ${r.status}: ${r.text.slice(0, 500)}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('serve-load:')) {
        child.kill('SIGKILL');
        throw error;
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve-load: the ${label} server was not ready after 180 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode !== null) return;
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGTERM');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * One load run from the load-generator core (a child process: the parent stays idle): closed
 * loop with autocannon, or, given a rate, loadtest's open loop at that many requests per second.
 */
function load(url: string, bodiesFile: string, seconds: number, options: { connections: number } | { rate: number }): LoadResult {
  const spec = JSON.stringify({ url, bodiesFile, seconds, ...options });
  const child = 'rate' in options ? [path.join(__dirname, 'serve-load-rate.child.mjs')] : ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'serve-load.child.ts')];
  const out = execFileSync('taskset', ['-c', LOADGEN_CORE, process.execPath, ...child, spec], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult;
}

/**
 * The fixed-rate runs' floor: the same open loop against a minimal Node http server on the server
 * core that parses the body and answers a fixed anomaly-sized JSON record. What it measures is
 * the generator, loopback and Node's http alone: a server's p99 near it is the generator's tail.
 */
async function generatorFloor(dir: string, bodies: string[], seconds: number, rate: number, reps: number): Promise<LoadResult[]> {
  const port = await freePort();
  const answer = JSON.stringify([{ entity: { channel_id: 'search', metric: 'revenue' }, date: '2023-12-31', value: 48005.33, is_anomaly: true, anomaly_score: 0.989, anomaly_type: 'spike', expected_value: 21979.1, deviation: 26026.23, confidence: 0.25, severity: 100, direction: 'up', delta_pct: 118.41 }]);
  const script = `const body = Buffer.from(${JSON.stringify(answer)});
require('node:http').createServer((req, res) => { const chunks = []; req.on('data', (c) => chunks.push(c)); req.on('end', () => { JSON.parse(Buffer.concat(chunks).toString()); res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); }); }).listen(${port}, '127.0.0.1');`;
  const url = `http://127.0.0.1:${port}/score`;
  const server = await startServer([process.execPath, '-e', script], process.env, url, bodies[0]!, 'minimal (floor)');
  try {
    const bodiesFile = path.join(dir, 'floor-bodies.json');
    fs.writeFileSync(bodiesFile, JSON.stringify(bodies));
    load(url, bodiesFile, 2, { connections: 8 }); // warm-up
    return Array.from({ length: reps }, () => load(url, bodiesFile, seconds, { rate }));
  } finally {
    await stopServer(server);
  }
}

/** Trains the model on synthetic data, saves its bundle, and returns single-record request bodies. */
async function prepare(kind: ModelKind, dir: string): Promise<{ bundle: string; bodies: string[] }> {
  const bundle = path.join(dir, kind);
  const random = new SeededRandom(5);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random.uniform() * items.length)]!;
  let records: Record<string, unknown>[];
  if (kind === 'budget') {
    const { table } = syntheticMarketingSpend({ rows: 20_000, seed: 3 });
    const cut = Math.floor((20_000 * 0.8) / 6) * 6;
    const trainer = new BudgetOptimizerTrainer({ config: budgetOptimizerDefaults, overrides: { training: { n_jobs: 1 } } });
    await trainer.fit(table.slice(0, cut), { validation: table.slice(cut) });
    await trainer.save(bundle);
    trainer.model.dispose();
    const rows = table.slice(cut).toRecords();
    records = Array.from({ length: BODIES }, () => {
      const r = pick(rows);
      return { ...r, current_spend: Number(r.current_spend) * (0.3 + 2.7 * random.uniform()) };
    });
  } else if (kind === 'propensity') {
    const trainer = new PropensityTrainer();
    await trainer.fit(syntheticCustomers({ samples: 20_000, seed: 7 }).table);
    await trainer.save(bundle);
    trainer.dispose();
    records = syntheticCustomers({ samples: BODIES, seed: 8 }).table.toRecords();
  } else {
    const series = syntheticMetricSeries({ days: 365, seed: 11 }).table;
    const trainer = new AnomalyDetectorTrainer();
    await trainer.fit(series);
    await trainer.save(bundle);
    trainer.dispose();
    // The day after each series' history, at its last level times 0.4-2.5 (normal days and anomalies).
    const last = new Map<string, Record<string, unknown>>();
    for (const r of series.toRecords()) last.set(`${String(r.channel_id)}|${String(r.metric)}`, r);
    const ends = [...last.values()];
    records = Array.from({ length: BODIES }, () => {
      const r = pick(ends);
      // toRecords gives dates as Date objects: add the day in epoch ms (Date + number would concatenate strings).
      const day = new Date((r.date as Date).getTime() + 86_400_000).toISOString().slice(0, 10);
      return { date: day, channel_id: r.channel_id, metric: r.metric, value: (r.value as number) * (0.4 + 2.1 * random.uniform()) };
    });
  }
  return { bundle, bodies: records.map((record) => JSON.stringify({ data: [record] })) };
}

/**
 * The two servers' answers to one record, checked where both compute the same thing: the
 * propensity score (same booster, same isotonic knots) and the anomaly baseline (same rule, same
 * history) must agree; the budget optimum comes from two curve fitters, so it is reported.
 */
function compare(kind: ModelKind, ts: Record<string, number>, py: Record<string, number>): string {
  const close = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a));
  if (kind === 'propensity') {
    if (!close(ts.propensity_score!, py.propensity_score!, 1e-6)) throw new Error(`serve-load: propensity_score differs: TypeScript ${ts.propensity_score}, Python ${py.propensity_score}.`);
    return `propensity_score ${ts.propensity_score!.toFixed(6)} on both sides`;
  }
  if (kind === 'anomaly') {
    if (!close(ts.expected_value!, py.expected_value!, 1e-9)) throw new Error(`serve-load: anomaly expected_value differs: TypeScript ${ts.expected_value}, Python ${py.expected_value}.`);
    return `expected_value ${ts.expected_value!.toFixed(2)} on both sides, anomaly_score TypeScript ${ts.anomaly_score!.toFixed(3)}, Python ${py.anomaly_score!.toFixed(3)}`;
  }
  return `optimal_spend TypeScript ${ts.optimal_spend!.toFixed(0)}, Python ${py.optimal_spend!.toFixed(0)}; expected_return ${ts.expected_return!.toFixed(0)} vs ${py.expected_return!.toFixed(0)}`;
}

/** Median [min-max] of the runs that measured something (a run with no 2xx answer has no latency). */
function summary(values: (number | null)[], digits: number): string {
  const measured = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (measured.length === 0) return 'none answered';
  const missing = values.length - measured.length;
  return `${median(measured).toFixed(digits)} [${Math.min(...measured).toFixed(digits)}-${Math.max(...measured).toFixed(digits)}]${missing > 0 ? ` (${missing} runs without 2xx)` : ''}`;
}

export async function serveLoadBench(argv: string[]): Promise<string> {
  const kinds = arg(argv, '--models', 'budget,propensity,anomaly').split(',') as ModelKind[];
  const reps = Number(arg(argv, '--reps', '3'));
  const seconds = Number(arg(argv, '--seconds', '5'));
  const rate = Number(arg(argv, '--rate', '1000'));
  // Budget's per-record cost (a spend-grid trace and a curve fit) keeps both servers below 1,000
  // req/s, so its latency is measured at a rate both sustain (Python's closed loop: ~100 req/s).
  const budgetRate = Number(arg(argv, '--budget-rate', '50'));
  const connections = Number(arg(argv, '--connections', '8'));
  for (const kind of kinds) {
    if (!['budget', 'propensity', 'anomaly'].includes(kind)) throw new Error(`serve-load: unknown model '${kind}' in --models (budget, propensity, anomaly).`);
  }
  if (os.availableParallelism() < 2) throw new Error('serve-load: needs 2 cores (server and load generator pinned to one each).');
  const root = repoRoot();
  const azmlinfsrv = path.join(root, '.venv-azureml', 'bin', 'azmlinfsrv');
  if (!fs.existsSync(azmlinfsrv)) throw new Error(`serve-load: ${azmlinfsrv} is missing. Run \`bash scripts/python-azureml.sh\` from the repository root (scripts/setup.sh does).`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-load-'));
  const rows: string[] = [];
  const notes: string[] = [];
  let lastBodies: string[] = [];
  try {
    for (const kind of kinds) {
      const kindRate = kind === 'budget' ? budgetRate : rate;
      const { bundle, bodies } = await prepare(kind, dir);
      lastBodies = bodies;
      const bodiesFile = path.join(dir, `${kind}-bodies.json`);
      fs.writeFileSync(bodiesFile, JSON.stringify(bodies));
      const [tsPort, pyPort, pyHealthPort] = [await freePort(), await freePort(), await freePort()];
      const servers: Record<Side, Server | undefined> = { ts: undefined, py: undefined };
      try {
        servers.ts = await startServer(
          [process.execPath, '--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', path.join(root, 'packages/cli/src/bin.ts'), 'serve', '--model', bundle, '--port', String(tsPort)],
          process.env,
          `http://127.0.0.1:${tsPort}/score`,
          bodies[0]!,
          'TypeScript',
        );
        const python = path.join(root, 'benchmarks', 'python');
        servers.py = await startServer(
          [azmlinfsrv, '--entry_script', path.join(python, `score_${kind}.py`), '--model_dir', bundle, '--port', String(pyPort), '--health_port', String(pyHealthPort), '--worker_count', '1'],
          { ...process.env, WORKER_COUNT: '1', PYTHONPATH: python, OMP_NUM_THREADS: '1' },
          `http://127.0.0.1:${pyPort}/score`,
          bodies[0]!,
          'Python (azmlinfsrv)',
        );
        // Every request body is one both servers score (a refused record would measure an error path).
        for (const side of ['ts', 'py'] as const) {
          for (const [i, body] of bodies.entries()) {
            const r = await post(servers[side]!.url, body);
            if (r.status !== 200) throw new Error(`serve-load: the ${side === 'ts' ? 'TypeScript' : 'Python'} ${kind} server answered request body ${i} with ${r.status}: ${r.text.slice(0, 500)}`);
          }
        }
        const answer = async (side: Side) => (JSON.parse((await post(servers[side]!.url, bodies[1]!)).text) as Record<string, number>[])[0]!;
        notes.push(`- ${kind}: ${compare(kind, await answer('ts'), await answer('py'))}.`);

        for (const side of ['ts', 'py'] as const) load(servers[side]!.url, bodiesFile, 2, { connections }); // warm-up
        const results: Record<Side, { closed: LoadResult[]; rated: LoadResult[] }> = { ts: { closed: [], rated: [] }, py: { closed: [], rated: [] } };
        for (let rep = 0; rep < reps; rep++) {
          for (const side of rep % 2 === 0 ? (['ts', 'py'] as const) : (['py', 'ts'] as const)) {
            const closed = load(servers[side]!.url, bodiesFile, seconds, { connections });
            results[side].closed.push(closed);
            // A server that cannot reach the rate even in a closed loop would only build a backlog
            // at it (thousands of queued requests, still draining into the next run): not run.
            if (closed.rps >= kindRate) results[side].rated.push(load(servers[side]!.url, bodiesFile, seconds, { rate: kindRate }));
          }
        }
        const failed = (['ts', 'py'] as const).flatMap((side) =>
          [...results[side].closed, ...results[side].rated].filter((r) => r.errors > 0 || r.non2xx > 0).map((r) => `${side}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests}`),
        );
        if (failed.length > 0) notes.push(`- ${kind}: failed requests: ${failed.join('; ')}.`);
        const throughputGoal = kind === 'budget' ? 2 : 5;
        const first = rows.length;
        for (const side of ['ts', 'py'] as const) {
          const r = results[side];
          const ratios = r.closed.map((x, i) => x.rps / results.py.closed[i]!.rps);
          const ratio = median(r.closed.map((x) => x.rps)) / median(results.py.closed.map((x) => x.rps));
          const skipped = reps - r.rated.length;
          const rated =
            r.rated.length === 0
              ? `below the rate in every repeat (max ${median(r.closed.map((x) => x.rps)).toFixed(0)} req/s): not run | | | `
              : `${summary(r.rated.map((x) => x.rps), 0)}${skipped > 0 ? ` (${skipped} repeats below the rate: not run)` : ''} | ${summary(r.rated.map((x) => x.p50), 2)} | ${summary(r.rated.map((x) => x.p99), 2)} | ${summary(r.rated.map((x) => x.lateP99 ?? null), 2)}`;
          rows.push(
            `| ${kind}${kindRate === rate ? '' : ` (fixed rate ${kindRate.toLocaleString('en')} req/s)`} | ${side === 'ts' ? 'TypeScript (kdap serve)' : 'Python (azmlinfsrv)'} | ${summary(r.closed.map((x) => x.rps), 0)} | ${summary(r.closed.map((x) => x.p50), 2)} | ` +
              `${side === 'ts' ? `${ratio.toFixed(2)} [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]` : ''} | ${rated} | ${side === 'ts' ? `ratio >= ${throughputGoal}${kind === 'budget' ? '' : ', p99 <= 5 ms'}` : ''} |`,
          );
        }
        console.error(rows.slice(first).join('\n')); // each model's rows as soon as they are measured
      } finally {
        for (const server of Object.values(servers)) if (server) await stopServer(server);
      }
    }
    // The generator's own floor at the same rate, with the last model's request bodies.
    const floor = await generatorFloor(dir, lastBodies, seconds, rate, reps);
    notes.push(
      `- generator floor (the same ${rate.toLocaleString('en')} req/s open loop against a minimal Node http server on core ${SERVER_CORE}): ` +
        `p50 ${summary(floor.map((x) => x.p50), 2)} ms, p99 ${summary(floor.map((x) => x.p99), 2)} ms, generator late p99 ${summary(floor.map((x) => x.lateP99 ?? null), 2)} ms.`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [
    `### Scoring server under load: single-record POST /score, server on core ${SERVER_CORE}, autocannon on core ${LOADGEN_CORE} (medians [min-max] of ${reps} alternating repeats of ${seconds} s)`,
    '',
    `| model | server | closed loop (${connections} connections) req/s | closed loop p50 ms | throughput ratio TS/Python | at ${rate.toLocaleString('en')} req/s (budget: ${budgetRate.toLocaleString('en')}): achieved req/s | p50 ms | p99 ms | generator late p99 ms | goal |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'One answer of each server, compared:',
    ...notes,
  ].join('\n');
}
