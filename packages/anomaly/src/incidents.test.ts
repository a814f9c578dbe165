import { expectKdapError } from '@kdap/test-support';
import type { AnomalyResult } from './anomaly-model';
import { incidents } from './incidents';

function point(date: string, flagged: boolean, deviation: number, severity = 50, series = 'a'): AnomalyResult {
  return {
    entity: { channel_id: series },
    date,
    value: 100 + deviation,
    is_anomaly: flagged,
    anomaly_score: 0.99,
    anomaly_type: !flagged ? 'none' : deviation > 0 ? 'spike' : 'drop',
    expected_value: 100,
    deviation,
    confidence: 0.8,
    severity,
    direction: deviation > 0 ? 'up' : deviation < 0 ? 'down' : 'flat',
    delta_pct: deviation,
  };
}

describe('incidents', () => {
  const results = [
    point('2024-01-01', true, 50, 40),
    point('2024-01-02', true, 80, 90),
    point('2024-01-03', false, 1),
    point('2024-01-05', true, -30),
    point('2024-01-06', true, 5, 10),
    point('2024-01-02', true, 40, 60, 'b'),
  ];

  it('groups consecutive flagged days of a series, with the most severe point as the peak', () => {
    const found = incidents(results);
    expect(found.map((i) => [i.entity.channel_id, i.start, i.end, i.days, i.max_severity])).toEqual([
      ['a', '2024-01-01', '2024-01-02', 2, 90],
      ['b', '2024-01-02', '2024-01-02', 1, 60],
      ['a', '2024-01-05', '2024-01-06', 2, 50],
    ]);
    expect(found[0]!.peak.date).toBe('2024-01-02');
  });

  it('applies minimum delta, direction, minimum duration and suppression', () => {
    expect(incidents(results, { minDeltaPct: 20 }).map((i) => i.days)).toEqual([2, 1, 1]);
    expect(incidents(results, { direction: 'down' }).map((i) => i.start)).toEqual(['2024-01-05']);
    expect(incidents(results, { minDuration: 2 }).map((i) => i.entity.channel_id)).toEqual(['a', 'a']);
    // 01-05 falls within 3 days of the end of the 01-01..02 incident; 01-06 does not.
    expect(incidents(results, { suppressDays: 3 }).map((i) => i.start)).toEqual(['2024-01-01', '2024-01-02', '2024-01-06']);
    expect(incidents(results, { suppressDays: 4 }).map((i) => i.start)).toEqual(['2024-01-01', '2024-01-02']);
    expectKdapError(() => incidents(results, { direction: 'sideways' as never }), 'ERR_KDAP_PARAMETER', /'direction' option of incidents must be one of/);
  });
});
