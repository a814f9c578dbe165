/**
 * Splits `budget` (currency per period) across channels with response functions `value[c]`
 * (return per period at a spend) inside [low[c], high[c]] to maximize total return. Candidates:
 * the start split (the current one) repaired to the budget, and a greedy fill from the minimums;
 * both are polished by moving spend from the channel that loses least to the one that gains most,
 * in shrinking steps, so the result is never worse than the start. On concave curves greedy on
 * marginal return is exact; on S-shaped ones the exchange steps let a channel jump its convex part.
 */
export function allocateBudget(value: readonly ((spend: number) => number)[], low: readonly number[], high: readonly number[], start: readonly number[], budget: number): number[] {
  const n = value.length;
  const total = (x: readonly number[]) => x.reduce((sum, s, c) => sum + value[c]!(s), 0);
  const sum = (x: readonly number[]) => x.reduce((a, b) => a + b, 0);
  const candidates = [polish(repair(start.map((s, c) => Math.min(high[c]!, Math.max(low[c]!, s))))), polish(repair([...low]))];
  return candidates.reduce((best, x) => (total(x) > total(best) ? x : best));

  /** Brings the split to the budget: adds where a step gains most, removes where it loses least. */
  function repair(x: number[]): number[] {
    const step = Math.max(budget, sum(low)) / 2000;
    for (let guard = 0; guard < 100_000; guard++) {
      const gap = budget - sum(x);
      if (Math.abs(gap) <= 1e-9 * Math.max(1, budget)) break;
      let best = -1;
      let bestRate = -Infinity;
      for (let c = 0; c < n; c++) {
        const room = gap > 0 ? high[c]! - x[c]! : x[c]! - low[c]!;
        if (room <= 0) continue;
        const d = Math.min(step, room, Math.abs(gap));
        const rate = gap > 0 ? (value[c]!(x[c]! + d) - value[c]!(x[c]!)) / d : (value[c]!(x[c]! - d) - value[c]!(x[c]!)) / d;
        if (rate > bestRate) {
          bestRate = rate;
          best = c;
        }
      }
      if (best < 0) break;
      const room = gap > 0 ? high[best]! - x[best]! : x[best]! - low[best]!;
      x[best]! += Math.sign(gap) * Math.min(step, room, Math.abs(gap));
    }
    return x;
  }

  function polish(x: number[]): number[] {
    const scale = Math.max(budget, 1e-9);
    for (const fraction of [1 / 5, 1 / 20, 1 / 100, 1 / 500, 1 / 2500, 1 / 12500, 1 / 62500]) {
      const step = scale * fraction;
      for (let guard = 0; guard < 20_000; guard++) {
        let to = -1;
        let gain = -Infinity;
        let from = -1;
        let loss = Infinity;
        for (let c = 0; c < n; c++) {
          const up = Math.min(step, high[c]! - x[c]!);
          if (up >= step * (1 - 1e-12)) {
            const g = value[c]!(x[c]! + step) - value[c]!(x[c]!);
            if (g > gain) {
              gain = g;
              to = c;
            }
          }
          if (x[c]! - step >= low[c]! - 1e-12 * scale) {
            const l = value[c]!(x[c]!) - value[c]!(x[c]! - step);
            if (l < loss) {
              loss = l;
              from = c;
            }
          }
        }
        if (to < 0 || from < 0 || to === from || gain - loss <= 1e-12 * Math.max(1, Math.abs(total(x)))) break;
        x[to]! += step;
        x[from] = Math.max(low[from]!, x[from]! - step);
      }
    }
    return x;
  }
}
