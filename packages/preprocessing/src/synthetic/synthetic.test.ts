import { runPythonSnippet } from '@kdap/test-support';
import { ParameterError } from '../errors';
import { hillResponse } from './hill';
import { syntheticMarketingSpend } from './marketing-spend';
import { CONVERSION_MODEL_FEATURES, type CustomerFeatures, syntheticCustomers } from './customers';
import { syntheticMetricSeries } from './metric-series';

describe('syntheticMarketingSpend', () => {
  const generated = syntheticMarketingSpend({ rows: 6000, seed: 7 });
  const { table, responseCurves } = generated;

  it('has the Python module feature columns and is seeded', () => {
    expect(table.schema).toEqual({
      date: 'date',
      channel_id: 'categorical',
      objective_type: 'categorical',
      current_spend: 'numeric',
      historical_roi_mean: 'numeric',
      audience_size: 'numeric',
      competitive_intensity: 'numeric',
      seasonality_index: 'numeric',
      market_share: 'numeric',
      cpm: 'numeric',
      ctr: 'numeric',
      cvr: 'numeric',
      return: 'numeric',
    });
    expect(table.rowCount).toBe(6000);
    expect(table.categorical('channel_id').categories).toEqual(['affiliate', 'display', 'email', 'search', 'social', 'video']);
    expect(syntheticMarketingSpend({ samples: 6000, seed: 7 }).table.toRecords()).toEqual(table.toRecords());
    expect(syntheticMarketingSpend({ rows: 50, seed: 8 }).table.numeric('return').values).not.toEqual(table.slice(0, 50).numeric('return').values);
    expect(syntheticMarketingSpend({ rows: 10, seed: 1, channels: ['a', 'b'] }).table.categorical('channel_id').categories).toEqual(['a', 'b']);
  });

  it('exposes Hill curves that saturate, with the optimum where the marginal return is 1', () => {
    for (const truth of Object.values(responseCurves)) {
      const { hill, adstockDecay } = truth;
      expect(hillResponse(hill.halfSaturation, hill)).toBeCloseTo(hill.maxReturn / 2, 9);
      // Steady-state: spending s daily builds an effective spend of s / (1 - decay).
      expect(truth.expectedReturn(hill.halfSaturation * (1 - adstockDecay))).toBeCloseTo(hill.maxReturn / 2, 9);
      expect(truth.expectedReturn(1e12)).toBeLessThanOrEqual(hill.maxReturn);
      const best = truth.optimalSpend();
      expect(best).toBeGreaterThan(0);
      expect(truth.marginalReturn(best)).toBeCloseTo(1, 6);
      const profit = (s: number) => truth.expectedReturn(s) - s;
      expect(profit(best)).toBeGreaterThan(profit(best * 0.9));
      expect(profit(best)).toBeGreaterThan(profit(best * 1.1));
    }
  });

  it('optimalAllocation spends the budget with equal marginal returns', () => {
    const budget = 6000;
    const allocation = generated.optimalAllocation(budget);
    const funded = Object.entries(allocation).filter(([, spend]) => spend > 0);
    const total = Object.values(allocation).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(budget * (1 + 1e-6));
    expect(total).toBeGreaterThan(budget * 0.9);
    const margins = funded.map(([channel, spend]) => responseCurves[channel]?.marginalReturn(spend) ?? NaN);
    expect(Math.max(...margins) - Math.min(...margins)).toBeLessThan(1e-3 * Math.max(...margins));
    expect(() => generated.optimalAllocation(-1)).toThrow(
      "The 'totalBudget' argument of optimalAllocation must be a finite number >= 0 (currency per day). Got -1.",
    );
  });

  it('returns grow with spend within each channel (the signal a model should learn)', () => {
    const channel = table.categorical('channel_id');
    const spend = table.numeric('current_spend').values;
    const returns = table.numeric('return').values;
    channel.categories.forEach((_, code) => {
      const rows = Array.from(channel.codes.keys()).filter((i) => channel.codes[i] === code);
      const bySpend = rows.sort((a, b) => (spend[a] as number) - (spend[b] as number));
      const quarter = Math.floor(bySpend.length / 4);
      const mean = (list: number[]) => list.reduce((s, i) => s + (returns[i] as number), 0) / list.length;
      expect(mean(bySpend.slice(-quarter))).toBeGreaterThan(1.2 * mean(bySpend.slice(0, quarter)));
    });
  });

  it('refuses bad options', () => {
    expect(() => syntheticMarketingSpend({ seed: 1 })).toThrow(ParameterError);
    expect(() => syntheticMarketingSpend({ seed: 1 })).toThrow(
      "The 'rows' (or 'samples') option of syntheticMarketingSpend must be an integer >= 1. Got undefined.",
    );
    expect(() => syntheticMarketingSpend({ rows: 5, seed: 1, channels: ['a', 'a'] })).toThrow(
      'The \'channels\' option of syntheticMarketingSpend must be distinct non-empty channel ids. Got ["a","a"].',
    );
  });
});

