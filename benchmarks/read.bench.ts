/**
 * Readers vs pandas / pyarrow: runs benchmarks/read.child.ts (1,000,000 x 20 float64 CSV and
 * Parquet into a Table, interleaved with pandas.read_csv / pyarrow.parquet.read_table, plus peak
 * RSS in fresh processes) in a child process and returns its table.
 *
 *   npm run bench -- read [--rows 1000000] [--repeats 7]
 */
import path from 'node:path';
import { runChildBench } from './report';

export async function readBench(argv: string[]): Promise<string> {
  return runChildBench(path.join(__dirname, 'read.child.ts'), 'read', argv);
}
