import type { FeatureSchema } from '@kdap/core';
import { describe, ParameterError, SchemaError } from '@kdap/errors';
import { EFFECTIVE_SPEND } from './carryover';

/**
 * One channel's context, as the Python module's scoring takes it: `channel_id` and
 * `current_spend` (currency per period) are required; other features are optional (absent or
 * null = missing value). Extra keys (ids, notes) are ignored.
 */
export interface ChannelRecord {
  channel_id: string;
  /** Current spend on the channel, currency per period (> 0). */
  current_spend: number;
  [feature: string]: unknown;
}

/** A validated record: the encoded feature row (schema order) and its channel and spend. */
export interface EncodedRecord {
  channel: string;
  currentSpend: number;
  row: Float64Array;
}

/**
 * Checks a record against the fitted schema and encodes it. Typed errors name the field and what
 * to do: SchemaError (with `column`) for a missing/mistyped/NaN value or an unknown channel, ParameterError when
 * the record is not an object.
 */
export function encodeRecord(
  owner: string,
  schema: FeatureSchema,
  record: unknown,
  spendFeature: string,
  channelFeature: string,
  index?: number,
  /** How messages name a missing spend/channel field, quoted (the user's column names, when mapped). */
  labels: { spend?: string | undefined; channel?: string | undefined } = {},
): EncodedRecord {
  const where = index === undefined ? 'The record' : `Record ${index}`;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new ParameterError('record', `${owner} needs a record object such as { ${channelFeature}: 'search', ${spendFeature}: 50000 }. Got ${describe(record)}.`);
  }
  const r = record as Record<string, unknown>;
  const channelSpec = schema.features.find((f) => f.name === channelFeature);
  const channel = r[channelFeature];
  if (channel === undefined || channel === null) {
    throw new SchemaError(`${where} has no ${labels.channel ?? `'${channelFeature}'`}. ${owner} needs the channel to optimize, e.g. '${channelSpec?.categories?.[0] ?? 'search'}'.`, { column: channelFeature });
  }
  if (typeof channel !== 'string' || channel === '') {
    throw new SchemaError(`${where}'s '${channelFeature}' must be a non-empty string naming a channel. Got ${describe(channel)}.`, { column: channelFeature });
  }
  const known = channelSpec?.categories ?? [];
  if (!known.includes(channel)) {
    throw new SchemaError(
      `${where}'s '${channelFeature}' is '${channel}', a channel the model never saw in training, so it has no response curve for it. Known channels: ${known.join(', ')}. Retrain with data for it, or leave it out.`,
      { column: channelFeature },
    );
  }
  const spend = r[spendFeature];
  if (spend === undefined || spend === null) {
    throw new SchemaError(`${where} has no ${labels.spend ?? `'${spendFeature}'`} (current spend, currency per period). ${owner} centres the spend grid on it: pass the channel's current spend.`, { column: spendFeature });
  }
  if (typeof spend !== 'number' || !Number.isFinite(spend) || spend <= 0) {
    throw new SchemaError(`${where}'s '${spendFeature}' must be a finite number > 0 (currency per period). Got ${describe(spend)}.`, { column: spendFeature });
  }

  const row = new Float64Array(schema.features.length);
  schema.features.forEach((spec, j) => {
    // Effective spend is set by the spend grid (steady state), never taken from the record.
    if (spec.name === EFFECTIVE_SPEND) {
      row[j] = Number.NaN;
      return;
    }
    const value = r[spec.name];
    if (value === undefined || value === null) {
      row[j] = Number.NaN;
      return;
    }
    if (spec.kind === 'numeric') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SchemaError(`${where}'s '${spec.name}' must be a finite number, or null for a missing value. Got ${describe(value)}.`, { column: spec.name });
      }
      row[j] = value;
    } else {
      if (typeof value !== 'string') {
        throw new SchemaError(`${where}'s '${spec.name}' must be a category name (string), or null for a missing value. Got ${describe(value)}.`, { column: spec.name });
      }
      const code = (spec.categories ?? []).indexOf(value);
      if (code < 0 && schema.policy.unknownCategory === 'error') {
        throw new SchemaError(`${where}'s '${spec.name}' is '${value}', a category never seen in training. Known: ${(spec.categories ?? []).join(', ')}.`, { column: spec.name });
      }
      // Unknown categories score as missing (LightGBM routes them down the learned missing branch).
      row[j] = code < 0 ? Number.NaN : code;
    }
  });
  return { channel, currentSpend: spend, row };
}
