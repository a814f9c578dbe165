import { fromPythonNumbers, maxScaledDifference, runPythonSnippet } from '@kdap/test-support';
import { DataError, ParameterError, SchemaError } from '../errors';
import { Table } from '../table/table';
import { SeededRandom } from '../random/seeded-random';
import { MS_PER_DAY } from '../table/dates';
import { dateColumn, numericColumn } from '../table/column';
import { SeriesFeatureRows, timeSeriesFeatureNames, timeSeriesFeatures } from './time-series-features';

const START = Date.UTC(2023, 10, 20);

/** Two channels x two metrics, ~120 days, with dropped days (gaps), missing values and shuffled row order. */
function randomSeries(seed: number): Table {
  const random = new SeededRandom(seed);
  const records: { channel_id: string; metric: string; date: Date; value: number | null }[] = [];
  for (const channel of ['search', 'social']) {
    for (const metric of ['spend', 'clicks']) {
      let level = random.between(50, 500);
      for (let day = 0; day < 120; day += 1) {
        level *= 1 + random.normal(0, 0.05);
        if (random.uniform() < 0.08) continue;
        const value = random.uniform() < 0.05 ? null : random.uniform() < 0.02 ? 0 : level * (1 + 0.2 * Math.sin((2 * Math.PI * day) / 7));
        records.push({ channel_id: channel, metric, date: new Date(START + day * MS_PER_DAY), value });
      }
    }
  }
  const order = random.permutation(records.length);
  return Table.fromRecords(Array.from(order, (i) => records[i] as (typeof records)[number]));
}

