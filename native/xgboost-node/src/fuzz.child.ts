/**
 * Run by fuzz.test.ts in a child process: throws random argument types, shapes and values at
 * every layer-1 function, then mutates valid calls one or two arguments at a time (including
 * truncated and corrupted model bytes), then random options at the layer-2 classes. Every call
 * must return or fail with a typed @kdap/errors error (ParameterError/DisposedError from
 * validation in C++ and in layer 2, NativeError from XGBoost, AbortError). Anything else fails the
 * property; a crash shows up as a signal in the parent. Prints call counts as JSON.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { AbortError, DisposedError, NativeError, ParameterError } from '@kdap/errors';
import { binding, type BoosterHandle, type DMatrixHandle } from './binding';
import { Booster } from './booster';
import { DMatrix } from './dmatrix';

const b = binding();
b.setGlobalConfig('{"verbosity": 0}'); // XGBoost's warnings about odd parameters are expected here
const runs = Number(process.argv[2] ?? 100);
const seed = Number(process.argv[3] ?? 7000);
type Fn = (...a: unknown[]) => unknown;
const fns = b as unknown as Record<string, Fn>;

// Real handles of each kind, live and disposed, so the fuzz gets past the type checks.
const ROWS = 60;
const COLS = 4;
const X = new Float32Array(ROWS * COLS).map((_, i) => Math.sin(i * 0.7));
const y = new Float32Array(ROWS).map((_, i) => (X[i * COLS]! > 0 ? 1 : 0));
/** Live handles, rebuilt before each phase so one phase's frees and bad parameters do not starve the next. */
const S = {} as Record<'dmat' | 'trained' | 'fresh' | 'loadTarget' | 'deadDmat' | 'deadBooster', unknown>;
function rebuild(): void {
  const dmat = b.dmatrixCreateFromDense(X, ROWS, COLS, NaN, 1);
  b.dmatrixSetInfoFromInterface(dmat, 'label', y);
  const trained = b.boosterCreate([dmat]);
  b.boosterSetParam(trained, 'objective', 'binary:logistic');
  b.boosterSetParam(trained, 'nthread', '1');
  for (let i = 0; i < 3; i++) b.boosterUpdateOneIter(trained, i, dmat);
  const deadDmat = b.dmatrixCreateFromDense(X, ROWS, COLS, NaN, 1);
  b.dmatrixFree(deadDmat);
  const deadBooster = b.boosterCreate([]);
  b.boosterFree(deadBooster);
  Object.assign(S, { dmat, trained, fresh: b.boosterCreate([dmat]), loadTarget: b.boosterCreate([]), deadDmat, deadBooster });
}
rebuild();
const trained = S.trained as BoosterHandle;
const json = b.boosterSaveModelToBuffer(trained, 'json');
const ubj = b.boosterSaveModelToBuffer(trained, 'ubj');
// A model with categorical (set) splits too, for the structured edits below.
const categoricalJson = (() => {
  const xc = X.map((v, i) => (i % COLS === 0 ? Math.floor(i / COLS) % 6 : v));
  const dc = b.dmatrixCreateFromDense(xc, ROWS, COLS, NaN, 1);
  b.dmatrixSetInfoFromInterface(dc, 'label', xc.filter((_, i) => i % COLS === 0).map((c) => (c === 2 || c === 4 ? 1 : 0)));
  b.dmatrixSetStrFeatureInfo(dc, 'feature_type', ['c', 'q', 'q', 'q']);
  const bc = b.boosterCreate([dc]);
  for (const [k, v] of [['objective', 'binary:logistic'], ['tree_method', 'hist'], ['max_cat_to_onehot', '1'], ['nthread', '1']]) b.boosterSetParam(bc, k!, v!);
  for (let i = 0; i < 3; i++) b.boosterUpdateOneIter(bc, i, dc);
  return new TextDecoder().decode(b.boosterSaveModelToBuffer(bc, 'json'));
})();
const numberTokens = (text: string) => [...text.matchAll(/-?\d+(\.\d+)?(E-?\d+)?/g)].map((m) => [m.index, m[0].length] as const);
const editable = [new TextDecoder().decode(json), categoricalJson].map((text) => ({ text, numbers: numberTokens(text) }));
const detached = new Float32Array(16);
structuredClone(detached.buffer, { transfer: [detached.buffer] });

