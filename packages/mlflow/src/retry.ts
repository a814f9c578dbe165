import { checkInt, checkKnownOptions, checkNumber } from '@kdap/errors';

/** How hard one REST call tries before it gives up. Every call is bounded in attempts and in time. */
export interface RetryPolicy {
  /** Attempts per call, the first included (default 5). */
  maxAttempts: number;
  /** Wall-clock budget of one call across all its attempts and waits, ms (default 60,000). */
  callTimeoutMs: number;
  /** Budget of a single attempt, ms (default 20,000): a server that accepts and never answers is a failed attempt. */
  attemptTimeoutMs: number;
  /** First backoff, doubled each retry with +-25% jitter, ms (default 500). */
  initialBackoffMs: number;
  /** Longest backoff between two attempts when the server gives no Retry-After, ms (default 8,000). */
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  callTimeoutMs: 60_000,
  attemptTimeoutMs: 20_000,
  initialBackoffMs: 500,
  maxBackoffMs: 8_000,
});

/** A full policy from a partial one, each field validated (messages name the field). */
export function retryPolicy(partial: Partial<RetryPolicy> = {}, owner = 'MlflowClient'): RetryPolicy {
  checkKnownOptions(`The 'retry' option of ${owner}`, partial, Object.keys(DEFAULT_RETRY_POLICY));
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  checkInt(owner, 'maxAttempts', policy.maxAttempts, 1, 100);
  for (const key of ['callTimeoutMs', 'attemptTimeoutMs', 'initialBackoffMs', 'maxBackoffMs'] as const) {
    checkNumber(owner, key, policy[key], { min: 0 });
  }
  return policy;
}

/** HTTP statuses worth another attempt: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599 && status !== 501);
}

/**
 * The wait a `Retry-After` header asks for, ms: delta-seconds or an HTTP date; `undefined`
 * when absent or unreadable (the caller falls back to its own backoff).
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff before attempt `attempt + 1` (attempt counts from 1), with jitter. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (attempt - 1));
  return Math.round(base * (0.75 + 0.5 * random()));
}
