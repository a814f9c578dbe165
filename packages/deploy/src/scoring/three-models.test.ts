import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AnomalyDetectorTrainer } from '@kdap/anomaly';
import { BudgetOptimizerTrainer } from '@kdap/budget';
import { syntheticCustomers, syntheticMarketingSpend, syntheticMetricSeries } from '@kdap/preprocessing';
import { PropensityTrainer } from '@kdap/propensity';
import { expectKdapError } from '@kdap/test-support';
import { loadModel, startScoringServer, type ScoringServer } from '../index';

/** The bundles are signed: the server below only serves bundles signed with this key. */
const SIGNING_KEY = 'three-models-key-0123456789abcdef';

let dir: string;
let server: ScoringServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kdap-serve3-'));
  const budget = new BudgetOptimizerTrainer({ params: { n_estimators: 20 } });
  await budget.fit(syntheticMarketingSpend({ rows: 900, seed: 3 }).table);
  await budget.save(path.join(dir, 'budget'), { signingKey: SIGNING_KEY });
  await budget.save(path.join(dir, 'budget-unsigned'));
  (budget as { dispose?: () => void }).dispose?.();
  const propensity = new PropensityTrainer({ params: { n_estimators: 40 } });
  await propensity.fit(syntheticCustomers({ samples: 3000, seed: 7 }).table);
  await propensity.save(path.join(dir, 'propensity'), { signingKey: SIGNING_KEY });
  propensity.dispose();
  const anomaly = new AnomalyDetectorTrainer();
  const series = syntheticMetricSeries({ days: 120, seed: 11 }).table;
  const history = series.toRecords().filter((x) => x.channel_id === 'display' && x.metric === 'clicks');
  // A new day just after the training history, at that series' last level.
  metric = { ...metric, date: new Date((history.at(-1)!.date as number) + 86_400_000).toISOString().slice(0, 10), value: history.at(-1)!.value as number };
  spend = { ...metric, metric: 'spend', value: series.toRecords().filter((x) => x.channel_id === 'display' && x.metric === 'spend').at(-1)!.value as number };
  await anomaly.fit(series);
  await anomaly.save(path.join(dir, 'anomaly'), { signingKey: SIGNING_KEY });
  anomaly.dispose();
  server = await startScoringServer({ bundles: ['budget', 'propensity', 'anomaly'].map((b) => path.join(dir, b)), port: 0, logger: false, signingKey: SIGNING_KEY });
  await server.ready;
}, 300_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(route: string, body: unknown) {
  const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  expect(text).not.toMatch(/\n\s+at /);
  return { status: response.status, body: JSON.parse(text) as unknown };
}

const customer = { customer_id: 'CUST_001', recency: 5, frequency: 12, monetary: 250, engagement_score: 80, tenure_days: 700, email_open_rate: 0.5, email_click_rate: 0.2, preferred_channel: 'web' };
let spend: typeof metric;
let metric = { date: '2024-05-01', channel_id: 'display', metric: 'clicks', value: 1200 };