const handle = fc.constantFrom('dmat', 'trained', 'fresh', 'loadTarget', 'deadDmat', 'deadBooster' as const).map((k) => S[k]);
const modelBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.nat({ max: json.length }).map((n) => json.subarray(0, n)),
  fc.nat({ max: ubj.length }).map((n) => ubj.subarray(0, n)),
  fc.tuple(fc.constantFrom(json, ubj), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([src, edits]) => {
    const out = Uint8Array.from(src);
    for (const [pos, v] of edits) out[pos % out.length] = v;
    return out;
  }),
  fc.constant(new TextEncoder().encode('{"learner":' + '['.repeat(100000))),
  // Well-formed JSON with one or two numbers replaced: reaches the tree checks, not the parser.
  fc.tuple(
    fc.constantFrom(...editable),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('-1', '0', '1', '2', '3', '4', '7', '-2', '2147483647', '1E9', 'NaN')), { minLength: 1, maxLength: 2 }),
  ).map(([source, edits]) => {
    let text = source.text;
    for (const [i, value] of edits) {
      const [pos, len] = source.numbers[i % source.numbers.length]!;
      text = text.slice(0, pos) + value + text.slice(pos + len);
    }
    return new TextEncoder().encode(text);
  }),
);
const typed = fc.oneof(
  fc.float32Array({ maxLength: 64 }),
  fc.float64Array({ maxLength: 64 }),
  fc.int32Array({ maxLength: 16 }),
  modelBytes,
  fc.constant(detached),
  fc.constant(X),
  fc.constant(X.subarray(0, ROWS * COLS - 1)),
  fc.constant(y),
  fc.constant(new Float64Array(ROWS).fill(NaN)),
  fc.constant(new Float32Array(ROWS * 3).fill(Infinity)),
);
const num = fc.oneof(
  fc.integer({ min: -5, max: 300 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1, 2, 3, 4, 6, ROWS, 2 ** 31, 2 ** 53, -(2 ** 31), 0.5, 1e308),
);
const str = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('label', 'weight', 'base_margin', 'group', 'feature_name', 'feature_type', 'json', 'ubj', 'deprecated',
    'weight', 'gain', 'total_cover', 'split', 'objective', 'max_depth', 'eta', 'eval_metric', 'tree_method', 'num_class',
    'binary:logistic', 'multi:softprob', 'reg:squarederror', 'hist', 'approx', 'auc', '3', '-1', '1e9', 'a\0b',
    '{"verbosity": 0}', '{"verbosity": 7}', '{', 'best_iteration'),
);
const arg = fc.oneof(
  { weight: 4, arbitrary: handle },
  { weight: 4, arbitrary: typed },
  { weight: 4, arbitrary: num },
  { weight: 3, arbitrary: str },
  { weight: 1, arbitrary: fc.boolean() },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom(null, undefined, {}, [], ['a', 'b', 'c', 'd'], ['q', 'q', 'c', 'x'], ['train'], [1, 2], () => 1, Symbol('s'), 10n),
      fc.constantFrom(['dmat'], ['dmat', 'dmat'], ['dmat', 'trained'], ['deadDmat']).map((keys) => keys.map((k) => S[k as keyof typeof S])),
    ),
  },
);

