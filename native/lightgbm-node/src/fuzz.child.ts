/**
 * Run by fuzz.test.ts in a child process: throws random argument types, shapes and values at
 * every layer-1 function. Each call must return or throw a ParameterError, DisposedError or NativeError;
 * anything else fails the property, and a crash shows up as a signal in the parent.
 */
import fc from 'fast-check';
import { DisposedError, NativeError, ParameterError } from '@kdap/errors';
import { binding, type LightGBMBinding } from './binding';

const b = binding();
const runs = Number(process.argv[2] ?? 200);

// Real handles of each kind, live and disposed, so the fuzz reaches past the type checks.
const X = new Float64Array(200 * 4).map((_, i) => Math.sin(i));
const y = new Float32Array(200).map((_, i) => i % 7);
const ds = b.datasetCreateFromMat(X, 200, 4, true, 'verbosity=-1', null);
b.datasetSetField(ds, 'label', y);
const booster = b.boosterCreate(ds, 'objective=regression verbosity=-1 num_threads=1');
b.boosterUpdateOneIter(booster);
const fast = b.boosterPredictForMatSingleRowFastInit(booster, 0, 0, -1, 1, 4, '');
const deadDs = b.datasetCreateFromMat(X, 200, 4, true, 'verbosity=-1', null);
b.datasetFree(deadDs);
const deadBooster = b.boosterCreate(ds, 'verbosity=-1');
b.boosterFree(deadBooster);
const detached = new Float64Array(16);
structuredClone(detached.buffer, { transfer: [detached.buffer] });

const handle = fc.constantFrom<unknown>(ds, booster, fast, deadDs, deadBooster);
const typed = fc.oneof(
  fc.float64Array({ maxLength: 64 }),
  fc.float32Array({ maxLength: 64 }),
  fc.int32Array({ maxLength: 16 }),
  fc.constant(detached),
  fc.constant(X),
  fc.constant(X.subarray(0, 799)),
  fc.constant(new Float64Array(4).fill(NaN)),
  fc.constant(new Float64Array(4).fill(Infinity)),
);
const num = fc.oneof(
  fc.integer({ min: -5, max: 300 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1, 4, 200, 2 ** 31, 2 ** 53, -(2 ** 31), 0.5, 1e308),
);
const arg = fc.oneof(
  { weight: 4, arbitrary: handle },
  { weight: 4, arbitrary: typed },
  { weight: 4, arbitrary: num },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('label', 'weight', 'init_score', 'group', 'objective=regression', 'verbosity=-1', 'a\0b') },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, {}, [], ['a', 'b', 'c', 'd'], [1, 2], () => 1, Symbol('s'), 10n) },
);

// networkInit would listen for peers when given a valid-looking machine list; it gets arguments
// with at least one wrong type (the validation path), never a real network setup.
const skipValid = new Set(['networkInit', 'networkFree', 'init', 'setLogger']);
const counts: Record<string, number> = {};
const allowed = (e: unknown) =>
  e instanceof ParameterError || e instanceof DisposedError || e instanceof NativeError;

let calls = 0;

/** One fuzzed call: it may return or throw an allowed error; anything else fails the property. */
async function call(name: string, fn: (...a: unknown[]) => unknown, args: unknown[]): Promise<void> {
  calls++;
  try {
    const r = fn(...args);
    if (r instanceof Promise) await r;
    // boosterTrainAsync returns { done, stop }: its outcome is the promise.
    const done = (r as { done?: unknown } | null)?.done;
    if (done instanceof Promise) await done;
    counts.ok = (counts.ok ?? 0) + 1;
  } catch (e) {
    if (!allowed(e)) throw new Error(`${name}(${args.map(String).join(', ')}) threw ${String(e)}`);
    const key = (e as Error).name;
    counts[key] = (counts[key] ?? 0) + 1;
  }
}

