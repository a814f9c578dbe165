import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { attachToDuckDB, binding } from './index';

// The texts' dictionary (short texts keyed by their 16-byte image, long ones by hash), the
// tokenizer's missing markers and plain numbers, and the row helpers the readers use.
const requireHere = createRequire(__filename);
const bindingsDir = path.dirname(requireHere.resolve('@duckdb/node-bindings/package.json', { paths: [requireHere.resolve('@duckdb/node-api')] }));

let instance: DuckDBInstance;

beforeAll(async () => {
  // Loads the bindings (and libduckdb), which attach needs.
  instance = await DuckDBInstance.create(':memory:');
  attachToDuckDB(bindingsDir);
});

afterAll(() => instance.closeSync());

function thrown(call: () => unknown): { name: string; code: string; message: string } {
  try {
    call();
  } catch (error) {
    const { name, code, message } = error as { name: string; code: string; message: string };
    return { name, code, message };
  }
  throw new Error('expected the call to throw');
}

const parameterError = (message: RegExp) => ({ name: 'ParameterError', code: 'ERR_KDAP_PARAMETER', message: expect.stringMatching(message) });

/** Texts whose short (<= 12 bytes) and long forms differ only in their length or last bytes. */
const TEXTS = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdefgh', 'abcdefghijk', 'abcdefghijkl', 'abcdefghijklm', 'abcdefghijklmn', 'abcdefghijklmnopqrstuvwxyz', 'abcdefghijklmnopqrstuvwxyZ', 'é', 'éé', 'Zürich-12345'];

/** Each row's text back from codes and the dictionary, null for -1. */
const decode = (codes: ArrayLike<number>, texts: readonly string[]) => Array.from(codes, (code) => (code < 0 ? null : (texts[code] as string)));

describe('texts by their bytes', () => {
  test('a DuckDB scan gives each distinct text, short or long, one code, and NULL -1', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => (i % 17 === 16 ? null : (TEXTS[(i * 7) % TEXTS.length] as string)));
    const values = rows.map((text) => (text === null ? 'NULL' : `'${text}'`)).join('), (');
    const scan = binding().openScan(`SELECT t FROM (VALUES (${values})) v(t)`);
    try {
      const batch = await binding().readScan(scan.handle, 1e9, 10);
      expect(batch.rows).toBe(rows.length);
      const texts = batch.newTexts[0] as string[];
      expect([...texts].sort()).toEqual([...TEXTS].sort());
      expect(decode(batch.columns[0] as Int32Array, texts)).toEqual(rows);
    } finally {
      binding().closeScan(scan.handle);
    }
  });

  test('Arrow string chunks (int32 and int64 offsets, nulls, offsets into the chunk) share one dictionary', () => {
    const encoder = new TextEncoder();
    const chunk = (texts: (string | null)[], wide: boolean) => {
      const parts = texts.map((text) => encoder.encode(text ?? ''));
      const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      const offsets = wide ? new BigInt64Array(texts.length + 1) : new Int32Array(texts.length + 1);
      let at = 0;
      parts.forEach((part, i) => {
        bytes.set(part, at);
        at += part.length;
        if (offsets instanceof BigInt64Array) offsets[i + 1] = BigInt(at);
        else offsets[i + 1] = at;
      });
      const validity = new Uint8Array(Math.ceil(texts.length / 8));
      texts.forEach((text, i) => {
        if (text !== null) validity[i >> 3] = (validity[i >> 3] as number) | (1 << (i & 7));
      });
      return { bytes, offsets, validity };
    };
    const first: (string | null)[] = ['skip', ...TEXTS, null, 'abc'];
    const second: (string | null)[] = [...TEXTS].reverse();
    const a = chunk(first, false);
    const b = chunk(second, true);
    const { codes, texts } = binding().encodeStrings(
      [
        [a.bytes, a.offsets as Int32Array, 1, first.length - 1, a.validity],
        [b.bytes, b.offsets as BigInt64Array, 0, second.length, null],
      ],
      first.length - 1 + second.length,
    );
    expect(decode(codes, texts)).toEqual([...first.slice(1), ...second]);
    expect(texts.length).toBe(TEXTS.length);
  });

  test('encodeStrings refuses offsets outside the bytes, descending offsets and a wrong total', () => {
    const bytes = new Uint8Array([97, 98, 99]);
    expect(thrown(() => binding().encodeStrings([[bytes, new Int32Array([0, 4]), 0, 1, null]], 1))).toEqual(parameterError(/offsets/));
    expect(thrown(() => binding().encodeStrings([[bytes, new Int32Array([2, 1]), 0, 1, null]], 1))).toEqual(parameterError(/offsets/));
    expect(thrown(() => binding().encodeStrings([[bytes, new Int32Array([0, 3]), 0, 2, null]], 2))).toEqual(parameterError(/first\/rows/));
    expect(thrown(() => binding().encodeStrings([[bytes, new Int32Array([0, 3]), 0, 1, null]], 2))).toEqual(parameterError(/total/));
  });
});

