/**
 * Run by leak.test.ts: build/query/dispose in a loop and report RSS growth after a warm-up
 * (allocator and thread stacks settle first).
 */
import { binding } from './binding';
import { NeighborIndex } from './neighbor-index';

const cycles = Number(process.argv[2] ?? 2000);
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

for (let i = 0; i < 100; i++) cycle();
gc();
const before = process.memoryUsage().rss;
for (let i = 0; i < cycles; i++) cycle();
gc();
const after = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ cycles, before, after, growthMB: (after - before) / 2 ** 20, live: binding().liveHandles() }));
