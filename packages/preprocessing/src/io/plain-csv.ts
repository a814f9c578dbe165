import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { type Column, MISSING_CODE, categoricalFromUsedDictionary, dateColumn, numericColumn } from '../table/column';
import { type PlainCsvNative, csvTokenizer } from './duckdb-vectors';
import { resolveTextColumn } from './text-column';
import { headerOf } from './csv-file';

/**
 * Files up to this size are read whole into memory and tokenized from there; larger ones are
 * tokenized from the file, one byte range per core, each read in 8 MB blocks, so the memory a read
 * adds stays the Table plus one block per thread (the addon counts the lines first). Plain files of
 * any size take this path: on the 1,000,000 x 20 float64 CSV (373 MB) it used 1.2-1.4 s of CPU
 * against DuckDB's 2.6-2.9 s and added 1.15x the Table at the peak (DuckDB 1.29-1.34x), see
 * docs/benchmarks.md (readers, 2026-12-07).
 */
export const PLAIN_CSV_WHOLE_BYTES = 16 * 1024 * 1024;

/** The first bytes read of a file tokenized in blocks: enough for any header line. */
const HEAD_BYTES = 1024 * 1024;

const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const PLAIN_INTEGER = /^-?\d+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
/** Texts DuckDB's sniffer might read as dates or times in another format: those files go to DuckDB. */
const DATE_LIKE = /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|^\d{1,2}:\d{2}/;
const BOOLEAN = new Map([['true', 1], ['false', 0], ['True', 1], ['False', 0], ['TRUE', 1], ['FALSE', 0]]);

/**
 * Parses a plain CSV file the way the DuckDB path reads it, or returns undefined when the file is
 * not plain (then DuckDB reads it, and its errors are the ones users see): quoted fields spanning
 * lines, blank lines, ragged rows, a byte-order mark, surrounding spaces, numbers beyond 2^53,
 * date-like texts in other formats, or anything else whose meaning depends on DuckDB's sniffer.
 * Column kinds are decided on every value (as pandas does; DuckDB's sniffer samples 20,480 rows and
 * then refuses a value that does not fit): plain numbers and true/false are numeric, ISO dates and
 * timestamps (to the microsecond) are dates, the rest is text resolved like DuckDB's VARCHAR
 * columns (text-column.ts). Numbers, dates and timestamps are parsed natively per row; texts are
 * dictionary-encoded natively, so JavaScript sees only the distinct texts. `missing`: texts that
 * mean NULL.
 */
