import { ParameterError, describeValue } from '../errors';
import { SeededRandom } from '../random/seeded-random';
import { Table } from '../table/table';
import { categoricalColumn, dateColumn, numericColumn } from '../table/column';
import { MS_PER_DAY } from '../table/dates';
import { resolveChannels } from './channels';
import { type HillParameters, hillDerivative, hillResponse } from './hill';

/** The true response of one channel, for checking what a model or optimizer recovers. */
export interface ChannelResponseTruth {
  readonly channel: string;
  readonly hill: HillParameters;
  /** Share of yesterday's effective spend carried into today (geometric adstock, 0-1). */
  readonly adstockDecay: number;
  /** Typical daily spend (currency) the generator draws around. */
  readonly typicalSpend: number;
  /**
   * Expected daily return (currency) when `spend` (currency per day) is spent every day, at
   * neutral context (seasonality_index 1, competitive_intensity 0.5): the steady-state curve.
   */
  expectedReturn(spend: number): number;
  /** d expectedReturn / d spend: the marginal return of one more unit of daily spend. */
  marginalReturn(spend: number): number;
  /** The daily spend maximizing expectedReturn(spend) - spend (0 if no spend is profitable). */
  optimalSpend(): number;
}

/** Generated marketing data and its ground truth. */
export interface SyntheticMarketingSpend {
  readonly table: Table;
  /** Per channel id. */
  readonly responseCurves: Readonly<Record<string, ChannelResponseTruth>>;
  /**
   * The true best split of a total daily budget (currency) across channels: marginal returns
   * equalized (or spend 0 where a channel never reaches the common margin). For S-shaped curves
   * a channel enters at a positive spend, so the sum can fall short of the budget by that step.
   */
  optimalAllocation(totalBudget: number): Record<string, number>;
}

/** Options of {@link syntheticMarketingSpend}. */
export interface SyntheticMarketingSpendOptions {
  /** Number of rows (channel-days); `samples` is an alias. */
  rows?: number;
  samples?: number;
  seed: number;
  /** Channel ids, or how many of the standard channels to use; default all 6 standard channels. */
  channels?: number | readonly string[];
  /** First day (UTC); default 2023-01-01. */
  startDate?: Date;
}

const OBJECTIVES = ['awareness', 'consideration', 'conversion'];
/** Typical CPM (currency per 1000 impressions), CTR and CVR by channel; unknown channels draw their own. */
const CHANNEL_BASELINES: Readonly<Record<string, { cpm: number; ctr: number; cvr: number }>> = {
  search: { cpm: 35, ctr: 0.035, cvr: 0.045 },
  social: { cpm: 9, ctr: 0.012, cvr: 0.02 },
  display: { cpm: 3, ctr: 0.004, cvr: 0.01 },
  video: { cpm: 18, ctr: 0.006, cvr: 0.012 },
  email: { cpm: 1.5, ctr: 0.025, cvr: 0.03 },
  affiliate: { cpm: 6, ctr: 0.015, cvr: 0.035 },
};
const NEUTRAL_COMPETITION = 0.5;
const RETURN_NOISE_SD = 0.08;
/**
 * Daily spend = typical x exp(level) x lognormal(0, SPEND_DAILY_SD), the level an AR(1) walk in
 * log space (persistence per day, stationary sd): campaigns hold a budget for weeks, which is
 * what lets carried-over (adstocked) spend vary enough to reveal the response curve.
 */
const SPEND_LEVEL_PERSISTENCE = 0.9;
const SPEND_LEVEL_SD = 0.4;
const SPEND_DAILY_SD = 0.3;

/** Context multiplier of the expected return: 1 at seasonality 1 and competitive intensity 0.5. */
function contextMultiplier(seasonalityIndex: number, competitiveIntensity: number): number {
  return seasonalityIndex * (1 - 0.4 * (competitiveIntensity - NEUTRAL_COMPETITION));
}

/**
 * Seeded daily marketing data per channel with known saturating (Hill) response curves and
 * geometric adstock: columns date, channel_id, objective_type, current_spend,
 * historical_roi_mean, audience_size, competitive_intensity, seasonality_index, market_share,
 * cpm, ctr, cvr and target `return` = context x Hill(adstocked spend) x (1 + 8% noise).
 */
