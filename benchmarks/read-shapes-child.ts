/**
 * One read of benchmarks/read-shapes.bench.ts in a fresh process: imports @kdap/preprocessing,
 * then times `readTable(file)` from the call to the ready Table (DuckDB's start-up included, as it
 * happens on a process's first read), and prints the seconds, the peak RSS the read added over
 * the RSS before it, and the Table's size, as JSON.
 *
 *   node --conditions=@kdap/source -r ts-node/register/transpile-only benchmarks/read-shapes-child.ts FILE
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Table, readTable } from '@kdap/preprocessing';

function status(field: string): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Bytes the Table's columns hold: values or codes, plus the category texts. */
function tableBytes(table: Table): number {
  let bytes = 0;
  for (const name of table.columnNames) {
    const column = table.column(name);
    if (column.kind === 'categorical') bytes += column.codes.byteLength + column.categories.reduce((sum, text) => sum + 2 * text.length, 0);
    else bytes += column.values.byteLength;
  }
  return bytes;
}

async function main(): Promise<void> {
  const file = process.argv[2] as string;
  const before = status('VmRSS');
  // Resets the high-water mark, so the peak is the read's, not the import's.
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const start = performance.now();
  const table = await readTable(file);
  const seconds = (performance.now() - start) / 1000;
  const peak = status('VmHWM');
  process.stdout.write(JSON.stringify({ seconds, peakAdded: peak - before, tableBytes: tableBytes(table), rows: table.rowCount }));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