// Valid calls per function: the second phase mutates one or two arguments of these.
const templates: Record<string, () => unknown[]> = {
  version: () => [],
  buildInfo: () => [],
  getGlobalConfig: () => [],
  setGlobalConfig: () => ['{"verbosity": 0}'],
  dmatrixCreateFromDense: () => [X, ROWS, COLS, NaN, 1],
  dmatrixCreateFromDenseAsync: () => [X, ROWS, COLS, NaN, 1],
  dmatrixSetInfoFromInterface: () => [S.dmat, 'label', y],
  dmatrixGetFloatInfo: () => [S.dmat, 'label'],
  dmatrixSetStrFeatureInfo: () => [S.dmat, 'feature_name', ['a', 'b', 'c', 'd']],
  dmatrixGetStrFeatureInfo: () => [S.dmat, 'feature_name'],
  dmatrixNumRow: () => [S.dmat],
  dmatrixNumCol: () => [S.dmat],
  dmatrixFree: () => [S.deadDmat],
  boosterCreate: () => [[S.dmat]],
  boosterSetParam: () => [S.fresh, 'max_depth', '3'],
  boosterUpdateOneIter: () => [S.trained, 3, S.dmat],
  boosterUpdateOneIterAsync: () => [S.trained, 3, S.dmat],
  boosterEvalOneIter: () => [S.trained, 0, [S.dmat], ['train']],
  boosterEvalOneIterAsync: () => [S.trained, 0, [S.dmat], ['train']],
  boosterBoostedRounds: () => [S.trained],
  boosterGetNumFeature: () => [S.trained],
  boosterPredictFromDense: () => [S.trained, X, ROWS, COLS, 0, 0, 0, NaN],
  boosterPredictFromDenseAsync: () => [S.trained, X, ROWS, COLS, 1, 0, 2, NaN],
  boosterPredictFromDMatrix: () => [S.trained, S.dmat, 2, 0, 0],
  boosterPredictFromDMatrixAsync: () => [S.trained, S.dmat, 6, 1, 2],
  boosterSaveModelToBuffer: () => [S.trained, 'ubj'],
  boosterLoadModelFromBuffer: () => [S.loadTarget, json],
  boosterFeatureScore: () => [S.trained, 'gain'],
  boosterSlice: () => [S.trained, 0, 2, 1],
  boosterSetAttr: () => [S.trained, 'note', 'x'],
  boosterGetAttr: () => [S.trained, 'note'],
  boosterSetStrFeatureInfo: () => [S.fresh, 'feature_name', ['a', 'b', 'c', 'd']],
  boosterGetStrFeatureInfo: () => [S.trained, 'feature_name'],
  boosterFree: () => [S.deadBooster],
};

// FUZZ_TRACE=1 also counts outcomes per function, to see what each phase reaches.
const counts: Record<string, number> = {};
let calls = 0;
const typedError = (e: unknown) =>
  e instanceof ParameterError || e instanceof NativeError || e instanceof DisposedError || e instanceof AbortError;

function describeArgs(args: unknown[]): string {
  return args
    .map((a) => (ArrayBuffer.isView(a) ? `${a.constructor.name}(${(a as Uint8Array).length})` : typeof a === 'symbol' || typeof a === 'bigint' ? String(a) : JSON.stringify(a)?.slice(0, 60) ?? String(a)))
    .join(', ');
}

/** Frees get a throwaway handle in place of a shared live one, so the other calls keep theirs. */
function forFree(name: string, args: unknown[]): unknown[] {
  if (name !== 'dmatrixFree' && name !== 'boosterFree') return args;
  return args.map((a) => {
    if (a === S.dmat || a === S.trained || a === S.fresh || a === S.loadTarget) {
      return a === S.dmat ? (b.dmatrixCreateFromDense(X, ROWS, COLS, NaN, 1) as DMatrixHandle) : b.boosterCreate([]);
    }
    return a;
  });
}

const recent: string[] = [];
async function call(name: string, fn: Fn, rawArgs: unknown[]): Promise<void> {
  const args = forFree(name, rawArgs);
  calls++;
  // FUZZ_LAST=file keeps the call about to run there, to name the call behind a crash.
  if (process.env.FUZZ_LAST) {
    const who = (a: unknown) => (Object.entries(S).find(([, h]) => h === a)?.[0] ?? '');
    recent.push(`${name}(${describeArgs(args)}) [${args.map(who).join(',')}]`);
    if (recent.length > 400) recent.shift();
    writeFileSync(process.env.FUZZ_LAST, recent.join('\n') + '\n');
    if (name === 'boosterLoadModelFromBuffer' && args[1] instanceof Uint8Array) writeFileSync(process.env.FUZZ_LAST + '.model', args[1]);
  }
  try {
    const r = fn(...args);
    if (r instanceof Promise) await r;
    counts['ok'] = (counts['ok'] ?? 0) + 1;
    if (process.env.FUZZ_TRACE) counts[`${name}:ok`] = (counts[`${name}:ok`] ?? 0) + 1;
  } catch (e) {
    if (!typedError(e)) throw new Error(`${name}(${describeArgs(args)}) failed with an untyped error: ${String(e)}`);
    const key = (e as Error).name;
    if (process.env.FUZZ_TRACE) counts[`${name}:${key}`] = (counts[`${name}:${key}`] ?? 0) + 1;
    counts[key] = (counts[key] ?? 0) + 1;
  }
}

