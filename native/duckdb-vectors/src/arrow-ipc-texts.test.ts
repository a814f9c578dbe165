import fc from 'fast-check';
import { thrown } from '@kdap/test-support';
import { binding } from './index';

// encodeTextColumns: several Arrow text columns encoded at once (one thread per column up to the
// cores), codes in one block, texts sorted into JavaScript's string order.

type Chunk = [Uint8Array, Int32Array | BigInt64Array, number, number, Uint8Array | null];

// Messages start with a capital letter (napi_common.h's house shape): the patterns ignore case.
const parameterError = (message: RegExp) => ({ name: 'ParameterError', code: 'ERR_KDAP_PARAMETER', message: expect.stringMatching(new RegExp(message.source, 'i')) });

/** An Arrow Utf8 (or LargeUtf8, `wide`) chunk of `texts`, null for a NULL row; rows from `first`. */
function chunkOf(texts: readonly (string | null)[], wide: boolean, first = 0): Chunk {
  const encoded = texts.map((text) => new TextEncoder().encode(text ?? ''));
  const starts = [0];
  for (const b of encoded) starts.push((starts.at(-1) as number) + b.length);
  const bytes = new Uint8Array(starts.at(-1) as number);
  encoded.forEach((b, i) => bytes.set(b, starts[i]));
  const offsets = wide ? BigInt64Array.from(starts, BigInt) : Int32Array.from(starts);
  const validity = Uint8Array.from({ length: Math.ceil(texts.length / 8) }, (_, k) =>
    texts.slice(8 * k, 8 * k + 8).reduce((bits: number, text, i) => (text === null ? bits : bits | (1 << i)), 0),
  );
  return [bytes, offsets, first, texts.length - first, texts.includes(null) ? validity : null];
}

const decode = (codes: ArrayLike<number>, texts: readonly string[]) => Array.from(codes, (code) => (code < 0 ? null : (texts[code] as string)));
const sortedDistinct = (rows: readonly (string | null)[]) => [...new Set(rows.filter((t): t is string => t !== null))].sort();

// U+FF5A (bytes EF BD BA) sorts after U+1F642 (F0 9F 99 82) in UTF-8 byte order but before it in
// JavaScript's (UTF-16: D83D DE42 < FF5A); the rest are short and long (> 12 bytes) texts.
const TEXTS = ['', 'a', 'ab', 'abcdefghijkl', 'abcdefghijklm', 'abcdefghijklmnopqrstuvwxyz', 'é', 'Zürich-12345', '\uFF5A', '\u{1F642}', 'b'];