export function syntheticMarketingSpend(options: SyntheticMarketingSpendOptions): SyntheticMarketingSpend {
  const rows = options?.rows ?? options?.samples;
  if (!Number.isInteger(rows) || (rows as number) < 1) {
    throw new ParameterError('rows', `The 'rows' (or 'samples') option of syntheticMarketingSpend must be an integer >= 1. Got ${describeValue(rows)}.`);
  }
  const channels = resolveChannels('syntheticMarketingSpend', options.channels, 6);
  const random = new SeededRandom(options.seed);
  const start = options.startDate?.getTime() ?? Date.UTC(2023, 0, 1);
  const n = rows as number;
  const days = Math.ceil(n / channels.length);

  const truths: Record<string, ChannelResponseTruth> = {};
  const profiles = channels.map((channel) => {
    const base = CHANNEL_BASELINES[channel] ?? { cpm: random.between(2, 30), ctr: random.between(0.004, 0.03), cvr: random.between(0.01, 0.04) };
    const typicalSpend = random.logNormal(Math.log(2000), 0.6);
    const adstockDecay = random.between(0.1, 0.5);
    const steadyTypical = typicalSpend / (1 - adstockDecay);
    const hill: HillParameters = {
      // Chosen so that the typical spend sits on the curve's bend (half-saturation 0.6-1.6x of it) with ROI around 1-3 there.
      halfSaturation: steadyTypical * random.between(0.6, 1.6),
      shape: random.between(0.8, 2.2),
      maxReturn: typicalSpend * random.between(2.5, 6),
    };
    truths[channel] = makeTruth(channel, hill, adstockDecay, typicalSpend);
    return {
      channel,
      base,
      typicalSpend,
      adstockDecay,
      hill,
      audience: random.logNormal(Math.log(500_000), 1),
      share: random.between(0.03, 0.3),
      competition: random.between(0.2, 0.8),
      level: 0,
      objectiveWeights: [random.between(0.5, 2), random.between(0.5, 2), random.between(0.5, 2)],
    };
  });

  const date = new Float64Array(n);
  const channelCodes = new Int32Array(n);
  const objectiveCodes = new Int32Array(n);
  const columns = {
    current_spend: new Float64Array(n),
    historical_roi_mean: new Float64Array(n),
    audience_size: new Float64Array(n),
    competitive_intensity: new Float64Array(n),
    seasonality_index: new Float64Array(n),
    market_share: new Float64Array(n),
    cpm: new Float64Array(n),
    ctr: new Float64Array(n),
    cvr: new Float64Array(n),
    return: new Float64Array(n),
  };
  const sortedChannels = [...channels].sort();
  const adstock = new Float64Array(channels.length);
  const recentRoi = channels.map(() => [] as number[]);

  let row = 0;
  for (let day = 0; day < days && row < n; day += 1) {
    const when = start + day * MS_PER_DAY;
    const calendar = new Date(when);
    const dayOfYear = Math.floor((when - Date.UTC(calendar.getUTCFullYear(), 0, 1)) / MS_PER_DAY) + 1;
    const seasonality = 1 + 0.15 * Math.sin((2 * Math.PI * dayOfYear) / 365.25) + 0.05 * Math.cos((2 * Math.PI * calendar.getUTCDay()) / 7);
    for (let c = 0; c < profiles.length && row < n; c += 1) {
      const profile = profiles[c] as (typeof profiles)[number];
      // Competition drifts slowly (mean-reverting walk in [0, 1]).
      profile.competition = Math.min(1, Math.max(0, profile.competition + 0.02 * (0.5 - profile.competition) + random.normal(0, 0.03)));
      // Budgets move in flights: a slowly drifting level (log scale, AR(1)) times daily variation.
      profile.level = SPEND_LEVEL_PERSISTENCE * profile.level + Math.sqrt(1 - SPEND_LEVEL_PERSISTENCE ** 2) * random.normal(0, SPEND_LEVEL_SD);
      const spend = profile.typicalSpend * Math.exp(profile.level) * random.logNormal(0, SPEND_DAILY_SD);
      adstock[c] = spend + profile.adstockDecay * (adstock[c] as number);
      const effective = (adstock[c] as number) * (day === 0 ? 1 / (1 - profile.adstockDecay) : 1);
      const expected = contextMultiplier(seasonality, profile.competition) * hillResponse(effective, profile.hill);
      const realized = Math.max(0, expected * (1 + random.normal(0, RETURN_NOISE_SD)));
      const roiHistory = recentRoi[c] as number[];
      const priorRoi = truths[profile.channel]?.expectedReturn(profile.typicalSpend) ?? 0;
      const cpm = profile.base.cpm * (1 + 0.5 * profile.competition) * random.logNormal(0, 0.1);

      date[row] = when;
      channelCodes[row] = sortedChannels.indexOf(profile.channel);
      objectiveCodes[row] = random.weightedIndex(profile.objectiveWeights);
      columns.current_spend[row] = spend;
      columns.historical_roi_mean[row] = roiHistory.length === 0 ? priorRoi / profile.typicalSpend : roiHistory.reduce((a, b) => a + b, 0) / roiHistory.length;
      columns.audience_size[row] = Math.round(profile.audience * random.logNormal(0, 0.05));
      columns.competitive_intensity[row] = profile.competition;
      columns.seasonality_index[row] = seasonality;
      columns.market_share[row] = Math.min(1, Math.max(0, profile.share + random.normal(0, 0.005)));
      columns.cpm[row] = cpm;
      columns.ctr[row] = Math.min(1, profile.base.ctr * random.logNormal(0, 0.15));
      columns.cvr[row] = Math.min(1, profile.base.cvr * random.logNormal(0, 0.15));
      columns.return[row] = realized;
      // The trailing 28-day ROI uses only days before the current one.
      roiHistory.push(realized / spend);
      if (roiHistory.length > 28) roiHistory.shift();
      row += 1;
    }
  }

  const table = new Table({
    date: dateColumn(date),
    channel_id: categoricalColumn(channelCodes, sortedChannels),
    objective_type: categoricalColumn(objectiveCodes, OBJECTIVES),
    ...Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, numericColumn(values)])),
  });
  return { table, responseCurves: truths, optimalAllocation: (total) => allocateBudget(total, Object.values(truths)) };
}

