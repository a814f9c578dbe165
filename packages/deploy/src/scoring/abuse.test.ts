import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { syntheticMarketingSpend } from '@kdap/preprocessing';

const KEY = 'abuse-key-0123456789';
const BODY_LIMIT = 16 * 1024;

// The server runs in a child node started with --expose-gc so its heap is measured after a
// forced collection, apart from this test process's own fetch traffic.
const SERVER = `
const { startScoringServer } = require('@kdap/deploy');
(async () => {
  const server = await startScoringServer({ bundles: [process.env.BUNDLE], port: 0, key: process.env.KEY, bodyLimit: Number(process.env.BODY_LIMIT), logger: false });
  await server.ready;
  process.on('message', async (m) => {
    if (m === 'heap') { for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setImmediate(r)); } process.send({ heap: process.memoryUsage().heapUsed }); }
    if (m === 'close') { await server.close(); process.exit(0); }
  });
  process.send({ url: server.url });
})().catch((e) => { console.error(e); process.exit(1); });
`;

let dir: string;
let child: ChildProcess;
let url: string;

function ask<T>(message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the server process exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    if (message) child.send(message);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kdap-abuse-'));
  const bundle = path.join(dir, 'budget');
  const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 20 } });
  await trainer.fit(syntheticMarketingSpend({ rows: 900, seed: 3 }).table);
  await trainer.save(bundle);
  (trainer as { dispose?: () => void }).dispose?.();
  child = spawn(process.execPath, ['--expose-gc', '--conditions=@kdap/source', '-r', 'ts-node/register', '-e', SERVER], {
    cwd: path.resolve(__dirname, '../../../..'),
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', BUNDLE: bundle, KEY, BODY_LIMIT: String(BODY_LIMIT) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  url = (await ask<{ url: string }>('')).url;
}, 300_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.send('close');
    await new Promise((r) => child.once('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
});

const record = { channel_id: 'search', current_spend: 5000, historical_roi_mean: 2.5 };
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const oversized = JSON.stringify({ data: Array.from({ length: 400 }, () => record) });
const CASES: { name: string; headers: Record<string, string>; body: string; status: number; code: string }[] = [
  { name: 'malformed JSON', headers: auth, body: '{"data": [{"channel_id": ', status: 400, code: 'ERR_KDAP_PARAMETER' },
  { name: 'oversized body', headers: auth, body: oversized, status: 413, code: 'ERR_KDAP_PAYLOAD_TOO_LARGE' },
  { name: 'missing key', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [record] }), status: 401, code: 'ERR_KDAP_UNAUTHORIZED' },
  { name: 'wrong key', headers: { ...auth, authorization: 'Bearer not-the-key' }, body: JSON.stringify({ data: [record] }), status: 401, code: 'ERR_KDAP_UNAUTHORIZED' },
  { name: 'wrong field type', headers: auth, body: JSON.stringify({ data: [{ ...record, current_spend: 'a lot' }] }), status: 400, code: 'ERR_KDAP_PARAMETER' },
  { name: 'category as number', headers: auth, body: JSON.stringify({ data: [{ ...record, channel_id: 42 }] }), status: 400, code: 'ERR_KDAP_PARAMETER' },
];

/** Sends `count` requests cycling through CASES, `concurrency` at a time; returns the mismatches. */
async function burst(count: number, concurrency: number): Promise<string[]> {
  const wrong: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const c = CASES[next++ % CASES.length]!;
      const response = await fetch(`${url}/score`, { method: 'POST', headers: c.headers, body: c.body });
      const text = await response.text();
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      if (response.status !== c.status || code !== c.code || /\n\s+at /.test(text)) wrong.push(`${c.name}: ${response.status} ${text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return wrong;
}

describe('scoring server under abuse (10,000 bad requests on 127.0.0.1)', () => {
  it('answers each with the right 400/413/401, stays up, and keeps its heap', async () => {
    expect(await burst(1200, 32)).toEqual([]); // warm-up: JIT, pools, caches
    const baseline = (await ask<{ heap: number }>('heap')).heap;
    const wrong: string[] = [];
    for (let b = 0; b < 10; b++) wrong.push(...(await burst(1000, 32)));
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(wrong).toHaveLength(0);
    const live = await fetch(`${url}/`);
    expect(live.status).toBe(200);
    expect(await live.text()).toBe('Healthy');
    const good = await fetch(`${url}/score`, { method: 'POST', headers: auth, body: JSON.stringify({ data: [record] }) });
    expect(good.status).toBe(200);
    const after = (await ask<{ heap: number }>('heap')).heap;
    // Retained heap after the storm, relative to the warmed-up baseline.
    expect(Math.abs(after - baseline) / baseline).toBeLessThan(0.1);
  }, 120_000);
});