describe('tokenizeCsv', () => {
  const csv = (text: string) => new TextEncoder().encode(text);

  test('missing markers get code -1 and leave the texts; the other codes close up', () => {
    const tokens = binding().tokenizeCsv(csv('NA,x\nb,\nNA,y\nc,x\n'), 0, 2, 44, 10, ['', 'NA'].join('\n'));
    expect(tokens).not.toBeNull();
    const { codes, texts } = tokens as NonNullable<typeof tokens>;
    expect(texts).toEqual(['b\u0000c', 'x\u0000y']);
    expect(Array.from(codes[0] as Int32Array)).toEqual([-1, 0, -1, 1]);
    expect(Array.from(codes[1] as Int32Array)).toEqual([0, -1, 1, 0]);
  });

  test('plain-number columns come back as numbers by code, equal to Number(); others as null', () => {
    const numbers = ['1', '-0', '1.', '.5', '-2.50', '1e3', '6.02E+23', '0.1', '9007199254740991', '123456789.123456789'];
    const tokens = binding().tokenizeCsv(
      csv(numbers.map((n, i) => `${n},${i % 2 === 0 ? '1' : '+1'},${i === 3 ? '9007199254740993' : '7'},${i === 0 ? '' : '2.5'}\n`).join('')),
      0,
      4,
      44,
      100,
      '',
    );
    const { codes, numbers: byCode } = tokens as NonNullable<typeof tokens>;
    const values = Array.from(codes[0] as Int32Array, (code) => (byCode[0] as Float64Array)[code]);
    expect(values).toEqual(numbers.map(Number));
    expect(Object.is(values[1], -0)).toBe(true);
    expect(byCode[1]).toBeNull(); // '+1' is not a plain number
    expect(byCode[2]).toBeNull(); // an integer beyond 2^53 is left to the caller
    expect(Array.from(byCode[3] as Float64Array)).toEqual([2.5]); // the marker is out
    expect(binding().gatherNumbers(codes[3] as Int32Array, byCode[3] as Float64Array)[0]).toBeNaN();
    // Beyond the float64 range: left to the caller (Number() says Infinity there).
    expect((binding().tokenizeCsv(csv('1e400\n2\n'), 0, 1, 44, 10, '') as NonNullable<typeof tokens>).numbers[0]).toBeNull();
  });
});

describe('row helpers', () => {
  test('gatherNumbers and remapCodes map every row, -1 to NaN / -1', () => {
    expect(Array.from(binding().gatherNumbers(new Int32Array([1, -1, 0, 1]), new Float64Array([0.5, 2])))).toEqual([2, NaN, 0.5, 2]);
    const codes = new Int32Array([2, 0, -1, 1]);
    binding().remapCodes(codes, new Int32Array([1, 2, 0]));
    expect(Array.from(codes)).toEqual([0, 1, -1, 2]);
  });

  test('a code beyond the table is a ParameterError, and nothing is written', () => {
    expect(thrown(() => binding().gatherNumbers(new Int32Array([0, 2]), new Float64Array([1, 2])))).toEqual(parameterError(/codes.*byCode/));
    const codes = new Int32Array([0, -2]);
    expect(thrown(() => binding().remapCodes(codes, new Int32Array([5])))).toEqual(parameterError(/codes.*remap/));
    expect(Array.from(codes)).toEqual([0, -2]);
  });
});