// Valid calls per function; the second phase mutates one or two arguments of these, so the fuzz
// gets past the first type check into shapes, ranges and the library. Their handles are reached
// only through the templates: the first phase, which may free any handle in `handle`, cannot
// dispose of them, so mutated calls get past the disposed-handle check.
const row = new Float64Array(4).fill(0.5);
const tDs = b.datasetCreateFromMat(X, 200, 4, true, 'verbosity=-1', null);
b.datasetSetField(tDs, 'label', y);
// datasetSetField's mutations may store any field (e.g. an init_score for 3 classes): on a dataset
// of its own, so the other templates' dataset keeps valid fields.
const tFieldDs = b.datasetCreateFromMat(X, 200, 4, true, 'verbosity=-1', null);
const tBooster = b.boosterCreate(tDs, 'objective=regression verbosity=-1 num_threads=1');
b.boosterUpdateOneIter(tBooster);
const tBatchBooster = b.boosterCreate(tDs, 'objective=regression verbosity=-1 num_threads=1');
const tValidBooster = b.boosterCreate(tDs, 'objective=regression verbosity=-1 num_threads=1');
const tFast = b.boosterPredictForMatSingleRowFastInit(tBooster, 0, 0, -1, 1, 4, '');
const tDeadDs = b.datasetCreateFromMat(X, 200, 4, true, 'verbosity=-1', null);
b.datasetFree(tDeadDs);
const tDeadBooster = b.boosterCreate(tDs, 'verbosity=-1');
b.boosterFree(tDeadBooster);
const tDeadFast = b.boosterPredictForMatSingleRowFastInit(tBooster, 0, 0, -1, 1, 4, '');
b.fastConfigFree(tDeadFast);
const templates: Record<string, unknown[]> = {
  dumpParamAliases: [],
  datasetCreateFromMat: [X, 200, 4, true, 'verbosity=-1', null],
  datasetCreateFromMatAsync: [X, 200, 4, true, 'verbosity=-1', tDs],
  datasetSetField: [tFieldDs, 'label', y],
  datasetGetField: [tDs, 'label'],
  datasetGetNumData: [tDs],
  datasetGetNumFeature: [tDs],
  datasetSetFeatureNames: [tDs, ['a', 'b', 'c', 'd']],
  datasetGetFeatureNames: [tDs],
  datasetFree: [tDeadDs],
  boosterCreate: [tDs, 'objective=regression verbosity=-1 num_threads=1'],
  boosterAddValidData: [tValidBooster, tDs],
  boosterUpdateOneIter: [tBooster],
  boosterUpdateOneIterAsync: [tBooster],
  boosterUpdateBatchAsync: [tBatchBooster, 2, Int32Array.from([0])],
  boosterTrainAsync: [tBatchBooster, 2, Int32Array.from([0]), 1, () => false],
  boosterRollbackOneIter: [tBooster],
  boosterGetCurrentIteration: [tBooster],
  boosterGetEvalCounts: [tBooster],
  boosterGetEvalNames: [tBooster],
  boosterGetEval: [tBooster, 0],
  boosterGetNumFeature: [tBooster],
  boosterGetNumClasses: [tBooster],
  boosterNumModelPerIteration: [tBooster],
  boosterGetFeatureNames: [tBooster],
  boosterPredictForMat: [tBooster, X, 200, 4, true, 0, 0, -1, ''],
  boosterPredictForMatAsync: [tBooster, X, 200, 4, false, 3, 0, -1, ''],
  boosterPredictForMatSingleRowFastInit: [tBooster, 0, 0, -1, 1, 4, ''],
  boosterPredictForMatSingleRowFast: [tFast, row, new Float64Array(8)],
  fastConfigFree: [tDeadFast],
  boosterFeatureImportance: [tBooster, -1, 1],
  boosterSaveModelToString: [tBooster, 0, -1, 0],
  boosterLoadModelFromString: ['tree\nversion=v4\nnum_class=1\n'],
  boosterGetLoadedParam: [tBooster],
  boosterFree: [tDeadBooster],
};

/**
 * Templates that fail unmutated: the loaded model string has no trees (kept: it reaches the
 * model parser with every mutation).
 */
const invalidAsIs = new Set(['boosterLoadModelFromString']);

/** Calls each template unmutated; returns the names whose call did not succeed. */
async function failingTemplates(): Promise<string[]> {
  const failing: string[] = [];
  for (const [name, template] of Object.entries(templates)) {
    if (invalidAsIs.has(name)) continue;
    try {
      const r = (b as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...template);
      if (r instanceof Promise) await r;
      const done = (r as { done?: unknown } | null)?.done;
      if (done instanceof Promise) await done;
    } catch (e) {
      failing.push(`${name}: ${String(e)}`);
    }
  }
  return failing;
}

void (async () => {
  // fc.assert on async properties returns promises; run them in sequence.
  for (const [name, fn] of Object.entries(b as unknown as Record<string, (...a: unknown[]) => unknown>)) {
    if (skipValid.has(name)) continue;
    await fc.assert(fc.asyncProperty(fc.array(arg, { maxLength: 10 }), (args) => call(name, fn, args)), { numRuns: runs, seed: 4242 });
  }
  const failingBefore = await failingTemplates();
  for (const [name, template] of Object.entries(templates)) {
    const fn = (b as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
    const mutation = fc.tuple(fc.nat({ max: Math.max(0, template.length - 1) }), arg);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), (mutations) => {
        const args = [...template];
        for (const [i, v] of mutations) args[i] = v;
        return call(name, fn, args);
      }),
      { numRuns: runs, seed: 4243 },
    );
  }
  // Every template still works after its mutations: their handles stayed live throughout.
  const failingAfter = await failingTemplates();
  // The skipped ones: wrong types only.
  const invalid: [keyof LightGBMBinding, unknown[]][] = [
    ['networkInit', [1, 2, 3, 4]],
    ['networkInit', ['a:1', 'x', 1, 1]],
    ['networkInit', ['a:1', 1.5, 1, 1]],
    ['networkInit', ['a:1', 70000, 1, 1]],
    ['setLogger', [42]],
    ['init', ['NativeError']],
  ];
  for (const [name, args] of invalid) {
    calls++;
    try {
      (b[name] as (...a: unknown[]) => unknown)(...args);
      throw new Error(`${name} accepted invalid arguments`);
    } catch (e) {
      if (!(e instanceof ParameterError)) throw e;
      counts[(e as Error).name] = (counts[(e as Error).name] ?? 0) + 1;
    }
  }
  process.stdout.write(JSON.stringify({ calls, counts, failingBefore, failingAfter }));
})();
