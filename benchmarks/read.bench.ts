/**
 * Readers vs pandas / pyarrow: runs @kdap/preprocessing's own benchmark
 * (packages/preprocessing/bench/read-bench.ts: 1,000,000 x 20 float64 CSV and Parquet into a
 * Table, interleaved with pandas.read_csv / pyarrow.parquet.read_table, plus peak RSS in fresh
 * processes) in a child process and returns its table.
 *
 *   npm run bench -- read [--rows 1000000] [--repeats 7]
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export async function readBench(argv: string[]): Promise<string> {
  const script = path.join(__dirname, '..', 'packages', 'preprocessing', 'bench', 'read-bench.ts');
  const flags = argv.filter((a, i) => !(i === 0 && a === 'read'));
  return execFileSync(process.execPath, ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', script, ...flags], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  }).trimEnd();
}