describe('syntheticCustomers', () => {
  const { table, truth } = syntheticCustomers({ samples: 20000, seed: 3 });

  it('has the customer columns, a plausible conversion rate, and labels drawn from the true probabilities', () => {
    expect(table.columnNames).toEqual([
      'customer_id',
      'recency',
      'frequency',
      'monetary',
      'engagement_score',
      'tenure_days',
      'email_open_rate',
      'email_click_rate',
      'preferred_channel',
      'converted',
    ]);
    const converted = Array.from(table.numeric('converted').values);
    const rate = converted.reduce((a, b) => a + b, 0) / converted.length;
    const meanProbability = Array.from(truth.probabilities).reduce((a, b) => a + b, 0) / converted.length;
    expect(rate).toBeGreaterThan(0.1);
    expect(rate).toBeLessThan(0.45);
    expect(Math.abs(rate - meanProbability)).toBeLessThan(3 * Math.sqrt((meanProbability * (1 - meanProbability)) / converted.length));
    const first = table.slice(0, 1).toRecords()[0] as unknown as CustomerFeatures;
    expect(truth.probability(first)).toBe(truth.probabilities[0]);
    expect(syntheticCustomers({ samples: 100, seed: 3 }).table.toRecords()).toEqual(table.slice(0, 100).toRecords());
  });

  it('an unpenalized logistic regression in scikit-learn recovers the true coefficients', () => {
    const records = table.toRecords();
    const fitted = runPythonSnippet<{ intercept: number; coefficients: number[] }>(
      `
from sklearn.linear_model import LogisticRegression
d = pd.DataFrame(INPUT['records'])
X = pd.DataFrame({
    'log1p_recency': np.log1p(d.recency), 'log1p_frequency': np.log1p(d.frequency), 'log_monetary': np.log(d.monetary),
    'engagement': d.engagement_score / 100, 'tenure_years': d.tenure_days / 365,
    'email_open_rate': d.email_open_rate, 'email_click_rate': d.email_click_rate,
})
for ch in ['mobile', 'social', 'store', 'web']:
    X['ch_' + ch] = (d.preferred_channel == ch).astype(float)
m = LogisticRegression(penalty=None, max_iter=5000).fit(X, d.converted)
emit({'intercept': m.intercept_[0], 'coefficients': m.coef_[0]})
`,
      { records },
    );
    CONVERSION_MODEL_FEATURES.forEach((name, j) => {
      const standardError = name === 'email_click_rate' ? 1.2 : name === 'email_open_rate' ? 0.5 : 0.25;
      expect(Math.abs((fitted.coefficients[j] as number) - truth.coefficients[name])).toBeLessThan(standardError);
    });
    ['mobile', 'social', 'store', 'web'].forEach((channel, k) => {
      expect(Math.abs((fitted.coefficients[7 + k] as number) - (truth.channelEffects[channel] as number))).toBeLessThan(0.2);
    });
  });
});

describe('syntheticMetricSeries', () => {
  const { table, anomalies, expectedValues } = syntheticMetricSeries({ days: 200, channels: 3, seed: 5 });

  it('has the series columns and consistent labels', () => {
    expect(table.columnNames).toEqual(['date', 'channel_id', 'metric', 'value', 'is_anomaly', 'anomaly_type']);
    expect(table.rowCount).toBe(200 * 3 * 4);
    const records = table.toRecords();
    const labeled = records.flatMap((r, row) => (r.is_anomaly === 1 ? [row] : []));
    expect(labeled).toEqual(anomalies.map((a) => a.row));
    expect(labeled.length).toBeGreaterThan(10);
    for (const anomaly of anomalies) expect(records[anomaly.row]?.anomaly_type).toBe(anomaly.type);
    expect(new Set(anomalies.map((a) => a.type))).toEqual(new Set(['spike', 'drop', 'level_shift']));
    expect(records.filter((r) => r.is_anomaly === 0).every((r) => r.anomaly_type === 'none')).toBe(true);
  });

  it('anomalies move the value the way their type says; normal days stay near the expected value', () => {
    const values = table.numeric('value').values;
    const anomalous = new Set(anomalies.map((a) => a.row));
    for (const anomaly of anomalies) {
      const ratio = (values[anomaly.row] as number) / (expectedValues[anomaly.row] as number);
      if (anomaly.type === 'spike') expect(ratio).toBeGreaterThan(2);
      if (anomaly.type === 'drop') expect(ratio).toBeLessThan(0.5);
      if (anomaly.type === 'level_shift') {
        const before = expectedValues[anomaly.row - 1] as number;
        const jump = (expectedValues[anomaly.row] as number) / before;
        expect(jump > 1.4 || jump < 0.7).toBe(true);
      }
    }
    for (let row = 0; row < values.length; row += 1) {
      if (anomalous.has(row) || (expectedValues[row] as number) < 200) continue;
      expect(Math.abs((values[row] as number) / (expectedValues[row] as number) - 1)).toBeLessThan(0.3);
    }
  });
});
