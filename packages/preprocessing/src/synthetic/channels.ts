import { ParameterError, describeValue } from '../errors';

/** The channel ids the generators draw from, in order; past the tenth they are `channel_<n>`. */
const STANDARD_CHANNELS = ['search', 'social', 'display', 'video', 'email', 'affiliate', 'tv', 'radio', 'print', 'podcast'];

/**
 * A generator's `channels` option as channel ids: the first `defaultCount` standard channels when
 * absent, the first n standard ones for a number n, or the given distinct non-empty ids (copied).
 *
 * @param owner the generator, for messages (e.g. 'syntheticMarketingSpend')
 */
export function resolveChannels(owner: string, channels: number | readonly string[] | undefined, defaultCount: number): string[] {
  if (channels === undefined) return STANDARD_CHANNELS.slice(0, defaultCount);
  if (typeof channels === 'number') {
    if (!Number.isInteger(channels) || channels < 1) {
      throw new ParameterError('channels', `The 'channels' option of ${owner} must be an integer >= 1 or an array of channel ids. Got ${describeValue(channels)}.`);
    }
    return Array.from({ length: channels }, (_, i) => STANDARD_CHANNELS[i] ?? `channel_${i + 1}`);
  }
  if (!Array.isArray(channels) || channels.length === 0 || new Set(channels).size !== channels.length || channels.some((c) => typeof c !== 'string' || c === '')) {
    throw new ParameterError('channels', `The 'channels' option of ${owner} must be distinct non-empty channel ids. Got ${describeValue(channels)}.`);
  }
  return [...channels];
}
