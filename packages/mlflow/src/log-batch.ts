/** The log-batch limits MLflow's server enforces (mlflow/utils/validation.py, MLflow 3.x). */
export const LOG_BATCH_LIMITS = Object.freeze({
  metrics: 1000,
  params: 100,
  tags: 100,
  /** Metrics + params + tags in one request. */
  entities: 1000,
  /** Serialized request size, bytes. */
  bytes: 1_000_000,
});

/** Longest key, param value and tag value MLflow stores (characters). */
export const VALUE_LIMITS = Object.freeze({ key: 250, param: 6000, tag: 8000 });

/** A metric as the REST API takes it; NaN and infinities travel as the strings proto3 JSON uses. */
export interface MetricEntry {
  key: string;
  value: number | 'NaN' | 'Infinity' | '-Infinity';
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
  model_id?: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface LogBatchBody {
  run_id: string;
  metrics: MetricEntry[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** proto3 JSON has no NaN/Infinity numbers; MLflow accepts them as strings. */
export function metricValue(value: number): MetricEntry['value'] {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

const ENVELOPE = Buffer.byteLength(JSON.stringify({ run_id: 'x'.repeat(64), metrics: [], params: [], tags: [] }));

/**
 * Splits one logical batch into requests the server accepts: at most 1,000 metrics, 100 params,
 * 100 tags and 1,000 entities per request and under 1 MB serialized. Order is kept within each
 * kind (metric history stays in step order); params and tags go first so a run shows its
 * configuration before its curves.
 */
export function chunkLogBatch(runId: string, batch: { metrics?: readonly MetricEntry[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }, limits = LOG_BATCH_LIMITS): LogBatchBody[] {
  const chunks: LogBatchBody[] = [];
  let current: LogBatchBody = { run_id: runId, metrics: [], params: [], tags: [] };
  let bytes = ENVELOPE;
  const flush = () => {
    if (current.metrics.length + current.params.length + current.tags.length === 0) return;
    chunks.push(current);
    current = { run_id: runId, metrics: [], params: [], tags: [] };
    bytes = ENVELOPE;
  };
  const add = <K extends 'metrics' | 'params' | 'tags'>(kind: K, entry: LogBatchBody[K][number]) => {
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
    const entities = current.metrics.length + current.params.length + current.tags.length;
    if (current[kind].length >= limits[kind] || entities >= limits.entities || bytes + size > limits.bytes) flush();
    (current[kind] as LogBatchBody[K][number][]).push(entry);
    bytes += size;
  };
  for (const p of batch.params ?? []) add('params', p);
  for (const t of batch.tags ?? []) add('tags', t);
  for (const m of batch.metrics ?? []) add('metrics', m);
  flush();
  return chunks;
}
