/** Helpers for benchmark tables. */
import { execFileSync } from 'node:child_process';

/**
 * Runs a benchmark script (benchmarks/*.child.ts, TypeScript from source) in a child process with
 * the flags after the benchmark's name, and returns the table it prints.
 */
export function runChildBench(script: string, name: string, argv: string[]): string {
  const flags = argv.filter((a, i) => !(i === 0 && a === name));
  return execFileSync(process.execPath, ['--conditions=@kdap/source', '-r', 'ts-node/register/transpile-only', script, ...flags], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  }).trimEnd();
}
export function arg(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function ratioRow(label: string, ts: number, py: number, goal: string): string {
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(3) : v.toPrecision(3));
  return `| ${label} | ${fmt(ts)} | ${fmt(py)} | ${(ts / py).toFixed(3)} | ${goal} |`;
}
