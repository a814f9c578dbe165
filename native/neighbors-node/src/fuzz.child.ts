/**
 * Run by fuzz.test.ts in a child process: random argument types, shapes and values at every
 * layer-1 function of the addon and at NeighborIndex. Each call must return or throw a kernel
 * error (ParameterError, DataError, DisposedError); anything else fails, and a crash shows up as
 * a signal in the parent.
 */
import fc from 'fast-check';
import { DataError, DisposedError, ParameterError } from '@kdap/errors';
import { binding } from './binding';
import { NeighborIndex } from './neighbor-index';

const b = binding();
const runs = Number(process.argv[2] ?? 300);

const X = new Float64Array(60 * 3).map((_, i) => Math.sin(i * 1.3));
const live = b.build(X, 60, 3, 16);
const dead = b.build(X, 60, 3, 16);
b.dispose(dead);
const withNaN = X.slice();
withNaN[100] = NaN;
const detached = new Float64Array(16);
structuredClone(detached.buffer, { transfer: [detached.buffer] });

const handle = fc.constantFrom<unknown>(live, dead);
const typed = fc.oneof(
  fc.float64Array({ maxLength: 64 }),
  fc.float32Array({ maxLength: 16 }),
  fc.int32Array({ maxLength: 64 }),
  fc.constant(detached),
  fc.constant(X),
  fc.constant(X.subarray(0, 179)),
  fc.constant(withNaN),
  fc.constant(new Float64Array(3).fill(NaN)),
  fc.constant(new Float64Array(6).fill(-Infinity)),
  fc.constant(new Float64Array(60 * 5)),
  fc.constant(new Int32Array(60 * 5)),
);
const num = fc.oneof(
  fc.integer({ min: -3, max: 130 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1, 2, 3, 5, 59, 60, 61, 1024, 2 ** 31, 2 ** 53, 0.5, 1e308),
);
const arg = fc.oneof(
  { weight: 3, arbitrary: handle },
  { weight: 4, arbitrary: typed },
  { weight: 5, arbitrary: num },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, {}, [], [1, 2, 3], 'x', () => 1, Symbol('s'), 10n) },
);

const allowed = (e: unknown) => e instanceof ParameterError || e instanceof DisposedError || e instanceof DataError;
const counts: Record<string, number> = {};
let calls = 0;
const calls1: [string, (args: unknown[]) => unknown, number][] = [
  ['build', (a) => (b.build as (...x: unknown[]) => unknown)(...a), 4],
  ['query', (a) => (b.query as (...x: unknown[]) => unknown)(...a), 8],
  ['indexInfo', (a) => (b.indexInfo as (...x: unknown[]) => unknown)(...a), 1],
  ['NeighborIndex.build', (a) => NeighborIndex.build(a[0] as Float64Array, a[1] as number, a[2] as number, { leafSize: a[3] as number }).dispose(), 4],
  [
    'kneighbors',
    (a) => {
      using index = NeighborIndex.build(X, 60, 3);
      return index.kneighbors(a[0] as Float64Array, a[1] as number, a[2] as number, { excludeSelf: a[3] as boolean, nJobs: a[4] as number, distances: a[5] as Float64Array, indices: a[6] as Int32Array });
    },
    7,
  ],
];

for (const [name, call, arity] of calls1) {
  fc.assert(
    fc.property(fc.array(arg, { minLength: 0, maxLength: arity + 1 }), (args) => {
      calls += 1;
      try {
        call(args);
        counts.ok = (counts.ok ?? 0) + 1;
      } catch (e) {
        if (!allowed(e)) throw new Error(`${name}(${args.map(String).join(', ')}) threw ${String(e)}`);
        counts[(e as Error).name] = (counts[(e as Error).name] ?? 0) + 1;
      }
    }),
    { numRuns: runs * (name === 'query' || name === 'kneighbors' ? 20 : 5), seed: 7 },
  );
}
// Mostly valid query calls with one field mutated, so the fuzz gets past the type checks.
const valid = (): unknown[] => [live, X, 60, 5, false, 2, new Float64Array(300), new Int32Array(300)];
fc.assert(
  fc.property(fc.integer({ min: 0, max: 7 }), arg, (at, value) => {
    const args = valid();
    args[at] = value;
    calls += 1;
    try {
      (b.query as (...x: unknown[]) => unknown)(...args);
      counts.ok = (counts.ok ?? 0) + 1;
    } catch (e) {
      if (!allowed(e)) throw new Error(`query with argument ${at} = ${String(value)} threw ${String(e)}`);
      counts[(e as Error).name] = (counts[(e as Error).name] ?? 0) + 1;
    }
  }),
  { numRuns: runs * 20, seed: 11 },
);
// The same for NeighborIndex.kneighbors (layer 2), whose DataError paths need well-shaped input.
fc.assert(
  fc.property(fc.integer({ min: 0, max: 6 }), arg, (at, value) => {
    const args: unknown[] = [X, 60, 5, false, 2, new Float64Array(300), new Int32Array(300)];
    args[at] = value;
    calls += 1;
    try {
      using index = NeighborIndex.build(X, 60, 3);
      index.kneighbors(args[0] as Float64Array, args[1] as number, args[2] as number, { excludeSelf: args[3] as boolean, nJobs: args[4] as number, distances: args[5] as Float64Array, indices: args[6] as Int32Array });
      counts.ok = (counts.ok ?? 0) + 1;
    } catch (e) {
      if (!allowed(e)) throw new Error(`kneighbors with argument ${at} = ${String(value)} threw ${String(e)}`);
      counts[(e as Error).name] = (counts[(e as Error).name] ?? 0) + 1;
    }
  }),
  { numRuns: runs * 10, seed: 13 },
);
b.dispose(live);
process.stdout.write(JSON.stringify({ calls, counts, live: b.liveHandles() }));