export async function readPlainCsv(file: string, delimiter: string, missing: ReadonlySet<string>): Promise<Map<string, Column> | undefined> {
  const native = csvTokenizer();
  if (native === undefined) return undefined;
  const tokenize = native.tokenizeCsv;
  const separator = delimiter.charCodeAt(0);
  if (separator > 0x7f) return undefined;
  const whole = fs.statSync(file).size <= PLAIN_CSV_WHOLE_BYTES;
  // A whole file is read by the addon into huge pages (no page fault per 4 KB: docs/benchmarks.md).
  const bytes = whole ? asBuffer(native.readFile(file)) : readHead(file);
  // A file read in blocks has each block checked natively; its header line is checked here.
  const firstLine = bytes.indexOf(LF);
  if (firstLine <= 0 || !isUtf8(whole ? bytes : bytes.subarray(0, firstLine)) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return undefined;
  const line = bytes.subarray(0, firstLine).toString('utf8').replace(/\r$/, '');
  if (line.trim() === '') return undefined;
  const header = headerOf(line, delimiter, file);
  if (header.some((name) => name === '' || name !== name.trim() || name.includes('"')) || line !== header.join(delimiter)) return undefined;
  // Missing markers become NaN / code -1 in the tokenizer (no text, no JS pass over the rows).
  const markers = [...missing].join('\n');
  // Off the JavaScript thread: a large file takes a second or more of CPU.
  const tokens = await (whole
    ? tokenize(bytes, firstLine + 1, header.length, separator, MAX_ROWS, markers)
    : tokenize(file, firstLine + 1, header.length, separator, MAX_ROWS, markers));
  if (tokens === null || tokens.rows === 0) return undefined;
  const columns = new Map<string, Column>();
  for (let j = 0; j < header.length; j += 1) {
    const name = header[j] as string;
    const kind = tokens.kinds[j];
    const values = tokens.values[j];
    if (kind !== 'text' && values !== null && values !== undefined) {
      // Every field a plain number, or every one an ISO date / timestamp (or missing): parsed natively.
      columns.set(name, kind === 'number' ? numericColumn(values) : dateColumn(values));
      continue;
    }
    const codes = tokens.codes[j] as Int32Array;
    const numbers = tokens.numbers[j];
    if (numbers !== null && numbers !== undefined) {
      // Every text a plain number (parsed natively, as numbersOf would): no text reaches JavaScript.
      columns.set(name, numericColumn(native.gatherNumbers(codes, numbers)));
      continue;
    }
    const joined = tokens.texts[j] as string;
    const texts = joined === '' && allMissing(codes) ? [] : joined.split('\u0000');
    const column = buildColumn(name, texts, codes, file, native);
    if (column === undefined) return undefined;
    columns.set(name, column);
  }
  return columns;
}

/** The tokenizer's row limit (2^30; larger files go to DuckDB). */
const MAX_ROWS = 2 ** 30;

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.allocUnsafe(HEAD_BYTES);
    return head.subarray(0, fs.readSync(fd, head, 0, HEAD_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** A Buffer over the same memory (for its UTF-8 decoding), no copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function allMissing(codes: Int32Array): boolean {
  for (let i = 0; i < codes.length; i += 1) if (codes[i] !== MISSING_CODE) return false;
  return true;
}

const LF = 0x0a;

/**
 * A column from its distinct texts (missing markers already out: code -1), typed as DuckDB's
 * sniffer types it; undefined: let DuckDB decide. Work over the rows is native (`gatherNumbers`,
 * `remapCodes`): the JavaScript here sees only the distinct texts.
 */
function buildColumn(name: string, values: string[], codes: Int32Array, file: string, native: PlainCsvNative): Column | undefined {
  for (const text of values) if (text !== text.trim()) return undefined;
  const asNumbers = numbersOf(values);
  if (asNumbers === undefined) return undefined;
  if (asNumbers !== null) return numericColumn(native.gatherNumbers(codes, Float64Array.from(asNumbers)));
  const asInstants = instantsOf(values);
  if (asInstants === undefined) return undefined;
  if (asInstants !== null) return dateColumn(native.gatherNumbers(codes, Float64Array.from(asInstants)));
  for (const value of values) if (DATE_LIKE.test(value)) return undefined;
  // Texts: the same resolution as DuckDB's VARCHAR columns (a stray text among numbers is an error).
  // Every code is in use (markers are out), so the categories are the texts sorted, remapped natively.
  return resolveTextColumn(name, { codes, values }, undefined, file, (row) => row + 2, true, (texts) =>
    categoricalFromUsedDictionary(texts.codes as Int32Array, texts.values, native.remapCodes),
  );
}

/** Numbers of the distinct values if all are plain numbers (or all booleans); null if not numeric; undefined: unsure. */
function numbersOf(values: readonly string[]): number[] | null | undefined {
  if (values.length === 0) return null;
  if (values.every((value) => BOOLEAN.has(value))) {
    // DuckDB reads one spelling per column as BOOLEAN; mixed spellings are left to it.
    const lower = new Set(values.map((value) => value.toLowerCase()));
    return lower.size === values.length ? values.map((value) => BOOLEAN.get(value) as number) : undefined;
  }
  const numbers: number[] = [];
  for (const value of values) {
    if (!PLAIN_NUMBER.test(value)) return null;
    const number = Number(value);
    // Integers beyond 2^53 get DuckDB's typed error, not a rounded double.
    if (!Number.isSafeInteger(number) && Math.abs(number) >= 2 ** 53 && PLAIN_INTEGER.test(value)) return undefined;
    numbers.push(number);
  }
  return numbers;
}

/** Epoch milliseconds of the distinct values if all are ISO dates, or all ISO timestamps; null if neither; undefined: unsure. */
function instantsOf(values: readonly string[]): number[] | null | undefined {
  if (values.every((value) => ISO_DATE.test(value))) {
    const instants = values.map((value) => {
      const [, y, m, d] = ISO_DATE.exec(value) as RegExpExecArray;
      return checkedUtc(Number(y), Number(m), Number(d), 0, 0, 0);
    });
    return instants.some(Number.isNaN) ? undefined : instants;
  }
  if (values.every((value) => ISO_TIMESTAMP.test(value))) {
    const instants = values.map((value) => {
      const [, y, m, d, hh, mm, ss, fraction = ''] = ISO_TIMESTAMP.exec(value) as RegExpExecArray;
      const seconds = checkedUtc(Number(y), Number(m), Number(d), Number(hh), Number(mm), Number(ss));
      // As DuckDB's microseconds / 1000: the double nearest the exact milliseconds.
      return (seconds * 1000 + Number(fraction.padEnd(6, '0'))) / 1000;
    });
    return instants.some(Number.isNaN) ? undefined : instants;
  }
  return values.some((value) => ISO_DATE.test(value) || ISO_TIMESTAMP.test(value)) ? undefined : null;
}

/**
 * Epoch milliseconds of a UTC date and time, or NaN when a field is out of range (e.g. 2023-02-30).
 * Plain arithmetic (days from the civil date), as Date.UTC computes it: a Date object per text
 * cost ~10 us each on a process's first read.
 */
function checkedUtc(y: number, m: number, d: number, hh: number, mm: number, ss: number): number {
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) || hh >= 24 || mm >= 60 || ss >= 60) return NaN;
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return days * 86_400_000 + ((hh * 60 + mm) * 60 + ss) * 1000;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}
