import { searchSortedLeft, type FeatureColumn, type FeatureTable } from '@kdap/core';

/**
 * Spend keeps working after the period it is spent in (ad stock): today's return responds to
 * today's spend plus a decaying share of earlier spend. A model of return on `current_spend`
 * alone sees only the direct part and understates what spending s every period brings back, so
 * the trainer adds `effective_spend` = spend + decay x previous effective spend (geometric
 * adstock, as Robyn and Meridian model it), with the decay estimated per channel.
 */
export const EFFECTIVE_SPEND = 'effective_spend';

/** Row indices per channel in time order (table order when there is no date column). */
function rowsByChannel(table: FeatureTable, channelFeature: string, dateColumn: string | undefined): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  const channel = table.column(channelFeature);
  if (channel.kind !== 'categorical') return groups;
  for (let i = 0; i < table.rowCount; i++) {
    const code = channel.codes[i]!;
    if (code < 0) continue;
    const name = channel.categories[code]!;
    let rows = groups.get(name);
    if (rows === undefined) groups.set(name, (rows = []));
    rows.push(i);
  }
  if (dateColumn !== undefined) {
    const dates = (table.column(dateColumn) as Extract<FeatureColumn, { kind: 'date' }>).values;
    for (const rows of groups.values()) rows.sort((a, b) => dates[a]! - dates[b]! || a - b);
  }
  return groups;
}

/** The table's date column, if it has exactly one: carry-over needs the order of periods. */
export function dateColumnOf(table: FeatureTable): string | undefined {
  const dates = table.columnNames.filter((n) => table.column(n).kind === 'date');
  return dates.length === 1 ? dates[0] : undefined;
}

function adstock(spend: ArrayLike<number>, rows: readonly number[], decay: number, out: Float64Array): void {
  // The first period is taken to follow a steady history at its own spend level.
  let carried = Number.NaN;
  for (const i of rows) {
    const s = spend[i]!;
    if (!Number.isFinite(s)) {
      out[i] = Number.NaN;
      continue;
    }
    carried = Number.isNaN(carried) ? s / (1 - decay) : s + decay * carried;
    out[i] = carried;
  }
}

/**
 * Ranks (0-based; ties share the lowest rank) via the engine's native numeric sort and a binary
 * search: this runs 46 times per channel, and a comparator sort of indices is several times slower.
 */
function ranks(values: Float64Array): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const r = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) r[i] = searchSortedLeft(sorted, values[i]!);
  return r;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Per channel, the decay (0-0.9 per period, in steps of 0.02) whose adstocked spend ranks the
 * returns best (Spearman correlation): return rises monotonically with the true effective spend,
 * so the right decay orders the returns with the least scatter. A coarse pass (steps of 0.1) then
 * a fine one around its best keeps this cheap on large tables. Channels with fewer than 20
 * periods, or tables without a date column, get 0.
 */
export function estimateCarryover(table: FeatureTable, spendFeature: string, channelFeature: string, returns: ArrayLike<number>): Record<string, number> {
  const dateColumn = dateColumnOf(table);
  const spendValues = (table.column(spendFeature) as Extract<FeatureColumn, { kind: 'numeric' }>).values;
  const decays: Record<string, number> = {};
  for (const [channel, rows] of rowsByChannel(table, channelFeature, dateColumn)) {
    // Periods with a missing spend or return drop out; the adstock runs over the rest in order.
    const usable = rows.filter((i) => Number.isFinite(spendValues[i]!) && Number.isFinite(returns[i]!));
    if (dateColumn === undefined || usable.length < 20) {
      decays[channel] = 0;
      continue;
    }
    const spend = Float64Array.from(usable, (i) => spendValues[i]!);
    const returnRanks = ranks(Float64Array.from(usable, (i) => returns[i]!));
    const stock = new Float64Array(spend.length);
    const score = (decay: number) => {
      let carried = spend[0]! / (1 - decay);
      stock[0] = carried;
      for (let k = 1; k < spend.length; k++) stock[k] = carried = spend[k]! + decay * carried;
      return correlation(ranks(stock), returnRanks);
    };
    let best = { decay: 0, score: -Infinity };
    const consider = (decay: number) => {
      const s = score(decay);
      if (s > best.score + 1e-12 || (Math.abs(s - best.score) <= 1e-12 && decay < best.decay)) best = { decay, score: s };
    };
    for (let step = 0; step <= 9; step++) consider(step / 10);
    const centre = best.decay;
    for (let step = -4; step <= 4; step++) {
      const decay = Math.round((centre + step * 0.02) * 100) / 100;
      if (decay >= 0 && decay <= 0.9 && decay !== centre) consider(decay);
    }
    decays[channel] = best.decay;
  }
  return decays;
}

/**
 * The effective spend column (currency per period, carry-over included) for a table, with the
 * fitted decays; NaN where the order of periods is unknown (no date column) or the channel is new.
 */
export function effectiveSpend(table: FeatureTable, spendFeature: string, channelFeature: string, decays: Readonly<Record<string, number>>): Float64Array {
  const out = new Float64Array(table.rowCount).fill(Number.NaN);
  const dateColumn = dateColumnOf(table);
  if (dateColumn === undefined || !table.columnNames.includes(spendFeature) || !table.columnNames.includes(channelFeature)) return out;
  const spendColumn = table.column(spendFeature);
  if (spendColumn.kind !== 'numeric') return out;
  for (const [channel, rows] of rowsByChannel(table, channelFeature, dateColumn)) {
    const decay = decays[channel];
    if (decay !== undefined) adstock(spendColumn.values, rows, decay, out);
  }
  return out;
}

/** Effective spend when `spend` is spent every period: the adstock settles at spend / (1 - decay). */
export function steadyEffectiveSpend(spend: number, decay: number): number {
  return spend / (1 - decay);
}
