import { ParameterError, describeValue } from '../errors';
import { SeededRandom } from '../random/seeded-random';
import { Table } from '../table/table';
import { categoricalColumn, numericColumn } from '../table/column';

/** Features of the true conversion model, computed from a customer's columns. */
export const CONVERSION_MODEL_FEATURES = [
  'log1p_recency',
  'log1p_frequency',
  'log_monetary',
  'engagement',
  'tenure_years',
  'email_open_rate',
  'email_click_rate',
] as const;

/** The known logistic model that produced `converted`. */
export interface ConversionModelTruth {
  readonly intercept: number;
  /**
   * Coefficients on: log1p_recency = log(1 + recency), log1p_frequency = log(1 + frequency),
   * log_monetary = log(monetary), engagement = engagement_score / 100,
   * tenure_years = tenure_days / 365, email_open_rate, email_click_rate.
   */
  readonly coefficients: Readonly<Record<(typeof CONVERSION_MODEL_FEATURES)[number], number>>;
  /** Additive effect of preferred_channel on the log-odds ('email' is the reference, 0). */
  readonly channelEffects: Readonly<Record<string, number>>;
  /** True conversion probability of each generated customer, in row order. */
  readonly probabilities: Float64Array;
  /** True conversion probability for a customer's raw column values. */
  probability(customer: CustomerFeatures): number;
}

/** The raw columns the true model reads. */
export interface CustomerFeatures {
  recency: number;
  frequency: number;
  monetary: number;
  engagement_score: number;
  tenure_days: number;
  email_open_rate: number;
  email_click_rate: number;
  preferred_channel: string;
}

const CHANNELS = ['email', 'mobile', 'social', 'store', 'web'];
const CHANNEL_WEIGHTS = [3, 3, 2, 1, 4];
const TRUTH = {
  intercept: -2.3,
  coefficients: {
    log1p_recency: -0.55,
    log1p_frequency: 0.6,
    log_monetary: 0.25,
    engagement: 1.8,
    tenure_years: -0.15,
    email_open_rate: 1.2,
    email_click_rate: 2.5,
  },
  channelEffects: { email: 0, mobile: 0.2, social: -0.3, store: 0.35, web: 0.1 },
} as const;

/** Options of {@link syntheticCustomers}. */
export interface SyntheticCustomersOptions {
  samples: number;
  seed: number;
}

/**
 * Seeded customers with RFM, engagement, tenure, email rates and preferred channel; `converted`
 * (0/1) is drawn from a known logistic model of those columns (about 20-30% convert).
 */
export function syntheticCustomers(options: SyntheticCustomersOptions): { table: Table; truth: ConversionModelTruth } {
  const n = options?.samples;
  if (!Number.isInteger(n) || n < 1) {
    throw new ParameterError('samples', `The 'samples' option of syntheticCustomers must be an integer >= 1. Got ${describeValue(n)}.`);
  }
  const random = new SeededRandom(options.seed);
  const columns = {
    recency: new Float64Array(n),
    frequency: new Float64Array(n),
    monetary: new Float64Array(n),
    engagement_score: new Float64Array(n),
    tenure_days: new Float64Array(n),
    email_open_rate: new Float64Array(n),
    email_click_rate: new Float64Array(n),
  };
  const channelCodes = new Int32Array(n);
  const converted = new Float64Array(n);
  const probabilities = new Float64Array(n);
  const ids = Array.from({ length: n }, (_, i) => `C${String(i + 1).padStart(Math.max(6, String(n).length), '0')}`);

  for (let i = 0; i < n; i += 1) {
    // Engaged customers buy more often and more recently: one latent trait drives the correlation.
    const loyalty = random.normal();
    const tenure = Math.round(random.between(30, 2000));
    const frequency = random.poisson(Math.exp(1 + 0.5 * loyalty) * Math.min(1, tenure / 365 + 0.2));
    const recency = Math.round(Math.min(tenure, random.gamma(1.5) * 40 * Math.exp(-0.4 * loyalty)));
    const customer: CustomerFeatures = {
      recency,
      frequency,
      monetary: Math.max(1, Math.round(random.logNormal(Math.log(80) + 0.2 * loyalty, 0.6) * 100) / 100),
      engagement_score: Math.round(100 * sigmoid(0.9 * loyalty + random.normal(0, 0.7)) * 10) / 10,
      tenure_days: tenure,
      email_open_rate: Math.min(1, Math.max(0, random.beta(2 + loyalty * 0.5 + 1, 5))),
      email_click_rate: 0,
      preferred_channel: CHANNELS[random.weightedIndex(CHANNEL_WEIGHTS)] as string,
    };
    customer.email_click_rate = customer.email_open_rate * random.beta(2, 8);
    const p = trueProbability(customer);
    columns.recency[i] = customer.recency;
    columns.frequency[i] = customer.frequency;
    columns.monetary[i] = customer.monetary;
    columns.engagement_score[i] = customer.engagement_score;
    columns.tenure_days[i] = customer.tenure_days;
    columns.email_open_rate[i] = customer.email_open_rate;
    columns.email_click_rate[i] = customer.email_click_rate;
    channelCodes[i] = CHANNELS.indexOf(customer.preferred_channel);
    probabilities[i] = p;
    converted[i] = random.uniform() < p ? 1 : 0;
  }

  const table = new Table({
    customer_id: categoricalColumn(Int32Array.from(ids.keys()), ids),
    ...Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, numericColumn(values)])),
    preferred_channel: categoricalColumn(channelCodes, CHANNELS),
    converted: numericColumn(converted),
  });
  return {
    table,
    truth: { intercept: TRUTH.intercept, coefficients: TRUTH.coefficients, channelEffects: TRUTH.channelEffects, probabilities, probability: trueProbability },
  };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function trueProbability(customer: CustomerFeatures): number {
  const c = TRUTH.coefficients;
  const logOdds =
    TRUTH.intercept +
    c.log1p_recency * Math.log1p(customer.recency) +
    c.log1p_frequency * Math.log1p(customer.frequency) +
    c.log_monetary * Math.log(customer.monetary) +
    c.engagement * (customer.engagement_score / 100) +
    c.tenure_years * (customer.tenure_days / 365) +
    c.email_open_rate * customer.email_open_rate +
    c.email_click_rate * customer.email_click_rate +
    ((TRUTH.channelEffects as Record<string, number>)[customer.preferred_channel] ?? 0);
  return sigmoid(logOdds);
}