describe('encodeTextColumns', () => {
  test('three columns (more than the threads), Utf8 and LargeUtf8 chunks, NULLs: each row its text, texts in string order', () => {
    const a1 = ['skip', ...TEXTS, null, 'abc'];
    const a2 = [...TEXTS].reverse();
    const b = Array.from({ length: a1.length - 1 + a2.length }, (_, i) => (i % 5 === 4 ? null : (TEXTS[(i * 3) % TEXTS.length] as string)));
    const c = Array.from({ length: b.length }, (_, i) => `id-${String(1000 - i)}-${'x'.repeat(i % 15)}`);
    const total = b.length;
    const [encodedA, encodedB, encodedC] = binding().encodeTextColumns(
      [[chunkOf(a1, false, 1), chunkOf(a2, true)], [chunkOf(b.slice(0, 7), true), chunkOf(b.slice(7), false)], [chunkOf(c, false)]],
      total,
    ) as [{ codes: Int32Array; texts: string[] }, { codes: Int32Array; texts: string[] }, { codes: Int32Array; texts: string[] }];
    expect(decode(encodedA.codes, encodedA.texts)).toEqual([...a1.slice(1), ...a2]);
    expect(decode(encodedB.codes, encodedB.texts)).toEqual(b);
    expect(decode(encodedC.codes, encodedC.texts)).toEqual(c);
    expect(encodedA.texts).toEqual(sortedDistinct([...a1.slice(1), ...a2]));
    expect(encodedB.texts).toEqual(sortedDistinct(b));
    expect(encodedC.texts).toEqual(sortedDistinct(c));
    expect(encodedA.texts.indexOf('\u{1F642}')).toBeLessThan(encodedA.texts.indexOf('\uFF5A'));
    // One block for all codes, column j at j * total.
    expect(encodedB.codes.buffer).toBe(encodedA.codes.buffer);
    expect(encodedC.codes.byteOffset).toBe(2 * total * 4);
  });

  test('columns large enough for threads of their own (3 columns of 40,000 rows, 2 chunks each) decode to their rows', () => {
    const rows = 40_000;
    const columns = [0, 1, 2].map((j) => Array.from({ length: rows }, (_, i) => (i % 97 === j ? null : `${TEXTS[(i * (j + 2)) % TEXTS.length] as string}-${String((i * 31 + j) % (50 + 400 * j))}`)));
    const encoded = binding().encodeTextColumns(
      columns.map((column, j) => [chunkOf(column.slice(0, 15_000), j === 1), chunkOf(column.slice(15_000), j !== 1)]),
      rows,
    );
    expect(encoded).toHaveLength(3);
    encoded.forEach(({ codes, texts }, j) => {
      expect(decode(codes, texts)).toEqual(columns[j]);
      expect(texts).toEqual(sortedDistinct(columns[j] as (string | null)[]));
    });
  });

  test('texts of up to 8 bytes (looked up by their bytes as one word): 3,000 distinct of every length 0-8, the last rows at the end of their bytes', () => {
    // Many texts that share slots of the short-text cache, prefixes of one another ('ab', 'abc')
    // and bytes past a text's end that differ (the next text's): each row must still be its text.
    const distinct = Array.from({ length: 3000 }, (_, k) => (k.toString(36) + 'xyzw#%&é').slice(0, k % 9));
    const rows = Array.from({ length: 30_000 }, (_, i) => (i % 41 === 40 ? null : (distinct[(i * 7919) % distinct.length] as string)));
    rows.push('abcdefgh', 'a', '');
    for (const wide of [false, true]) {
      const [encoded] = binding().encodeTextColumns([[chunkOf(rows, wide)]], rows.length) as [{ codes: Int32Array; texts: string[] }];
      expect(decode(encoded.codes, encoded.texts)).toEqual(rows);
      expect(encoded.texts).toEqual(sortedDistinct(rows));
    }
  });

  test('agrees with a JavaScript encoding on random columns', () => {
    const text = fc.oneof(fc.constantFrom(...TEXTS), fc.string({ maxLength: 20, unit: 'grapheme' }), fc.constant(null));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 4 }), fc.array(text, { minLength: 240, maxLength: 240 }), (rows, columnCount, pool) => {
        const columns = Array.from({ length: columnCount }, (_, j) => Array.from({ length: rows }, (_, i) => pool[(i * (j + 1) + j * 7) % pool.length] as string | null));
        const encoded = binding().encodeTextColumns(
          columns.map((column, j) => [chunkOf(column.slice(0, rows >> 1), j % 2 === 0), chunkOf(column.slice(rows >> 1), j % 2 === 1)]),
          rows,
        );
        encoded.forEach(({ codes, texts }, j) => {
          expect(decode(codes, texts)).toEqual(columns[j]);
          expect(texts).toEqual(sortedDistinct(columns[j] as (string | null)[]));
        });
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });

  test('bad chunks are ParameterErrors naming the column and chunk', () => {
    const good = chunkOf(['a', 'b'], false);
    const bytes = new Uint8Array([97, 98, 99]);
    const encode = (second: Chunk, total = 2) => () => binding().encodeTextColumns([[good], [second]], total);
    expect(thrown(encode([bytes, new Int32Array([0, 4, 4]), 0, 2, null]))).toEqual(parameterError(/column 1: the offsets of chunk 0 are not ascending/));
    expect(thrown(encode([bytes, new Int32Array([2, 1, 3]), 0, 2, null]))).toEqual(parameterError(/column 1: the offsets of chunk 0/));
    expect(thrown(encode([bytes, new Int32Array([0, 3]), 0, 2, null]))).toEqual(parameterError(/chunk 0 of column 1: first\/rows/));
    expect(thrown(encode([bytes, new Int32Array([0, 1, 3]), 0, 2, null], 3))).toEqual(parameterError(/column 0 holds 2 rows, not 'total' \(3\)/));
    expect(thrown(encode([bytes, new Int32Array([0, 1, 3]), 0, 2, new Uint8Array(0)]))).toEqual(parameterError(/'validity' argument of chunk 0 of column 1 must be a Uint8Array with a bit per row/));
    expect(thrown(() => binding().encodeTextColumns('texts' as never, 0))).toEqual(parameterError(/'columns' argument must be an array\. Got a string/));
  });
});
