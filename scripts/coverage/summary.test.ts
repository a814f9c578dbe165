import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const counts = (covered: number, total: number) => ({ covered, total, skipped: 0, pct: 0 });
const entry = (lines: [number, number], branches: [number, number]) => ({
  lines: counts(...lines),
  statements: counts(...lines),
  functions: counts(1, 2),
  branches: counts(...branches),
});

it('sums the files of each package into one row and prints the total', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdap-coverage-'));
  try {
    const file = join(dir, 'coverage-summary.json');
    writeFileSync(
      file,
      JSON.stringify({
        total: entry([30, 40], [0, 0]),
        [join(ROOT, 'packages/core/src/a.ts')]: entry([10, 10], [0, 0]),
        [join(ROOT, 'packages/core/src/metrics/b.ts')]: entry([5, 20], [0, 0]),
        [join(ROOT, 'native/napi-common/src/c.ts')]: entry([15, 10], [3, 4]),
      }),
    );
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/coverage/summary.mjs'), file], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('| native/napi-common | 1 | 150.0 % | 150.0 % | 50.0 % | 75.0 % |');
    expect(run.stdout).toContain('| packages/core | 2 | 50.0 % | 50.0 % | 50.0 % | - |');
    expect(run.stdout).toContain('| **total** | 3 | **75.0 %** | **75.0 %** | **50.0 %** | **-** |');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('says what to run when there is no summary', () => {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts/coverage/summary.mjs'), '/nonexistent/coverage-summary.json'], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stdout).toContain('run `npm run test:coverage` first');
});
