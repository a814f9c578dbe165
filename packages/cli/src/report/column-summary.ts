import type { Table } from '@kdap/preprocessing';

/** One line per column for the report's data table: kind, missing count, and a short summary. */
export function summarizeColumns(table: Table): { name: string; kind: string; missing: number; summary: string }[] {
  return table.columnNames.map((name) => {
    const column = table.column(name);
    if (column.kind === 'categorical') {
      const counts = new Map<number, number>();
      let missing = 0;
      for (const code of column.codes) {
        if (code < 0) missing++;
        else counts.set(code, (counts.get(code) ?? 0) + 1);
      }
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, n]) => `${column.categories[c]} (${n})`);
      return { name, kind: 'categorical', missing, summary: `${counts.size} values; most frequent: ${top.join(', ')}` };
    }
    const finite: number[] = [];
    let missing = 0;
    for (const v of column.values) {
      if (Number.isNaN(v)) missing++;
      else finite.push(v);
    }
    finite.sort((a, b) => a - b);
    if (finite.length === 0) return { name, kind: column.kind, missing, summary: 'all missing' };
    const at = (q: number) => finite[Math.min(finite.length - 1, Math.floor(q * (finite.length - 1)))]!;
    if (column.kind === 'date') {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      return { name, kind: 'date', missing, summary: `${day(at(0))} to ${day(at(1))}` };
    }
    const f = (v: number) => Number(v.toPrecision(4)).toLocaleString('en-US');
    return { name, kind: 'numeric', missing, summary: `min ${f(at(0))}, median ${f(at(0.5))}, max ${f(at(1))}` };
  });
}