describe('one server, three model kinds (real HTTP on loopback)', () => {
  it('scores propensity records in the Python output shape', async () => {
    const r = await post('/score/propensity', { data: [customer, { ...customer, customer_id: 'CUST_002', recency: 300, frequency: 0 }] });
    expect(r.status).toBe(200);
    const results = r.body as Record<string, unknown>[];
    expect(results).toHaveLength(2);
    expect(results.map((x) => x.customer_id)).toEqual(['CUST_001', 'CUST_002']);
    for (const x of results) {
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['customer_id', 'propensity_score', 'confidence', 'percentile_rank', 'segment_assignment']));
      expect(x.propensity_score).toBeGreaterThanOrEqual(0);
      expect(x.propensity_score).toBeLessThanOrEqual(1);
      expect(typeof x.segment_assignment).toBe('string');
    }
    expect(results[0]!.propensity_score).not.toBe(results[1]!.propensity_score);
  });

  it('scores anomaly records (an array in, an array out) in the Python output shape', async () => {
    const r = await post('/score/anomaly', { data: [metric, spend] });
    expect(r.body).not.toHaveProperty('error');
    expect(r.status).toBe(200);
    const results = r.body as Record<string, unknown>[];
    expect(results).toHaveLength(2);
    for (const x of results) {
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['is_anomaly', 'anomaly_score', 'anomaly_type', 'expected_value', 'deviation', 'confidence']));
      expect(typeof x.is_anomaly).toBe('boolean');
      expect(Number.isFinite(x.expected_value)).toBe(true);
    }
    expect(results[0]).toMatchObject({ is_anomaly: false, anomaly_type: 'none' });
    const spike = await post('/score/anomaly', { data: [{ ...metric, value: metric.value * 5 }] });
    expect((spike.body as Record<string, unknown>[])[0]).toMatchObject({ is_anomaly: true, anomaly_type: 'spike' });
    expect((spike.body as { deviation: number }[])[0]!.deviation).toBeGreaterThan(results[0]!.deviation as number);
  });

  it('still scores budget records beside them', async () => {
    const r = await post('/score/budget', { data: [{ channel_id: 'search', current_spend: 5000, historical_roi_mean: 2.5 }] });
    expect(r.status).toBe(200);
    expect((r.body as { optimal_spend: number }[])[0]!.optimal_spend).toEqual(expect.any(Number));
  });

  it.each([
    ['propensity', { data: [{ ...customer, recency: 'recent' }] }, 'ERR_KDAP_PARAMETER', 'data[0].recency'],
    ['propensity', { data: [customer, { ...customer, preferred_channel: 3 }] }, 'ERR_KDAP_PARAMETER', 'data[1].preferred_channel'],
    ['anomaly', { data: [{ ...metric, value: '1200' }] }, 'ERR_KDAP_PARAMETER', 'data[0].value'],
    ['anomaly', { data: [{ ...metric, date: 'yesterday' }] }, 'ERR_KDAP_PARAMETER', 'data[0].date'],
    ['anomaly', { data: [{ ...metric, channel_id: 5 }] }, 'ERR_KDAP_PARAMETER', 'data[0].channel_id'],
    ['budget', { data: [{ channel_id: 'search', current_spend: true, historical_roi_mean: 2.5 }] }, 'ERR_KDAP_PARAMETER', 'data[0].current_spend'],
  ])('a wrong field type for %s is a 400 naming the field', async (model, body, code, field) => {
    const r = await post(`/score/${model}`, body);
    expect(r.status).toBe(400);
    expect((r.body as { error: { code: string; field?: string; message: string } }).error).toMatchObject({ code, field, message: expect.stringContaining(field) });
  });

  it('a missing anomaly field is a 400 naming it', async () => {
    const { value: _value, ...noValue } = metric;
    const r = await post('/score/anomaly', { data: [noValue] });
    expect(r.status).toBe(400);
    expect((r.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'ERR_KDAP_SCHEMA', message: expect.stringContaining('data[0].value') });
  });

  it('/swagger.json lists all three models with their request fields', async () => {
    const doc = (await (await fetch(`${server.url}/swagger.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, { type: string }>; required: string[] }> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/score/budget', '/score/propensity', '/score/anomaly']));
    expect(doc.components.schemas.propensity_record!.properties.recency!.type).toBe('number');
    expect(doc.components.schemas.propensity_record!.properties.preferred_channel!.type).toBe('string');
    expect(doc.components.schemas.anomaly_record!.properties.date!.type).toBe('string');
    expect(doc.components.schemas.anomaly_record!.properties.value!.type).toBe('number');
    expect(doc.components.schemas.anomaly_record!.required).toEqual(expect.arrayContaining(['date', 'value', 'channel_id', 'metric']));
  });

  it('loads signed bundles as verified with the key, unverified without, and refuses unsigned or other-key bundles', async () => {
    for (const kind of ['budget', 'propensity', 'anomaly']) {
      const verified = await loadModel(path.join(dir, kind), kind, { signingKey: SIGNING_KEY });
      expect(verified.signature).toBe('verified');
      verified.dispose();
      const unverified = await loadModel(path.join(dir, kind), kind, { signingKey: undefined });
      expect(unverified.signature).toBe('unverified');
      unverified.dispose();
      await expectKdapError(() => loadModel(path.join(dir, kind), kind, { signingKey: `other-${SIGNING_KEY}` }), 'ERR_KDAP_BUNDLE', 'has a signature that does not match the bundle key');
    }
    await expectKdapError(() => loadModel(path.join(dir, 'budget-unsigned'), 'budget', { signingKey: SIGNING_KEY }), 'ERR_KDAP_BUNDLE', 'manifest.json is not signed');

    const refusing = await startScoringServer({ bundles: [path.join(dir, 'budget-unsigned')], port: 0, logger: false, signingKey: SIGNING_KEY });
    try {
      await expect(refusing.ready).rejects.toThrow(/is not signed/);
      const ready = await fetch(`${refusing.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(/model loading failed: .*manifest\.json is not signed/);
    } finally {
      await refusing.close();
    }
  });
});
