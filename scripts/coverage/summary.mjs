/**
 * Prints the coverage of the last `jest --coverage` run (coverage/coverage-summary.json) as one
 * table row per workspace package, then the total; the HTML report is coverage/index.html.
 *
 *   node scripts/coverage/summary.mjs [coverage/coverage-summary.json]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = process.argv[2] ?? join(root, 'coverage', 'coverage-summary.json');
const METRICS = ['lines', 'statements', 'functions', 'branches'];

if (!existsSync(file)) {
  console.log(`No coverage summary at ${relative(process.cwd(), file) || file}: run \`npm run test:coverage\` first.`);
  process.exit(1);
}

/** Per package ("packages/core"), the covered and total counts of each metric. */
const packages = new Map();
const summary = JSON.parse(readFileSync(file, 'utf8'));
for (const [path, counts] of Object.entries(summary)) {
  if (path === 'total') continue;
  const parts = relative(root, path).split(sep);
  const name = parts.length > 2 && (parts[0] === 'packages' || parts[0] === 'native') ? `${parts[0]}/${parts[1]}` : parts[0];
  const sums = packages.get(name) ?? { files: 0, ...Object.fromEntries(METRICS.map((m) => [m, { covered: 0, total: 0 }])) };
  sums.files += 1;
  for (const m of METRICS) {
    sums[m].covered += counts[m].covered;
    sums[m].total += counts[m].total;
  }
  packages.set(name, sums);
}

const percent = ({ covered, total }) => (total === 0 ? '-' : `${((100 * covered) / total).toFixed(1)} %`);
const rows = [...packages.entries()].sort(([a], [b]) => a.localeCompare(b));
const lines = [
  '| package | files | lines | statements | functions | branches |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(([name, s]) => `| ${name} | ${s.files} | ${METRICS.map((m) => percent(s[m])).join(' | ')} |`),
  `| **total** | ${rows.reduce((n, [, s]) => n + s.files, 0)} | ${METRICS.map((m) => `**${percent(summary.total[m])}**`).join(' | ')} |`,
];
console.log(`Coverage of the TypeScript sources (HTML report: ${relative(process.cwd(), join(dirname(file), 'index.html'))})\n`);
console.log(lines.join('\n'));
