import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { syntheticMarketingSpend } from '@kdap/preprocessing';
import { createScoringApp, loadModel, startScoringServer, type ScoringServer } from '../index';

const KEY = 'test-key-0123456789';
let dir: string;
let bundle: string;
let server: ScoringServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kdap-serve-'));
  bundle = path.join(dir, 'budget_optimizer');
  const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 20 } });
  await trainer.fit(syntheticMarketingSpend({ rows: 900, seed: 3 }).table);
  await trainer.save(bundle);
  (trainer as { dispose?: () => void }).dispose?.();
  server = await startScoringServer({ bundles: [bundle], port: 0, key: KEY, bodyLimit: 64 * 1024, logger: false });
  await server.ready;
}, 300_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(route: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) {
  const response = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  expect(text).not.toMatch(/\n\s+at /); // never a stack trace
  return { status: response.status, body: JSON.parse(text) as unknown, headers: response.headers };
}

const record = { channel_id: 'search', current_spend: 5000, historical_roi_mean: 2.5 };

describe("a budget model trained on the user's own column names (columns option)", () => {
  it("is served with records in the user's names and in the model's names alike", async () => {
    const mapped = path.join(dir, 'budget_user_names');
    const table = syntheticMarketingSpend({ rows: 900, seed: 3 }).table.rename({ channel_id: 'medium', current_spend: 'cost' });
    const trainer = new BudgetOptimizerTrainer({ params: { n_estimators: 20 }, columns: { channel: 'medium', spend: 'cost' } });
    await trainer.fit(table);
    await trainer.save(mapped);
    (trainer as { dispose?: () => void }).dispose?.();
    const model = await loadModel(mapped);
    try {
      const user = { medium: 'search', cost: 5000, historical_roi_mean: 2.5 };
      expect(() => model.check([user])).not.toThrow();
      expect(() => model.check([record])).not.toThrow();
      expect(model.score([user])).toEqual(model.score([record]));
      expect(() => model.check([{ medium: 'search', historical_roi_mean: 2.5 }])).toThrow(/current_spend/);
    } finally {
      model.dispose();
    }
  }, 300_000);
});

