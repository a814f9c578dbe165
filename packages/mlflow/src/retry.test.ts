import { expectKdapError } from '@kdap/test-support';
import { backoffMs, DEFAULT_RETRY_POLICY, isRetryableStatus, retryAfterMs, retryPolicy } from './retry';

describe('retry policy', () => {
  it('defaults to 5 attempts and 60 s per call', () => {
    expect(retryPolicy()).toMatchObject({ maxAttempts: 5, callTimeoutMs: 60_000 });
  });

  it('refuses unknown and invalid fields with the house message', () => {
    expectKdapError(() => retryPolicy({ maxAttemps: 3 } as never), 'ERR_KDAP_PARAMETER', /has no option 'maxAttemps'\. Did you mean 'maxAttempts'\?/);
    expectKdapError(() => retryPolicy({ maxAttempts: 0 }), 'ERR_KDAP_PARAMETER', /^The 'maxAttempts' option of MlflowClient must be an integer between 1 and 100\. Got 0\./);
    expectKdapError(() => retryPolicy({ callTimeoutMs: -1 }), 'ERR_KDAP_PARAMETER', /'callTimeoutMs' option of MlflowClient must be a finite number >= 0/);
  });

  it('retries throttling and server errors, not client errors', () => {
    expect([429, 408, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 501].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('0.5', now)).toBe(500);
    expect(retryAfterMs('Fri, 04 Dec 2026 12:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMs('Fri, 04 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const p = { ...DEFAULT_RETRY_POLICY };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(p, a, () => 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(backoffMs(p, 1, () => 0)).toBe(375);
    expect(backoffMs(p, 1, () => 1)).toBe(625);
  });
});
