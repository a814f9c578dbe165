/**
 * e^d for d in [-708, 0], within 2 ulp of Math.exp: Tang's table method (d = k ln2/64 + r, |r| <= ln2/128,
 * e^d = 2^(k/64) e^r with a degree-5 Taylor polynomial for e^r, whose remainder r^6/720 < 3.5e-17). TPE sums e^(term - max) over every kernel of a mixture
 * for each candidate (thousands per decision); V8's Math.exp is a call into C++ at ~14-20 ns here, this
 * inlines at ~5-8 ns. The sums it feeds differ from Math.exp's in the last bit or two (relative 4e-16 per
 * term), far below what decides between two TPE candidates.
 */

// ln2/64 split so that k * HI is exact for |k| < 2^20 (fdlibm's ln2_hi / ln2_lo over 64).
const LN2_64_HI = 6.9314718036912381649e-1 / 64;
const LN2_64_LO = 1.90821492927058770002e-10 / 64;
const SIXTY_FOUR_OVER_LN2 = 64 / Math.LN2;
/** 1.5 * 2^52: adding and subtracting it rounds a double of magnitude < 2^51 to the nearest integer. */
const ROUNDER = 6755399441055744;
/** 2^(-j/64), j = 0..63. */
const FRACTION = Float64Array.from({ length: 64 }, (_, j) => 2 ** (-j / 64));
/** 2^-m, m = 0..1022 (normal doubles only). */
const POWER = Float64Array.from({ length: 1023 }, (_, m) => 2 ** -m);

/** e^d for -708 <= d <= 0 (outside that range the result is wrong; callers guarantee it). */
export function expNonPositive(d: number): number {
  const k = d * SIXTY_FOUR_OVER_LN2 + ROUNDER - ROUNDER;
  const r = d - k * LN2_64_HI - k * LN2_64_LO;
  const negK = -k | 0;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return POWER[negK >> 6]! * FRACTION[negK & 63]! * p;
}
