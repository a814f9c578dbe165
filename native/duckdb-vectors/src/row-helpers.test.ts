import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import fc from 'fast-check';
import { thrown } from '@kdap/test-support';
import { type CsvTokens, attachToDuckDB, binding } from './index';

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
});

describe('tokenizeCsv', () => {
  const csv = (text: string) => new TextEncoder().encode(text);

  test('missing markers get code -1 and leave the texts; the other codes close up', async () => {
    const tokens = await binding().tokenizeCsv(csv('NA,x\nb,\nNA,y\nc,x\n'), 0, 2, 44, 10, ['', 'NA'].join('\n'));
    expect(tokens).not.toBeNull();
    const { codes, texts } = tokens as NonNullable<typeof tokens>;
    expect(texts).toEqual(['b\u0000c', 'x\u0000y']);
    expect(Array.from(codes[0] as Int32Array)).toEqual([-1, 0, -1, 1]);
    expect(Array.from(codes[1] as Int32Array)).toEqual([0, -1, 1, 0]);
  });

  test('a column of plain numbers comes back per row, equal to Number(); text columns of numbers by code', async () => {
    const numbers = ['1', '-0', '1.', '.5', '-2.50', '1e3', '6.02E+23', '0.1', '9007199254740991', '123456789.123456789'];
    const tokens = await binding().tokenizeCsv(
      csv(numbers.map((n, i) => `${n},${i % 2 === 0 ? '1' : '+1'},${i === 3 ? '9007199254740993' : '7'},${i === 0 ? '' : '2.5'},${i === 4 ? 'NA' : n}\n`).join('')),
      0,
      5,
      44,
      100,
      ['', 'NA'].join('\n'),
    );
    const { kinds, values, codes, numbers: byCode, texts } = tokens as CsvTokens;
    expect(kinds).toEqual(['number', 'text', 'text', 'text', 'number']);
    expect(Array.from(values[0] as Float64Array)).toEqual(numbers.map(Number));
    expect(Object.is((values[0] as Float64Array)[1], -0)).toBe(true);
    expect(Array.from(values[4] as Float64Array)).toEqual(numbers.map((n, i) => (i === 4 ? NaN : Number(n)))); // a marker is NaN
    expect([codes[0], byCode[0], texts[0]]).toEqual([null, null, null]);
    expect(byCode[1]).toBeNull(); // '+1' is not a plain number: the column started as numbers and became text
    expect(texts[1]).toBe('1\u0000+1');
    expect(byCode[2]).toBeNull(); // an integer beyond 2^53 is left to the caller
    expect(Array.from(byCode[3] as Float64Array)).toEqual([2.5]); // the marker is out
    expect(texts[3]).toBeNull();
    expect(binding().gatherNumbers(codes[3] as Int32Array, byCode[3] as Float64Array)[0]).toBeNaN();
    // Beyond the float64 range: left to the caller (Number() says Infinity there).
    const huge = (await binding().tokenizeCsv(csv('1e400\n2\n'), 0, 1, 44, 10, '')) as CsvTokens;
    expect([huge.kinds[0], huge.numbers[0], huge.texts[0]]).toEqual(['text', null, '1e400\u00002']);
  });

  test('numbers equal Number() on every path: integers, short decimals, 17-18 digits, exponents, ties', async () => {
    // Seeded doubles written as JavaScript writes them (shortest round trip) and with more digits
    // than needed, fixed and exponent forms: each parse path of the tokenizer, checked against V8.
    const doubles = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { seed: 14, numRuns: 40_000 });
    const uniform = fc.sample(fc.double({ min: -1000, max: 1000, noNaN: true }), { seed: 15, numRuns: 40_000 });
    const texts = [
      ...doubles.map(String),
      ...uniform.map(String),
      ...uniform.map((x) => x.toFixed(15)),
      ...uniform.map((x) => x.toPrecision(18)),
      ...uniform.map((x) => x.toExponential(17)),
      ...uniform.map((x) => (x * 1e-25).toPrecision(17)),
      // Exactly halfway between two doubles (ties to even), and around 2^53.
      '9007199254740993.0', '9007199254740995.0', '9007199254740993e0', '4503599627370496.5', '4503599627370497.5',
      '0.1', '0.3', '123456789012345678', '1234567890123456789.0', '0.000000000000000000000000001', '1e-27', '1e27', '1.7976931348623157e308', '5e-324',
    ].map((text) => text.replace('e+', 'e'))
      // Integers beyond 2^53 are the caller's (a typed error there); Number() says Infinity where from_chars refuses.
      .filter((text) => !(/^-?\d+$/.test(text) && Math.abs(Number(text)) >= 2 ** 53) && Number.isFinite(Number(text)));
    const tokens = await binding().tokenizeCsv(csv(`${texts.join('\n')}\n`), 0, 1, 44, texts.length, '') as CsvTokens;
    expect(tokens.kinds).toEqual(['number']);
    const values = tokens.values[0] as Float64Array;
    const wrong = texts.filter((text, i) => !Object.is(values[i], Number(text)));
    expect(wrong).toEqual([]);
  });

  test('ISO dates and timestamps come back as epoch milliseconds with the microseconds, as Date.UTC', async () => {
    const times = ['2023-01-01 00:00:19.713166', '1999-12-31T23:59:59', '2024-02-29 12:00:00.5', '2023-06-30 08:15:00.000001'];
    const dates = ['2023-01-01', '2024-02-29', '1970-01-01', '2099-12-31'];
    const lines = times.map((t, i) => `${t},${dates[i]},${i === 2 ? '2023-02-30' : dates[i]},${i === 3 ? '2023-01-01 10:00:00' : dates[i]}\n`);
    const tokens = await binding().tokenizeCsv(csv(lines.join('')), 0, 4, 44, 10, '') as CsvTokens;
    expect(tokens.kinds).toEqual(['timestamp', 'date', 'text', 'text']); // an impossible date, a timestamp among dates: text
    const micros = (t: string) => (Date.parse(`${t.slice(0, 19).replace(' ', 'T')}Z`) * 1000 + Number((t.split('.')[1] ?? '').padEnd(6, '0'))) / 1000;
    expect(Array.from(tokens.values[0] as Float64Array)).toEqual(times.map(micros));
    expect(Array.from(tokens.values[1] as Float64Array)).toEqual(dates.map((d) => Date.parse(`${d}T00:00:00Z`)));
    expect(tokens.texts[2]).toBe([dates[0], dates[1], '2023-02-30', dates[3]].join('\u0000'));
  });

  test('files of 1 MB and more: two threads, same values and codes as one, a kind change in either half', async () => {
    const rows = 40_000;
    const channels = ['search', 'social', 'email', 'display', 'a channel name longer than twelve bytes'];
    const line = (i: number) =>
      `${i * 7},${channels[(i * 31) % 5]},2023-01-${String(1 + (i % 28)).padStart(2, '0')} 10:00:0${i % 10}.${String(i % 1000).padStart(3, '0')},${i === 39_000 ? 'x' : i % 3},${i === 2 ? 'y' : i}\n`;
    const text = Array.from({ length: rows }, (_, i) => line(i)).join('');
    expect(text.length).toBeGreaterThan(1 << 20);
    const tokens = await binding().tokenizeCsv(csv(text), 0, 5, 44, rows, '') as CsvTokens;
    expect(tokens.rows).toBe(rows);
    expect(tokens.kinds).toEqual(['number', 'text', 'timestamp', 'text', 'text']);
    expect(Array.from(tokens.values[0] as Float64Array)).toEqual(Array.from({ length: rows }, (_, i) => i * 7));
    // Codes in order of first appearance over the whole file, the second half's merged into the first's.
    const texts = (tokens.texts[1] as string).split('\u0000');
    expect(texts).toEqual([0, 1, 2, 3, 4].map((i) => channels[(i * 31) % 5]));
    expect(Array.from(tokens.codes[1] as Int32Array, (code) => texts[code])).toEqual(Array.from({ length: rows }, (_, i) => channels[(i * 31) % 5]));
    expect((tokens.values[2] as Float64Array)[rows - 1]).toBe(Date.UTC(2023, 0, 1 + ((rows - 1) % 28), 10, 0, (rows - 1) % 10) + ((rows - 1) % 1000));
    // Column 3 turned text in the second half (row 39,000), column 4 in the first (row 2).
    const third = (tokens.texts[3] as string).split('\u0000');
    expect(third).toEqual(['0', '1', '2', 'x']);
    expect(Array.from(tokens.codes[3] as Int32Array, (code) => third[code])).toEqual(Array.from({ length: rows }, (_, i) => (i === 39_000 ? 'x' : String(i % 3))));
    const fourth = tokens.codes[4] as Int32Array;
    expect((tokens.texts[4] as string).split('\u0000')[fourth[rows - 1] as number]).toBe(String(rows - 1));
    // A blank line or a ragged line in the second half is not plain.
    expect(await binding().tokenizeCsv(csv(`${text}\n1,a,2023-01-01 00:00:00,1,1\n`), 0, 5, 44, rows + 2, '')).toBeNull();
    expect(await binding().tokenizeCsv(csv(`${text}1,a\n`), 0, 5, 44, rows + 1, '')).toBeNull();
    expect(await binding().tokenizeCsv(csv(text), 0, 5, 44, rows - 1, '')).toBeNull();
  });
});

