import type { Table } from '@kdap/preprocessing';

/** How many of the most frequent categories a summary names. */
const TOP_CATEGORIES = 3;

/**
 * One line per column for the report's data table: kind, missing count, and a short summary.
 * Counts and sorts in typed arrays: an id column of 100,000 distinct texts took 0.4 s through a
 * Map and a sort of its entries (most of `kdap train propensity --samples 100000`'s report).
 */
export function summarizeColumns(table: Table): { name: string; kind: string; missing: number; summary: string }[] {
  return table.columnNames.map((name) => {
    const column = table.column(name);
    if (column.kind === 'categorical') {
      const counts = new Int32Array(column.categories.length);
      let missing = 0;
      for (const code of column.codes) {
        if (code < 0) missing++;
        else counts[code]!++;
      }
      let distinct = 0;
      for (const n of counts) if (n > 0) distinct++;
      const top = mostFrequent(counts, TOP_CATEGORIES).map((c) => `${column.categories[c]} (${counts[c]})`);
      return { name, kind: 'categorical', missing, summary: `${distinct} values; most frequent: ${top.join(', ')}` };
    }
    const finite = new Float64Array(column.values.length);
    let size = 0;
    for (const v of column.values) if (!Number.isNaN(v)) finite[size++] = v;
    const missing = column.values.length - size;
    if (size === 0) return { name, kind: column.kind, missing, summary: 'all missing' };
    const sorted = finite.subarray(0, size).sort();
    const at = (q: number) => sorted[Math.min(size - 1, Math.floor(q * (size - 1)))]!;
    if (column.kind === 'date') {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      return { name, kind: 'date', missing, summary: `${day(at(0))} to ${day(at(1))}` };
    }
    const f = (v: number) => Number(v.toPrecision(4)).toLocaleString('en-US');
    return { name, kind: 'numeric', missing, summary: `min ${f(at(0))}, median ${f(at(0.5))}, max ${f(at(1))}` };
  });
}

/** The codes of the `k` largest non-zero counts, largest first; ties in code order (the categories' sorted order). */
function mostFrequent(counts: Int32Array, k: number): number[] {
  const top: number[] = [];
  for (let code = 0; code < counts.length; code++) {
    const n = counts[code]!;
    if (n === 0 || (top.length === k && n <= counts[top[k - 1]!]!)) continue;
    let at = top.length;
    while (at > 0 && counts[top[at - 1]!]! < n) at--;
    top.splice(at, 0, code);
    if (top.length > k) top.pop();
  }
  return top;
}
