/**
 * Anomaly Detector quickstart, step by step: a daily metric per (channel, metric) in a CSV with
 * date, channel_id, metric, value -> train on history -> detect on the newest days -> list
 * incidents with type, expected value, deviation and severity -> save/load the bundle.
 *
 *   node --conditions=@kdap/source -r ts-node/register examples/anomaly-quickstart.ts
 *   npx ts-node examples/anomaly-quickstart.ts        (after npm run build)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnomalyDetector, AnomalyDetectorTrainer, incidents } from '@kdap/anomaly';
import { readTable, syntheticMetricSeries, writeTable } from '@kdap/preprocessing';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anomaly-quickstart-'));
  try {
    // 1. Data: 300 days of 3 channels x 2 metrics with injected spikes, drops and level shifts
    //    (the generator's labels are kept aside to check the detections), written as a plain CSV.
    const generated = syntheticMetricSeries({ days: 300, channels: 3, metrics: ['clicks', 'spend'], seed: 7 });
    const csv = path.join(dir, 'metrics.csv');
    await writeTable(generated.table.select(['date', 'channel_id', 'metric', 'value']), csv);
    const table = await readTable(csv);
    console.log(`read ${table.rowCount} rows:`, table.schema);

    // 2. Train on the first 240 days of every series; the last 60 are "new" days to monitor.
    const day = 86_400_000;
    const dates = table.date('date').values;
    const firstDay = Math.min(...dates);
    const cutoff = firstDay + 240 * day;
    const history = table.filter((i) => dates[i]! < cutoff);
    const recent = table.filter((i) => dates[i]! >= cutoff);
    const trainer = new AnomalyDetectorTrainer({ overrides: { detection: { contamination: 0.02 } } });
    const result = await trainer.fit(history);
    console.log('training metrics (unsupervised):', result.metrics);

    // 3. Detect on the new days: each series continues from its training history.
    const detector = trainer.detector;
    const results = detector.detectTable(recent);
    console.log('one result in the Python shape:', results.find((r) => r.is_anomaly));

    // 4. Incidents: consecutive flagged days grouped, small moves (< 20 %) ignored.
    const found = incidents(results, { minDeltaPct: 20 });
    console.table(
      found.map((i) => ({
        series: `${i.entity.channel_id}/${i.entity.metric}`,
        start: i.start,
        days: i.days,
        type: i.anomaly_type,
        value: i.peak.value.toFixed(1),
        expected: i.peak.expected_value.toFixed(1),
        deviation: i.peak.deviation.toFixed(1),
        severity: i.max_severity,
        confidence: i.peak.confidence.toFixed(2),
      })),
    );
    const injected = generated.anomalies.filter((a) => a.date >= cutoff);
    const hit = injected.filter((a) => found.some((i) => i.entity.channel_id === a.channel && i.entity.metric === a.metric && i.start <= iso(a.date) && iso(a.date) <= i.end));
    console.log(`injected anomalies in the monitored days: ${injected.length}, inside a reported incident: ${hit.length}`);

    // 5. Save the bundle and load it elsewhere: same detections.
    await trainer.save(path.join(dir, 'anomaly_detector'));
    using loaded = await AnomalyDetector.load(path.join(dir, 'anomaly_detector'));
    const again = loaded.detectTable(recent);
    console.log('loaded bundle detects the same:', JSON.stringify(again) === JSON.stringify(results));
    trainer.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

void main();
