/** How far a result is from the reference's: the measures parity tests assert on. */

/**
 * Largest difference scaled by max(1, |expected|) (absolute near zero, relative for large values);
 * NaN must line up with NaN and infinities must match exactly, otherwise Infinity is returned.
 */
export function maxScaledDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return Infinity;
      continue;
    }
    if (a === e) continue;
    if (!Number.isFinite(a) || !Number.isFinite(e)) return Infinity;
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1, Math.abs(e)));
  }
  return worst;
}

/** Largest |a - b| / max(|a|, |b|) (0 where both are 0) and largest |a - b|. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): { relative: number; absolute: number } {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let relative = 0;
  let absolute = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    const scale = Math.max(Math.abs(a[i]!), Math.abs(b[i]!));
    absolute = Math.max(absolute, d);
    if (d > 0) relative = Math.max(relative, d / scale);
  }
  return { relative, absolute };
}