void (async () => {
  // init would replace the NativeError class this process relies on.
  const names = Object.keys(fns).filter((n) => n !== 'init');
  for (const name of names) {
    rebuild();
    await fc.assert(fc.asyncProperty(fc.array(arg, { maxLength: 9 }), (args) => call(name, fns[name]!, args)), { numRuns: runs, seed: seed + 1 });
  }
  for (const [name, template] of Object.entries(templates)) {
    rebuild();
    const mutation = fc.array(fc.tuple(fc.nat({ max: Math.max(0, template().length - 1) }), arg), { minLength: 1, maxLength: 2 });
    await fc.assert(
      fc.asyncProperty(mutation, (edits) => {
        const args = [...template()];
        for (const [i, v] of edits) args[i] = v;
        return call(name, fns[name]!, args);
      }),
      { numRuns: runs * 2, seed: seed + 2 },
    );
  }
  await call('init', fns['init']!, ['not a class']);

  // Saved models, truncated or corrupted, then everything that walks the loaded trees.
  rebuild();
  await fc.assert(
    fc.asyncProperty(modelBytes, async (bytes) => {
      const target = b.boosterCreate([]);
      await call('boosterLoadModelFromBuffer', fns['boosterLoadModelFromBuffer']!, [target, bytes]);
      await call('boosterPredictFromDense', fns['boosterPredictFromDense']!, [target, X, ROWS, COLS, 0, 0, 0, NaN]);
      await call('boosterPredictFromDMatrix', fns['boosterPredictFromDMatrix']!, [target, S.dmat, 2, 0, 0]);
      await call('boosterFeatureScore', fns['boosterFeatureScore']!, [target, 'total_gain']);
      b.boosterFree(target);
    }),
    { numRuns: runs * 10, seed: seed + 4 },
  );
  // Shapes and ranges: every numeric argument of the predictions at once.
  await fc.assert(
    fc.asyncProperty(num, num, num, num, num, async (nrow, ncol, type, begin, end) => {
      await call('boosterPredictFromDense', fns['boosterPredictFromDense']!, [S.trained, X, nrow, ncol, type, begin, end, NaN]);
      await call('boosterPredictFromDenseAsync', fns['boosterPredictFromDenseAsync']!, [S.trained, X, nrow, ncol, type, begin, end, NaN]);
      await call('boosterPredictFromDMatrixAsync', fns['boosterPredictFromDMatrixAsync']!, [S.trained, S.dmat, type, begin, end]);
      await call('boosterSlice', fns['boosterSlice']!, [S.trained, begin, end, type]);
      await call('dmatrixCreateFromDense', fns['dmatrixCreateFromDense']!, [X, nrow, ncol, type, begin]);
    }),
    { numRuns: runs * 4, seed: seed + 5 },
  );

  // Layer 2: random options and data; only ParameterError/DisposedError/NativeError/AbortError.
  const live = new DMatrix(X, { rows: ROWS, cols: COLS, label: y });
  const booster = await Booster.train({ objective: 'binary:logistic', nthread: 1 }, live, { numBoostRound: 3 });
  const options = fc.dictionary(
    fc.constantFrom('rows', 'cols', 'label', 'weight', 'baseMargin', 'featureNames', 'featureTypes', 'missing', 'nthread',
      'outputMargin', 'contributions', 'iterationRange', 'numBoostRound', 'evals', 'earlyStoppingRounds', 'maximize', 'signal', 'rowz'),
    fc.oneof(arg, fc.constant([live, 'valid']), fc.constant([[live, 'valid']]), fc.constant([0, 2]), fc.constant(AbortSignal.abort())),
    { maxKeys: 5 },
  ).map((o) => ({ rows: ROWS, cols: COLS, ...o }));
  await fc.assert(
    fc.asyncProperty(typed, options, async (data, opts) => {
      await call('new DMatrix', (d, o) => new DMatrix(d as Float32Array, o as never).dispose(), [data, opts]);
      await call('Booster.predict', (d, o) => booster.predict(d as Float32Array, o as never), [data, opts]);
      await call('Booster.predictSync', (d, o) => booster.predictSync(d as Float32Array, o as never), [data, opts]);
      await call('Booster.train', (o) => Booster.train({ nthread: 1 }, live, { ...(o as object), numBoostRound: 2 } as never).then((t) => t.dispose()), [opts]);
    }),
    { numRuns: runs * 2, seed: seed + 3 },
  );
  await call('Booster.fromBuffer', (bytes) => Booster.fromBuffer(bytes as Uint8Array).dispose(), [json.subarray(0, 100)]);
  booster.dispose();
  live.dispose();
  process.stdout.write(JSON.stringify({ calls, counts }));
})().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
