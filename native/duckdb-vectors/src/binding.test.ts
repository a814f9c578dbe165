import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import type * as Bindings from '@duckdb/node-bindings';
import fc from 'fast-check';
import { thrown } from '@kdap/test-support';
import { AddonLoadError, attachToDuckDB, binding, duckdbLibraryCandidates } from './index';
import { ParameterError } from '@kdap/errors';

// The bindings instance @duckdb/node-api uses: its handles are what the addon must accept.
const requireHere = createRequire(__filename);
const bindingsDir = path.dirname(requireHere.resolve('@duckdb/node-bindings/package.json', { paths: [requireHere.resolve('@duckdb/node-api')] }));
const bindings = requireHere(path.join(bindingsDir, 'duckdb.js')) as typeof Bindings;

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

// The addon's argument checks throw @kdap/errors' ParameterError (wrong type or out of range alike).
const typeError = (message: RegExp) => ({ name: 'ParameterError', code: 'ERR_KDAP_PARAMETER', message: expect.stringMatching(message) });
const rangeError = typeError;

/** The chunks of a query, materialized. */
async function chunksOf(sql: string): Promise<DuckDBDataChunk[]> {
  const result = await connection.run(sql);
  const chunks: DuckDBDataChunk[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) return chunks;
    chunks.push(chunk);
  }
}