function makeTruth(channel: string, hill: HillParameters, adstockDecay: number, typicalSpend: number): ChannelResponseTruth {
  // Spending s every day settles the adstock at s / (1 - decay).
  const carry = 1 / (1 - adstockDecay);
  const expectedReturn = (spend: number) => hillResponse(spend * carry, hill);
  const marginalReturn = (spend: number) => hillDerivative(spend * carry, hill) * carry;
  return {
    channel,
    hill,
    adstockDecay,
    typicalSpend,
    expectedReturn,
    marginalReturn,
    optimalSpend: () => spendAtMarginalReturn(1, marginalReturn, hill, carry),
  };
}

/**
 * The largest spend whose marginal return is still >= `level` (the Hill curve's marginal return
 * rises then falls, so the answer is on the falling side), or 0 if it never reaches `level`.
 */
function spendAtMarginalReturn(level: number, marginalReturn: (s: number) => number, hill: HillParameters, carry: number): number {
  // The marginal return peaks at x* = K ((n-1)/(n+1))^(1/n) for n > 1, at 0 otherwise.
  const peak = hill.shape > 1 ? (hill.halfSaturation * Math.pow((hill.shape - 1) / (hill.shape + 1), 1 / hill.shape)) / carry : 0;
  let low = peak;
  if (marginalReturn(Math.max(low, 1e-12)) < level) return 0;
  let high = Math.max(1, low * 2);
  while (marginalReturn(high) >= level) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-9 * high; i += 1) {
    const middle = (low + high) / 2;
    if (marginalReturn(middle) >= level) low = middle;
    else high = middle;
  }
  return low;
}

function allocateBudget(total: number, truths: readonly ChannelResponseTruth[]): Record<string, number> {
  if (!(total >= 0) || !Number.isFinite(total)) {
    throw new ParameterError('totalBudget', `The 'totalBudget' argument of optimalAllocation must be a finite number >= 0 (currency per day). Got ${describeValue(total)}.`);
  }
  const spendAt = (level: number) =>
    truths.map((truth) => spendAtMarginalReturn(level, truth.marginalReturn, truth.hill, 1 / (1 - truth.adstockDecay)));
  const totalAt = (level: number) => spendAt(level).reduce((a, b) => a + b, 0);
  // Bisection on the common marginal return (log scale): spend falls as the required margin rises.
  let low = 1e-12;
  let high = 1e12;
  for (let i = 0; i < 200; i += 1) {
    const middle = Math.sqrt(low * high);
    if (totalAt(middle) > total) low = middle;
    else high = middle;
  }
  const spends = spendAt(high);
  return Object.fromEntries(truths.map((truth, i) => [truth.channel, spends[i] as number]));
}
