import { checkKnownOptions, checkNumber, checkOneOf } from '@kdap/errors';
import type { AnomalyResult } from './anomaly-model';

/** Alert hygiene: which flagged points become incidents. */
export interface IncidentOptions {
  /** Ignore points whose |delta_pct| is below this (%); default 0. */
  minDeltaPct?: number;
  /** Only rises, only falls, or both; default 'both'. */
  direction?: 'up' | 'down' | 'both';
  /** Drop incidents shorter than this many flagged days; default 1. */
  minDuration?: number;
  /** After an incident ends, flagged days of the same series within this many days are dropped; default 0. */
  suppressDays?: number;
  /** Flagged days at most this many days apart join one incident; default 1 (consecutive days). */
  maxGapDays?: number;
}

/** Consecutive anomalous days of one series, reported once. */
export interface Incident {
  entity: Record<string, string>;
  /** ISO dates of the first and last flagged day. */
  start: string;
  end: string;
  days: number;
  /** Type of the most severe point. */
  anomaly_type: AnomalyResult['anomaly_type'];
  direction: AnomalyResult['direction'];
  /** The most severe point (highest severity, then anomaly_score). */
  peak: AnomalyResult;
  max_severity: number;
}

const DAY = 86_400_000;

/**
 * Groups flagged results into incidents per series (consecutive days -> one incident), after the
 * alert-hygiene filters; incidents are ordered by start date, then severity.
 */
export function incidents(results: readonly AnomalyResult[], options: IncidentOptions = {}): Incident[] {
  checkKnownOptions('incidents', options, ['minDeltaPct', 'direction', 'minDuration', 'suppressDays', 'maxGapDays']);
  const { minDeltaPct = 0, direction = 'both', minDuration = 1, suppressDays = 0, maxGapDays = 1 } = options;
  checkNumber('incidents', 'minDeltaPct', minDeltaPct, { min: 0 });
  checkOneOf('incidents', 'direction', direction, ['up', 'down', 'both']);
  checkNumber('incidents', 'minDuration', minDuration, { min: 1 });
  checkNumber('incidents', 'suppressDays', suppressDays, { min: 0 });
  checkNumber('incidents', 'maxGapDays', maxGapDays, { min: 1 });
  const bySeries = new Map<string, AnomalyResult[]>();
  for (const r of results) {
    if (!r.is_anomaly) continue;
    if (direction !== 'both' && r.direction !== direction) continue;
    if (r.delta_pct !== null && Math.abs(r.delta_pct) < minDeltaPct) continue;
    const key = JSON.stringify(r.entity);
    const list = bySeries.get(key) ?? [];
    list.push(r);
    bySeries.set(key, list);
  }
  const out: Incident[] = [];
  for (const list of bySeries.values()) {
    list.sort((a, b) => a.date.localeCompare(b.date));
    let current: AnomalyResult[] = [];
    let suppressedUntil = -Infinity;
    const close = () => {
      if (current.length >= minDuration) {
        const peak = current.reduce((best, r) => (r.severity > best.severity || (r.severity === best.severity && r.anomaly_score > best.anomaly_score) ? r : best));
        out.push({
          entity: peak.entity,
          start: current[0]!.date,
          end: current.at(-1)!.date,
          days: current.length,
          anomaly_type: peak.anomaly_type,
          direction: peak.direction,
          peak,
          max_severity: peak.severity,
        });
        suppressedUntil = Date.parse(current.at(-1)!.date) + suppressDays * DAY;
      }
      current = [];
    };
    for (const r of list) {
      const t = Date.parse(r.date);
      const last = current.at(-1);
      if (last !== undefined && t - Date.parse(last.date) > maxGapDays * DAY) close();
      if (current.length === 0 && t <= suppressedUntil) continue;
      current.push(r);
    }
    close();
  }
  return out.sort((a, b) => a.start.localeCompare(b.start) || b.max_severity - a.max_severity);
}