describe('timeSeriesFeatures', () => {
  it('agrees with a pandas implementation of the same definitions (1e-12)', () => {
    const table = randomSeries(3);
    const options = { entity: ['channel_id', 'metric'], date: 'date', value: 'value' };
    const features = timeSeriesFeatures(table, options);
    const names = timeSeriesFeatureNames(options);
    const records = table.toRecords();
    const expected = runPythonSnippet<Record<string, (number | null)[]>>(
      `
df = pd.DataFrame({
    'channel_id': INPUT['channel_id'], 'metric': INPUT['metric'],
    'date': pd.to_datetime(INPUT['date'], unit='ms'), 'value': nan_array(INPUT['value']),
    'row': np.arange(len(INPUT['value'])),
})
parts = []
for _, g in df.groupby(['channel_id', 'metric']):
    g = g.sort_values('date')
    s = g.set_index('date')['value'].asfreq('D')
    past = s.shift(1)
    f = pd.DataFrame(index=s.index)
    for k in [1, 7, 14, 28]:
        f[f'value_lag_{k}'] = s.shift(k)
    for w in [7, 14, 28]:
        roll = past.rolling(w, min_periods=int(np.ceil(w / 2)))
        m, sd = roll.mean(), roll.std()
        f[f'value_rolling_mean_{w}'] = m
        f[f'value_rolling_std_{w}'] = sd
        f[f'value_zscore_{w}'] = ((s - m) / sd).replace([np.inf, -np.inf], np.nan)
    for k in [1, 7]:
        f[f'value_pct_change_{k}'] = (s / s.shift(k) - 1).replace([np.inf, -np.inf], np.nan)
    f['day_of_week'] = f.index.dayofweek
    f['month'] = f.index.month
    f['day_of_year'] = f.index.dayofyear
    f['season_sin'] = np.sin(2 * np.pi * f.index.dayofyear / 365.25)
    f['season_cos'] = np.cos(2 * np.pi * f.index.dayofyear / 365.25)
    parts.append(g.set_index('date')[['row']].join(f))
out = pd.concat(parts).sort_values('row')
emit({c: out[c].astype(float) for c in INPUT['names']})
`,
      {
        channel_id: records.map((r) => r.channel_id),
        metric: records.map((r) => r.metric),
        date: records.map((r) => (r.date as Date).getTime()),
        value: records.map((r) => r.value),
        names,
      },
    );
    let worst = 0;
    for (const name of names) {
      const difference = maxScaledDifference(features.numeric(name).values, fromPythonNumbers(expected[name] as (number | null)[]));
      if (difference > 1e-12) throw new Error(`${name} differs from pandas by ${difference}`);
      worst = Math.max(worst, difference);
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('uses only past values: changing today and later leaves earlier rows and past-only features unchanged', () => {
    const table = randomSeries(4);
    const records = table.toRecords();
    const options = { entity: ['channel_id', 'metric'], date: 'date', value: 'value' };
    const before = timeSeriesFeatures(table, options).toRecords();
    const cut = START + 60 * MS_PER_DAY;
    const changed = Table.fromRecords(
      records.map((r) => ((r.date as Date).getTime() >= cut && typeof r.value === 'number' ? { ...r, value: r.value * 3 + 1000 } : r)),
    );
    const after = timeSeriesFeatures(changed, options).toRecords();
    const pastOnly = timeSeriesFeatureNames(options).filter((name) => !/zscore|pct_change/.test(name));
    let comparedToday = 0;
    records.forEach((r, row) => {
      const time = (r.date as Date).getTime();
      if (time < cut) {
        expect(after[row]).toEqual(before[row]);
      } else if (time === cut) {
        for (const name of pastOnly) expect(after[row]?.[name]).toEqual(before[row]?.[name]);
        comparedToday += 1;
      }
    });
    expect(comparedToday).toBeGreaterThan(0);
  });

  it('treats missing calendar days as gaps, not as the previous observation', () => {
    const day = (d: number) => new Date(START + d * MS_PER_DAY);
    const table = Table.fromRecords([
      { date: day(0), value: 10 },
      { date: day(1), value: 20 },
      { date: day(3), value: 40 },
      { date: day(8), value: 80 },
    ]);
    const features = timeSeriesFeatures(table, { date: 'date', value: 'value', lags: [1, 2, 7], windows: [2], pctChangePeriods: [2], minPeriods: () => 1 });
    expect(Array.from(features.numeric('value_lag_1').values)).toEqual([NaN, 10, NaN, NaN]);
    expect(Array.from(features.numeric('value_lag_2').values)).toEqual([NaN, NaN, 20, NaN]);
    expect(Array.from(features.numeric('value_lag_7').values)).toEqual([NaN, NaN, NaN, 20]);
    // Day 3's two-day window is days 1-2: only day 1 (20) was observed.
    expect(Array.from(features.numeric('value_rolling_mean_2').values)).toEqual([NaN, 10, 20, NaN]);
    expect(Array.from(features.numeric('value_pct_change_2').values)).toEqual([NaN, NaN, 1, NaN]);
    // 2023-11-20 was a Monday, day 324 of the year.
    expect(features.numeric('day_of_week').values[0]).toBe(0);
    expect(features.numeric('month').values[0]).toBe(11);
    expect(features.numeric('day_of_year').values[0]).toBe(324);
    expect(features.numeric('season_sin').values[0]).toBeCloseTo(Math.sin((2 * Math.PI * 324) / 365.25), 15);
  });

  it('refuses duplicate days, missing dates, wrong kinds and bad options', () => {
    const day = new Date(START);
    const duplicated = Table.fromRecords([
      { channel_id: 'a', date: day, value: 1 },
      { channel_id: 'a', date: day, value: 2 },
    ]);
    const act = () => timeSeriesFeatures(duplicated, { entity: 'channel_id', date: 'date', value: 'value' });
    expect(act).toThrow(DataError);
    expect(act).toThrow('Two rows of the same series fall on 2023-11-20 (row 1 and an earlier one). Aggregate to one row per (channel_id, day) first.');
    const undated = Table.fromRecords([{ date: null, value: 1 }], { columns: { date: 'date' } });
    expect(() => timeSeriesFeatures(undated, { date: 'date', value: 'value' })).toThrow(
      "Row 0 has no 'date'. Every observation of a time series needs a date; drop or fill such rows first.",
    );
    expect(() => timeSeriesFeatures(duplicated, { date: 'value', value: 'value' })).toThrow(SchemaError);
    const withMonth = Table.fromRecords([{ date: day, value: 1, month: 'Nov' }]);
    expect(() => timeSeriesFeatures(withMonth, { date: 'date', value: 'value' })).toThrow(
      "timeSeriesFeatures would overwrite the table's column 'month'. Rename or drop that column first.",
    );
    expect(() => timeSeriesFeatures(duplicated, { date: 'date', value: 'value', lags: [0] })).toThrow(ParameterError);
    expect(() => timeSeriesFeatures(duplicated, { date: 'date', value: 'value', lags: [0] })).toThrow(
      "The 'lags' option of timeSeriesFeatures must be an array of integers >= 1 (days). Got [0].",
    );
  });
});

describe('SeriesFeatureRows (the scoring path: features of the last rows of one series only)', () => {
  /** One series as ascending epoch days and values, with gaps, missing values (NaN) and zeros. */
  function randomSeriesDays(random: SeededRandom, length: number): { days: Float64Array; values: Float64Array } {
    const days: number[] = [];
    const values: number[] = [];
    let day = Math.floor(START / MS_PER_DAY) + random.integer(400);
    let level = random.between(5, 5000);
    while (days.length < length) {
      level *= 1 + random.normal(0, 0.1);
      days.push(day);
      values.push(random.uniform() < 0.06 ? NaN : random.uniform() < 0.04 ? 0 : level);
      // Mostly consecutive days; sometimes a gap of a few days, now and then one longer than every window.
      day += random.uniform() < 0.8 ? 1 : random.uniform() < 0.85 ? 2 + random.integer(5) : 29 + random.integer(20);
    }
    return { days: Float64Array.from(days), values: Float64Array.from(values) };
  }

  const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

  it.each([
    ['the defaults', {}],
    ['other lags, windows and periods', { lags: [2, 3, 30], windows: [2, 5, 40], pctChangePeriods: [3, 14], minPeriods: (w: number) => w - 1 }],
  ])('gives bit-identical numbers to timeSeriesFeatures on random series with %s, wherever the scored rows start', (_, settings) => {
    const random = new SeededRandom(17);
    const rows = new SeriesFeatureRows({ value: 'value', ...settings });
    let compared = 0;
    for (let trial = 0; trial < 60; trial += 1) {
      const { days, values } = randomSeriesDays(random, 1 + random.integer(90));
      const table = new Table({ date: dateColumn(Float64Array.from(days, (d) => d * MS_PER_DAY)), value: numericColumn(values) });
      const full = timeSeriesFeatures(table, { date: 'date', value: 'value', ...settings });
      expect(rows.names).toEqual(timeSeriesFeatureNames({ date: 'date', value: 'value', ...settings }));
      // Scored rows from the series start, the end, the middle and just past a long gap.
      for (const from of new Set([0, days.length - 1, days.length, random.integer(days.length), days.findIndex((d, i) => i > 0 && d - days[i - 1]! > 28)])) {
        if (from < 0) continue;
        const fast = rows.compute(days, values, from);
        expect(fast.length).toBe((days.length - from) * rows.names.length);
        rows.names.forEach((name, j) => {
          const column = full.numeric(name).values;
          for (let i = from; i < days.length; i += 1) {
            const got = fast[(i - from) * rows.names.length + j]!;
            if (!same(got, column[i]!)) throw new Error(`trial ${trial}, from ${from}, row ${i}, ${name}: fast path ${got}, timeSeriesFeatures ${column[i]}`);
            compared += 1;
          }
        });
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('names the problem: unknown feature, unordered or repeated days, bad arguments', () => {
    const rows = new SeriesFeatureRows({ lags: [1] });
    expect(rows.indexOf('value_lag_1')).toBe(0);
    expect(() => rows.indexOf('value_lag_7')).toThrow(SchemaError);
    expect(() => rows.indexOf('value_lag_7')).toThrow("SeriesFeatureRows has no feature 'value_lag_7' with these options");
    const day = Math.floor(START / MS_PER_DAY);
    expect(() => rows.compute([day, day + 2, day + 1], [1, 2, 3])).toThrow('Days 1 and 2 of the series are out of order: SeriesFeatureRows needs them ascending.');
    expect(() => rows.compute([day, day], [1, 2])).toThrow(DataError);
    expect(() => rows.compute([day, day], [1, 2])).toThrow('Two rows of the same series fall on 2023-11-20 (positions 0 and 1). Aggregate to one row per day first.');
    expect(() => rows.compute([day, NaN], [1, 2])).toThrow('Day 1 of the series is NaN');
    expect(() => rows.compute([day], [1, 2])).toThrow('SeriesFeatureRows.compute needs one value per day: got 1 days and 2 values.');
    expect(() => rows.compute([day], [1], 2)).toThrow(ParameterError);
    expect(() => new SeriesFeatureRows({ windows: [1] })).toThrow("The 'windows' option of SeriesFeatureRows must hold integers >= 2 (a std needs two days). Got [1].");
  });
});