describe('tokenizeCsv from a file', () => {
  const csv = (text: string) => new TextEncoder().encode(text);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'kdap-tokenize-'));
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  test('ranges read in 8 MB blocks give the same columns as the whole buffer, a late kind change and bad UTF-8 included', async () => {
    const rows = 400_000; // ~20 MB: a range per core, each read in blocks
    const channels = ['search', 'social', 'email', 'display', 'a channel name longer than twelve bytes'];
    const line = (i: number) => `${i * 3},${channels[i % 5]},2023-01-01 00:00:${String(i % 60).padStart(2, '0')}.5,${i === rows - 3 ? 'late' : i % 7},id-${i}\n`;
    const header = 'a,b,c,d,e\n';
    const text = header + Array.from({ length: rows }, (_, i) => line(i)).join('');
    const file = path.join(directory, 'big.csv');
    fs.writeFileSync(file, text);
    const fromFile = await binding().tokenizeCsv(file, header.length, 5, 44, rows, '') as CsvTokens;
    const fromBuffer = await binding().tokenizeCsv(csv(text), header.length, 5, 44, rows, '') as CsvTokens;
    expect(fromFile.rows).toBe(rows);
    expect(fromFile.kinds).toEqual(['number', 'text', 'timestamp', 'text', 'text']);
    expect(fromFile).toEqual(fromBuffer);
    expect((fromFile.texts[3] as string).split('\u0000')).toEqual(['0', '1', '2', '3', '4', '5', '6', 'late']);
    expect(Array.from((fromFile.codes[4] as Int32Array).subarray(0, 3))).toEqual([0, 1, 2]);
    expect((fromFile.texts[4] as string).split('\u0000')[(fromFile.codes[4] as Int32Array)[rows - 1] as number]).toBe(`id-${rows - 1}`);
    // Lines are counted natively: `maxRows` is a limit; a last line without a line feed counts.
    expect(await binding().tokenizeCsv(file, header.length, 5, 44, rows - 1, '')).toBeNull();
    expect((await binding().tokenizeCsv(file, header.length, 5, 44, rows + 1, '') as CsvTokens).rows).toBe(rows);
    fs.writeFileSync(file, text.slice(0, -1));
    expect((await binding().tokenizeCsv(file, header.length, 5, 44, rows, '') as CsvTokens).rows).toBe(rows);
    // A blank line or a ragged line late in the file is not plain.
    fs.writeFileSync(file, `${text}\n1,a,2023-01-01 00:00:00,1,1\n`);
    expect(await binding().tokenizeCsv(file, header.length, 5, 44, rows + 2, '')).toBeNull();
    fs.writeFileSync(file, `${text}1,a\n`);
    expect(await binding().tokenizeCsv(file, header.length, 5, 44, rows + 1, '')).toBeNull();
    // Invalid UTF-8 in a late block (a lone continuation byte) is not plain.
    const bytes = Buffer.from(text);
    bytes[bytes.length - 4] = 0x80;
    fs.writeFileSync(file, bytes);
    expect(await binding().tokenizeCsv(file, header.length, 5, 44, rows, '')).toBeNull();
    await expect(binding().tokenizeCsv(path.join(directory, 'missing.csv'), 0, 1, 44, 1, '')).rejects.toMatchObject({ message: expect.stringMatching(/cannot open/) });
  });

  test('a small file is read once per range; a line longer than a block grows the block', async () => {
    const small = path.join(directory, 'small.csv');
    const lines = Array.from({ length: 100_000 }, (_, i) => `${i},${i % 2 === 0 ? 'even' : 'odd'},${(i / 7).toString()}\n`);
    const text = `x,y,z\n${lines.join('')}`;
    expect(text.length).toBeGreaterThan(2 << 20); // two ranges of one block each
    fs.writeFileSync(small, text);
    expect(await binding().tokenizeCsv(small, 6, 3, 44, 1 << 30, '')).toEqual(await binding().tokenizeCsv(csv(text), 6, 3, 44, 1 << 30, ''));
    const long = path.join(directory, 'long.csv');
    const field = 'x'.repeat(9 << 20);
    fs.writeFileSync(long, `a,b\n1,${field}\n2,b\n3,${field}\n`);
    const tokens = await binding().tokenizeCsv(long, 4, 2, 44, 1 << 30, '') as CsvTokens;
    expect([tokens.rows, tokens.kinds, tokens.texts[1]?.length]).toEqual([3, ['number', 'text'], field.length + 2]);
    expect(Array.from(tokens.codes[1] as Int32Array)).toEqual([0, 1, 0]);
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

describe('texts kept as UTF-8 (sortTexts, decodeTexts, fillVarchar)', () => {
  // Code-point order and JavaScript's UTF-16 order differ between U+E000-U+FFFF and supplementary
  // characters: '\u{1F600}' (a surrogate pair) sorts before '\uFFFD' in JavaScript.
  const UNICODE = ['\uFFFD', '\u{1F600}', '\uE000x', '\u{10000}', 'zz', 'Z', 'ä', 'a\u{1F600}', 'a\uFFFF', '', ' 12 ', '1e5', '-.5', 'Inf', 'nan', '+infinity', '1.', '.', 'e5', '12a', '\u00A012'];
  const sql = (texts: readonly (string | null)[]) =>
    `SELECT t FROM (VALUES (${texts.map((text) => (text === null ? 'NULL' : `'${text.replace(/'/g, "''")}'`)).join('), (')})) v(t)`;

  async function readSorted(texts: readonly (string | null)[], maxRows = 1e9) {
    const scan = binding().openScan(sql(texts));
    try {
      return await binding().readScan(scan.handle, maxRows, 4, true);
    } finally {
      binding().closeScan(scan.handle);
    }
  }

  test("a read that ends the scan returns the texts in JavaScript's order as UTF-8, codes rewritten to it", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => (i % 13 === 5 ? null : (UNICODE[(i * 5) % UNICODE.length] as string)));
    const batch = await readSorted(rows);
    expect(batch.newTexts[0]).toBeNull();
    const sorted = batch.sortedTexts?.[0];
    expect(sorted).toBeTruthy();
    const categories = binding().decodeTexts(sorted!.bytes, sorted!.offsets);
    expect(categories).toEqual([...new Set(UNICODE)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(decode(batch.columns[0] as Int32Array, categories)).toEqual(rows);
    // NUMBER_TEXT of text-column.ts after trim(): ' 12 ', '1e5', '-.5', 'Inf', 'nan', '+infinity', '1.', '\u00A012'.
    expect(sorted!.numberTexts).toBe(8);
  });

  test('numberTexts counts what text-column.ts takes for numbers, Unicode spaces trimmed as trim() does', async () => {
    const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$/i;
    const parts = ['1', '0', '9', '.', '-', '+', 'e', 'E', 'i', 'N', 'f', 'a', 'y', 't', ' ', '\t', '\u00A0', '\u3000', '\u2005', '\u200B', '\uFEFF', '\u2028', 'é', '\u{1F600}', 'inf', 'nan', 'infinity'];
    fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.array(fc.constantFrom(...parts), { maxLength: 6 }).map((p) => p.join('')), { minLength: 1, maxLength: 200 }), async (texts) => {
        const batch = await readSorted(texts);
        expect(batch.sortedTexts?.[0]?.numberTexts).toBe(texts.filter((text) => NUMBER_TEXT.test(text.trim())).length);
      }),
      { numRuns: 40, seed: 14 },
    );
  });

  test('a read that leaves rows, or a scan whose texts were returned before, gives plain texts', async () => {
    const partial = await readSorted(['b', 'a', 'c'], 2);
    expect(partial.sortedTexts?.[0] ?? null).toBeNull();
    expect(partial.newTexts[0]).toEqual(['b', 'a']);
    const scan = binding().openScan(sql(['b', 'a', 'c']));
    try {
      await binding().readScan(scan.handle, 1, 1, true);
      const rest = await binding().readScan(scan.handle, 10, 10, true);
      expect(rest.sortedTexts?.[0] ?? null).toBeNull();
      expect(rest.newTexts[0]).toEqual(['a', 'c']);
    } finally {
      binding().closeScan(scan.handle);
    }
  });

  test("fillVarchar writes each row's text from the bytes, NULL for -1, after checking the codes", () => {
    const texts = ['a', 'a text longer than twelve bytes', 'é', ''];
    const encoded = texts.map((text) => new TextEncoder().encode(text));
    const offsets = new Int32Array(texts.length + 1);
    encoded.forEach((bytes, k) => (offsets[k + 1] = (offsets[k] as number) + bytes.length));
    const bytes = new Uint8Array(offsets[texts.length] as number);
    encoded.forEach((part, k) => bytes.set(part, offsets[k]));
    const chunk = DuckDBDataChunk.create([DOUBLE, VARCHAR]);
    chunk.rowCount = 5;
    const codes = new Int32Array([7, 2, -1, 0, 1, 3, 7]);
    binding().fillVarchar(chunk.chunk, 1, codes, 1, 5, bytes, offsets);
    expect(chunk.getColumnValues(1)).toEqual(['é', null, 'a', 'a text longer than twelve bytes', '']);
    // The next rows, with no NULL among them, make every row valid again.
    chunk.reset();
    chunk.rowCount = 3;
    binding().fillVarchar(chunk.chunk, 1, codes, 3, 3, bytes, offsets);
    expect(chunk.getColumnValues(1)).toEqual(['a', 'a text longer than twelve bytes', '']);

    const fill = (column: number, start: number, rows: number, offs = offsets) => () => binding().fillVarchar(chunk.chunk, column, codes, start, rows, bytes, offs);
    expect(thrown(fill(0, 1, 2))).toEqual(parameterError(/column.*not a VARCHAR/));
    expect(thrown(fill(1, 0, 2))).toEqual(parameterError(/codes.*holds 7 at 0, beyond the 4 texts/));
    expect(thrown(fill(1, 5, 3))).toEqual(parameterError(/codes.*do not fit/));
    expect(thrown(fill(1, 1, 4))).toEqual(parameterError(/rows/));
    expect(thrown(fill(1, 1, 2, new Int32Array([0, 1, 40, 41, 42])))).toEqual(parameterError(/offsets.*text 2 \(40, 41\).*34 bytes/));
    expect(thrown(() => binding().fillVarchar({}, 0, codes, 0, 1, bytes, offsets))).toEqual(parameterError(/chunk/));
    // Nothing was written by the refused calls.
    expect(chunk.getColumnValues(1)).toEqual(['a', 'a text longer than twelve bytes', '']);
  });

  test('decodeTexts checks every offset before making a string', () => {
    const bytes = new TextEncoder().encode('abcé');
    expect(binding().decodeTexts(bytes, new Int32Array([0, 1, 3, 5]))).toEqual(['a', 'bc', 'é']);
    expect(binding().decodeTexts(bytes, new Int32Array([0]))).toEqual([]);
    expect(thrown(() => binding().decodeTexts(bytes, new Int32Array([0, 2, 1])))).toEqual(parameterError(/offsets.*text 1/));
    expect(thrown(() => binding().decodeTexts(bytes, new Int32Array([0, 6])))).toEqual(parameterError(/offsets.*5 bytes/));
    expect(thrown(() => binding().decodeTexts(bytes, new Int32Array([])))).toEqual(parameterError(/offsets.*at least one/));
    expect(thrown(() => binding().decodeTexts(bytes, new Float64Array([0, 1]) as unknown as Int32Array))).toEqual(parameterError(/offsets.*Int32Array/));
  });
});