describe('scoring server (real HTTP on loopback)', () => {
  it('is live at once and ready only once its models have loaded', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = await createScoringApp({ models: [gate.then(() => loadModel(bundle, 'slow'))], logger: false });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect((await fetch(`${url}/`)).status).toBe(200);
      const early = await fetch(`${url}/ready`);
      expect(early.status).toBe(503);
      expect(await early.json()).toEqual({ status: 'not ready', reason: 'models are still loading' });
      const score = await fetch(`${url}/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [record] }) });
      expect(score.status).toBe(503);
      release();
      await gate;
      for (let i = 0; i < 100 && (await fetch(`${url}/ready`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers liveness, readiness and an OpenAPI document from the feature schema', async () => {
    const live = await fetch(`${server.url}/`);
    expect(live.status).toBe(200);
    expect(await live.text()).toBe('Healthy');
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', models: ['budget_optimizer'] });
    const doc = (await (await fetch(`${server.url}/swagger.json`)).json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, { type: string; enum?: string[] }>; required: string[] }> } };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/', '/ready', '/score', '/score/budget_optimizer']));
    const schema = doc.components.schemas.budget_optimizer_record!;
    expect(schema.properties.current_spend!.type).toBe('number');
    expect(schema.properties.channel_id!.enum).toContain('search');
    expect(schema.required).toContain('current_spend');
  });

  it('scores {"data": [...]}, Azure\'s {"input_data": [...]} and the split orientation alike', async () => {
    const a = await post('/score', { data: [record] });
    expect(a.status).toBe(200);
    const results = a.body as { channel_id: string; optimal_spend: number }[];
    expect(results).toHaveLength(1);
    expect(results[0]!.channel_id).toBe('search');
    expect(Number.isFinite(results[0]!.optimal_spend)).toBe(true);
    const b = await post('/score/budget_optimizer', { input_data: [record] });
    expect(b.body).toEqual(a.body);
    const c = await post('/score', { input_data: { columns: Object.keys(record), data: [Object.values(record)] } });
    expect(c.body).toEqual(a.body);
    expect(a.headers.get('x-request-id')).toMatch(/\w/);
    const tagged = await post('/score', { data: [record] }, { authorization: `Bearer ${KEY}`, 'x-request-id': 'req-42' });
    expect(tagged.headers.get('x-request-id')).toBe('req-42');
  });

  it.each([
    ['no key', { data: [record] }, {}, 401, 'ERR_KDAP_UNAUTHORIZED', undefined],
    ['wrong key', { data: [record] }, { authorization: 'Bearer nope' }, 401, 'ERR_KDAP_UNAUTHORIZED', undefined],
    ['wrong field type', { data: [{ ...record, current_spend: 'lots' }] }, undefined, 400, 'ERR_KDAP_PARAMETER', 'data[0].current_spend'],
    ['NaN-like field', { data: [record, { ...record, current_spend: null, channel_id: 7 }] }, undefined, 400, 'ERR_KDAP_SCHEMA', 'current_spend'],
    ['category as number', { data: [{ ...record, channel_id: 7 }] }, undefined, 400, 'ERR_KDAP_PARAMETER', 'data[0].channel_id'],
    ['no data field', { records: [record] }, undefined, 400, 'ERR_KDAP_PARAMETER', 'data'],
    ['empty list', { data: [] }, undefined, 400, 'ERR_KDAP_DATA', 'data'],
    ['not an object', { data: [1] }, undefined, 400, 'ERR_KDAP_PARAMETER', 'data[0]'],
    ['malformed JSON', '{"data": [', undefined, 400, 'ERR_KDAP_PARAMETER', 'body'],
    ['oversized body', { data: Array.from({ length: 2000 }, () => record) }, undefined, 413, 'ERR_KDAP_PAYLOAD_TOO_LARGE', undefined],
  ])('%s', async (_name, body, headers, status, code, field) => {
    const r = await post('/score', body, headers ?? { authorization: `Bearer ${KEY}` });
    expect(r.status).toBe(status);
    const error = (r.body as { error: { code: string; message: string; field?: string } }).error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    if (field !== undefined) expect(error.field).toBe(field);
  });

  it('an unknown model is a 404 naming the models it has', async () => {
    const r = await post('/score/propensity', { data: [record] });
    expect(r.status).toBe(404);
    expect((r.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'ERR_KDAP_MODEL_NOT_FOUND', message: expect.stringContaining('budget_optimizer') });
  });

  it('a disposed model answers 503 and readiness says so', async () => {
    const model = await loadModel(bundle, 'temp');
    const app = await createScoringApp({ models: [model], logger: false });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      model.dispose();
      const score = await fetch(`${url}/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [record] }) });
      expect(score.status).toBe(503);
      expect(((await score.json()) as { error: { code: string } }).error.code).toBe('ERR_KDAP_NOT_READY');
      expect((await fetch(`${url}/ready`)).status).toBe(503);
    } finally {
      await app.close();
    }
  });

  it('logs one JSON line per request with its id, status and time, never the key', async () => {
    const model = await loadModel(bundle, 'logged');
    const lines: string[] = [];
    const app = await createScoringApp({ models: [model], key: KEY, logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } });
    try {
      lines.length = 0;
      const ok = await app.inject({ method: 'POST', url: '/score', headers: { authorization: `Bearer ${KEY}`, 'x-request-id': 'req-1' }, payload: { data: [record] } });
      const refused = await app.inject({ method: 'POST', url: '/score', headers: { authorization: 'Bearer wrong-key-0123456789', 'x-request-id': 'req-2' }, payload: { data: [record] } });
      expect([ok.statusCode, refused.statusCode]).toEqual([200, 401]);
      const completed = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'request completed');
      expect(completed).toEqual([
        expect.objectContaining({ reqId: 'req-1', method: 'POST', url: '/score', statusCode: 200, responseTime: expect.any(Number) }),
        expect.objectContaining({ reqId: 'req-2', statusCode: 401 }),
      ]);
      expect(lines.filter((line) => line.includes('"req-1"'))).toHaveLength(1); // no separate "incoming request" line
      expect(lines.join('')).not.toContain(KEY);
      expect(lines.join('')).not.toContain('wrong-key');
    } finally {
      await app.close();
    }
  });
});
