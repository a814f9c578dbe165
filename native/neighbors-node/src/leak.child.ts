/**
 * Run by leak.test.ts: build/query/dispose in a loop after a warm-up, and report process memory
 * (after a full GC) every `window` cycles: RSS, V8's heap, and the ArrayBuffers/external memory V8
 * holds (the query results are JS typed arrays, garbage after each cycle).
 */
import { binding } from './binding';
import { NeighborIndex } from './neighbor-index';

const cycles = Number(process.argv[2] ?? 1000);
const window = Number(process.argv[3] ?? 100);
const ROWS = 2000;
const COLS = 8;
const X = new Float64Array(ROWS * COLS).map((_, i) => Math.sin(i * 0.37) * 3 + Math.cos(i * 1.1));
const gc = (globalThis as { gc?: () => void }).gc!;

function cycle(): void {
  const index = NeighborIndex.build(X, ROWS, COLS);
  index.kneighbors(X, ROWS, 10, { excludeSelf: true, nJobs: 2 });
  index.kneighbors(X.subarray(0, 100 * COLS), 100, 5);
  index.dispose();
}

const MB = 2 ** 20;
function sample(cycle: number) {
  gc();
  const u = process.memoryUsage();
  return { cycle, rssMB: u.rss / MB, heapTotalMB: u.heapTotal / MB, externalMB: u.external / MB, arrayBuffersMB: u.arrayBuffers / MB };
}

for (let i = 0; i < 100; i++) cycle();
const samples = [sample(0)];
for (let i = 1; i <= cycles; i++) {
  cycle();
  if (i % window === 0) samples.push(sample(i));
}
process.stdout.write(JSON.stringify({ cycles, window, samples, live: binding().liveHandles() }));
