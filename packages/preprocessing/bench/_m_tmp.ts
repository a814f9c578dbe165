import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readTable } from '../src/io/readTable';
(async () => {
  await readTable('/tmp/kdap-mem/warm.csv');
  for (const f of ['mixed.csv', 'mixed.parquet']) {
    const ts: number[] = [], py: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now(); await readTable('/tmp/kdap-mem/' + f); ts.push((performance.now() - s) / 1000);
      const code = f.endsWith('csv') ? "import time, pandas as pd\ns=time.perf_counter(); pd.read_csv('/tmp/kdap-mem/mixed.csv'); print(time.perf_counter()-s)" : "import time, pyarrow.parquet as pq\ns=time.perf_counter(); pq.read_table('/tmp/kdap-mem/mixed.parquet'); print(time.perf_counter()-s)";
      py.push(Number(execFileSync('.venv-ref/bin/python', ['-c', code], { encoding: 'utf8' })));
    }
    console.log(f, 'ts', ts.map((x) => x.toFixed(2)).join(' '), 'py', py.map((x) => x.toFixed(2)).join(' '));
  }
})();
