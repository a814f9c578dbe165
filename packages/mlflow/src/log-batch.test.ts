import { chunkLogBatch, LOG_BATCH_LIMITS, metricValue, type MetricEntry } from './log-batch';

const metric = (i: number): MetricEntry => ({ key: `m${i % 3}`, value: i, timestamp: 1_700_000_000_000, step: i });

describe('chunkLogBatch', () => {
  it('keeps a batch within the limits in one request', () => {
    const chunks = chunkLogBatch('r', { params: [{ key: 'a', value: '1' }], tags: [{ key: 't', value: 'x' }], metrics: [metric(0)] });
    expect(chunks).toEqual([{ run_id: 'r', params: [{ key: 'a', value: '1' }], tags: [{ key: 't', value: 'x' }], metrics: [metric(0)] }]);
  });

  it('splits at 1,000 metrics, 100 params, 100 tags and 1,000 entities per request, keeping order', () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => metric(i));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    const chunks = chunkLogBatch('r', { metrics, params, tags });
    for (const c of chunks) {
      expect(c.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
      expect(c.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
      expect(c.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.tags);
      expect(c.metrics.length + c.params.length + c.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.entities);
      expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(LOG_BATCH_LIMITS.bytes);
    }
    expect(chunks.flatMap((c) => c.metrics)).toEqual(metrics);
    expect(chunks.flatMap((c) => c.params)).toEqual(params);
    expect(chunks.flatMap((c) => c.tags)).toEqual(tags);
    // 250 params -> 3 requests; 101 tags need one more; 2,500 metrics fill the rest 1,000 entities at a time.
    expect(chunks.length).toBe(6);
  });

  it('splits by size before the 1 MB request limit', () => {
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'x'.repeat(6000) }));
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'y'.repeat(8000) }));
    const chunks = chunkLogBatch('r', { params, tags });
    expect(chunks.length).toBe(2);
    for (const c of chunks) expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThanOrEqual(LOG_BATCH_LIMITS.bytes);
    expect(chunks.flatMap((c) => c.tags)).toHaveLength(100);
  });

  it('sends nothing for an empty batch', () => {
    expect(chunkLogBatch('r', {})).toEqual([]);
  });

  it('writes NaN and infinities as the strings proto3 JSON reads', () => {
    expect([NaN, Infinity, -Infinity, 1.5].map(metricValue)).toEqual(['NaN', 'Infinity', '-Infinity', 1.5]);
  });
});