describe('attach', () => {
  test('finds the DuckDB that @duckdb/node-bindings loaded, and reports its version', () => {
    const { version, library } = attachToDuckDB(bindingsDir);
    expect(version).toBe(bindings.library_version());
    expect(duckdbLibraryCandidates(bindingsDir)).toContain(library);
    // Attaching again to the same library is a no-op.
    expect(binding().attach(library)).toBe(version);
  });

  test('refuses a second, different library and a library the process has not loaded', () => {
    const { library } = attachToDuckDB(bindingsDir);
    expect(thrown(() => binding().attach('/usr/lib/x86_64-linux-gnu/libm.so.6'))).toEqual(typeError(/^Already attached to .*libduckdb\.so; cannot attach/));
    expect(thrown(() => binding().attach(library + '.missing'))).toEqual(typeError(/Already attached/));
    expect(thrown(() => binding().attach(1 as unknown as string))).toEqual(typeError(/^The 'libraryPath' argument must be a string\. Got a number\.$/));
  });

  test('in a process that has not loaded DuckDB, attach says so and what to do', () => {
    const [library] = duckdbLibraryCandidates(bindingsDir);
    if (library === undefined) throw new Error('no DuckDB library installed');
    const addon = path.resolve(__dirname, '..', 'build', 'Release', 'duckdb_vectors.node');
    const script = `try { require(${JSON.stringify(addon)}).attach(${JSON.stringify(library)}); console.log('attached'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(output).toMatch(/^TypeError: The 'libraryPath' argument \(.*libduckdb\.so\) is not loaded in this process.*load @duckdb\/node-api first/);
  });

  test('a bindings directory without a platform package names it', () => {
    expect(duckdbLibraryCandidates('/nonexistent')).toEqual([]);
    expect(() => attachToDuckDB('/nonexistent')).toThrow(AddonLoadError);
    expect(() => attachToDuckDB('/nonexistent')).toThrow(/No DuckDB shared library found for @duckdb\/node-bindings at \/nonexistent/);
  });
});

describe('copyDoubleColumn', () => {
  beforeAll(() => {
    attachToDuckDB(bindingsDir);
  });

  test('copies every value of a DOUBLE column at the offset, NULL as NaN, nothing outside the range', async () => {
    const rows = 5000;
    const chunks = await chunksOf(
      `SELECT i::DOUBLE AS a, CASE WHEN i % 3 = 0 OR i = 4097 THEN NULL ELSE i * 0.5 - 7 END::DOUBLE AS b, 'x' || i AS s FROM range(${rows}) t(i)`,
    );
    expect(chunks.length).toBeGreaterThan(1);
    const a = new Float64Array(rows + 20).fill(-1);
    const b = new Float64Array(rows + 20).fill(-1);
    let at = 10;
    for (const chunk of chunks) {
      binding().copyDoubleColumn(chunk.chunk, 0, chunk.rowCount, a, at);
      binding().copyDoubleColumn(chunk.chunk, 1, chunk.rowCount, b, at);
      at += chunk.rowCount;
    }
    expect(at).toBe(rows + 10);
    for (let i = 0; i < rows; i += 1) {
      expect(a[10 + i]).toBe(i);
      if (i % 3 === 0 || i === 4097) expect(b[10 + i]).toBeNaN();
      else expect(b[10 + i]).toBe(i * 0.5 - 7);
    }
    for (const array of [a, b]) {
      expect([...array.subarray(0, 10), ...array.subarray(rows + 10)]).toEqual(new Array(20).fill(-1));
    }
  });

  test('agrees with the bindings own vector_get_data copy, including NaN, infinities and -0', async () => {
    const [chunk] = await chunksOf(
      `SELECT CASE i % 5 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN -0.0 ELSE i / 7 END AS v FROM range(100) t(i)`,
    );
    if (chunk === undefined) throw new Error('no chunk');
    const mine = new Float64Array(chunk.rowCount);
    binding().copyDoubleColumn(chunk.chunk, 0, chunk.rowCount, mine, 0);
    const bytes = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, 0), chunk.rowCount * 8);
    const theirs = new Float64Array(bytes.slice().buffer, 0, chunk.rowCount);
    expect(Buffer.from(mine.buffer)).toEqual(Buffer.from(theirs.buffer));
  });

  test('copies a prefix of the rows, and zero rows', async () => {
    const [chunk] = await chunksOf('SELECT i::DOUBLE AS a FROM range(100) t(i)');
    if (chunk === undefined) throw new Error('no chunk');
    const target = new Float64Array(5).fill(-1);
    binding().copyDoubleColumn(chunk.chunk, 0, 3, target, 1);
    expect([...target]).toEqual([-1, 0, 1, 2, -1]);
    binding().copyDoubleColumn(chunk.chunk, 0, 0, target, 5);
    expect([...target]).toEqual([-1, 0, 1, 2, -1]);
  });

  test('bad arguments are ParameterErrors that name the parameter', async () => {
    const [chunk] = await chunksOf(`SELECT i::DOUBLE AS a, 'x' AS s, i AS n FROM range(10) t(i)`);
    if (chunk === undefined) throw new Error('no chunk');
    const copy = binding().copyDoubleColumn;
    const target = new Float64Array(10);
    const vector = bindings.data_chunk_get_vector(chunk.chunk, 0);
    const cases: [() => unknown, object][] = [
      [() => copy(vector as object, 0, 10, target, 0), typeError(/^The 'chunk' argument must be a DuckDB DataChunk handle\. Got another external\.$/)],
      [() => copy({}, 0, 10, target, 0), typeError(/^The 'chunk' argument must be a DuckDB DataChunk handle\. Got an object\.$/)],
      [() => copy(null as unknown as object, 0, 10, target, 0), typeError(/^The 'chunk' argument must be a DuckDB DataChunk handle\. Got null\.$/)],
      [() => copy(chunk.chunk, 3, 10, target, 0), rangeError(/^The 'column' argument must be between 0 and 2\. Got 3\.$/)],
      [() => copy(chunk.chunk, -1, 10, target, 0), rangeError(/^The 'column' argument must be between 0 and 2/)],
      [() => copy(chunk.chunk, 1, 10, target, 0), typeError(/^The 'column' argument 1 is not a DOUBLE column .*cast it to DOUBLE/)],
      [() => copy(chunk.chunk, 2, 10, target, 0), typeError(/^The 'column' argument 2 is not a DOUBLE column/)],
      [() => copy(chunk.chunk, 0, 11, target, 0), rangeError(/^The 'rows' argument must be between 0 and 10\. Got 11\.$/)],
      [() => copy(chunk.chunk, 0, 10, target, 1), rangeError(/^The 'target' argument holds 10 values; 10 rows from offset 1 do not fit\.$/)],
      [() => copy(chunk.chunk, 0, 10, new Float32Array(10) as unknown as Float64Array, 0), typeError(/^The 'target' argument must be a Float64Array\. Got a Float32Array\.$/)],
      [() => copy(chunk.chunk, 0, 1.5, target, 0), typeError(/^The 'rows' argument must be an integer/)],
      [() => copy(chunk.chunk, 0, Number.NaN, target, 0), typeError(/^The 'rows' argument must be an integer/)],
      [() => copy(chunk.chunk, 0, 1, target, -1), rangeError(/^The 'offset' argument must be between 0/)],
    ];
    for (const [call, expected] of cases) expect(thrown(call)).toEqual(expected);
    const detached = new Float64Array(10);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(thrown(() => copy(chunk.chunk, 0, 1, detached, 0))).toEqual(typeError(/^The 'target' argument is backed by a detached ArrayBuffer\.$/));
  });

  test('never crashes on arbitrary arguments: each call copies or throws a ParameterError', async () => {
    const [chunk] = await chunksOf(`SELECT i::DOUBLE AS a, 'x' AS s FROM range(50) t(i)`);
    if (chunk === undefined) throw new Error('no chunk');
    const handles: unknown[] = [chunk.chunk, bindings.data_chunk_get_vector(chunk.chunk, 0), bindings.create_logical_type(bindings.Type.DOUBLE), {}, [], 'chunk', 0, null, undefined];
    const numbers = fc.oneof(fc.integer({ min: -3, max: 60 }), fc.constantFrom(Number.NaN, Infinity, -0, 2 ** 53, 0.5, -(2 ** 31)));
    const targets = fc.oneof(
      fc.integer({ min: 0, max: 60 }).map((n) => new Float64Array(n) as unknown),
      fc.constantFrom<unknown>(new Float32Array(60), new Uint8Array(480), [1, 2], undefined, 'x'),
    );
    let copied = 0;
    fc.assert(
      fc.property(fc.constantFrom(...handles), numbers, numbers, targets, numbers, (handle, column, rows, target, offset) => {
        try {
          binding().copyDoubleColumn(handle as object, column, rows, target as Float64Array, offset);
          copied += 1;
        } catch (error) {
          if (!(error instanceof ParameterError)) throw error;
        }
      }),
      { numRuns: 2000, seed: 20261126 },
    );
    // The valid corner of the space is reached too, not only the argument checks.
    expect(copied).toBeGreaterThan(0);
  });

  test('works in worker threads, each with its own @duckdb/node-api, at the same time as the main thread', async () => {
    const { library } = attachToDuckDB(bindingsDir);
    const addon = path.resolve(__dirname, '..', 'build', 'Release', 'duckdb_vectors.node');
    const nodeApi = requireHere.resolve('@duckdb/node-api');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { DuckDBInstance } = require(workerData.nodeApi);
      const addon = require(workerData.addon);
      (async () => {
        const version = addon.attach(workerData.library);
        const instance = await DuckDBInstance.create(':memory:');
        const connection = await instance.connect();
        const result = await connection.run('SELECT (i * 3)::DOUBLE AS v FROM range(10000) t(i)');
        const values = new Float64Array(10000);
        let at = 0;
        for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          addon.copyDoubleColumn(chunk.chunk, 0, chunk.rowCount, values, at);
          at += chunk.rowCount;
        }
        connection.closeSync();
        instance.closeSync();
        let sum = 0;
        for (const v of values) sum += v;
        parentPort.postMessage({ version, at, sum });
      })().catch((e) => parentPort.postMessage({ fail: String(e && e.stack || e) }));`;
    const workers = [0, 1].map(() => new Worker(code, { eval: true, workerData: { addon, library, nodeApi } }));
    const messages = workers.map(
      (worker) =>
        new Promise<unknown>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    );
    const [chunk] = await chunksOf('SELECT i::DOUBLE AS a FROM range(2048) t(i)');
    if (chunk === undefined) throw new Error('no chunk');
    const mine = new Float64Array(chunk.rowCount);
    binding().copyDoubleColumn(chunk.chunk, 0, chunk.rowCount, mine, 0);
    expect(mine[2047]).toBe(2047);
    const expected = { version: bindings.library_version(), at: 10000, sum: 3 * ((9999 * 10000) / 2) };
    expect(await Promise.all(messages)).toEqual([expected, expected]);
    await Promise.all(workers.map((worker) => worker.terminate()));
  });
});
