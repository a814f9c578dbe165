/**
 * Readers vs pandas / pyarrow: runs @kdap/preprocessing's own benchmark
 * (packages/preprocessing/bench/read-bench.ts: 1,000,000 x 20 float64 CSV and Parquet into a
 * Table, interleaved with pandas.read_csv / pyarrow.parquet.read_table, plus peak RSS in fresh
 * processes) in a child process and returns its table.
 *
 *   npm run bench -- read [--rows 1000000] [--repeats 7]
 */
import path from 'node:path';
import { runPackageBench } from './report';

export async function readBench(argv: string[]): Promise<string> {
  return runPackageBench(path.join(__dirname, '..', 'packages', 'preprocessing', 'bench', 'read-bench.ts'), 'read', argv);
}
