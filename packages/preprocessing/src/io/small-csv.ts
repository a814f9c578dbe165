import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { type Column, MISSING_CODE, dateColumn, numericColumn } from '../table/column';
import { csvTokenizer } from './duckdbVectors';
import { resolveTextColumn } from './textColumn';

/**
 * Files up to this size are parsed in JavaScript when they are plain (see readSmallCsv): DuckDB's
 * fixed cost (instance start, sniffing, one connection) is 20-50 ms on a process's first read,
 * against 1-5 ms for parsing such a file here (docs/benchmarks.md, read-shapes).
 */
export const SMALL_CSV_BYTES = 2 * 1024 * 1024;

/** DuckDB's sniffer types columns on a sample of 20,480 rows; beyond that the two paths could differ. */
export const SMALL_CSV_ROWS = 20_000;

const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const PLAIN_INTEGER = /^-?\d+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
/** Texts DuckDB's sniffer might read as dates or times in another format: those files go to DuckDB. */
const DATE_LIKE = /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|^\d{1,2}:\d{2}/;
const BOOLEAN = new Map([['true', 1], ['false', 0], ['True', 1], ['False', 0], ['TRUE', 1], ['FALSE', 0]]);

/**
 * Parses a small, plain CSV file the way the DuckDB path reads it, or returns undefined when the
 * file is not plain (then DuckDB reads it, and its errors are the ones users see): quoted fields
 * spanning lines, blank lines, ragged rows, a byte-order mark, surrounding spaces, numbers beyond
 * 2^53, date-like texts in other formats, or anything else whose meaning depends on DuckDB's
 * sniffer. Column kinds follow the sniffer on the distinct values: plain numbers and
 * true/false are numeric, ISO dates and timestamps (to the microsecond) are dates, the rest is text
 * resolved like DuckDB's VARCHAR columns (textColumn.ts). `missing`: texts that mean NULL.
 */
export function readSmallCsv(
  file: string,
  header: readonly string[],
  rowCapacity: number,
  delimiter: string,
  missing: ReadonlySet<string>,
): Map<string, Column> | undefined {
  const tokenize = csvTokenizer();
  if (tokenize === undefined) return undefined;
  const bytes = fs.readFileSync(file);
  const separator = delimiter.charCodeAt(0);
  if (separator > 0x7f || !isUtf8(bytes) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return undefined;
  if (header.some((name) => name === '' || name !== name.trim() || name.includes('"'))) return undefined;
  const firstLine = bytes.indexOf(LF);
  if (firstLine < 0 || bytes.subarray(0, firstLine).toString('utf8').replace(/\r$/, '') !== header.join(delimiter)) return undefined;
  const tokens = tokenize(bytes, firstLine + 1, header.length, separator, rowCapacity);
  if (tokens === null || tokens.rows === 0) return undefined;
  const columns = new Map<string, Column>();
  for (let j = 0; j < header.length; j += 1) {
    // rows > 0: every column has at least one distinct text.
    const texts = (tokens.texts[j] as string).split('\u0000');
    const column = buildColumn(header[j] as string, texts, tokens.codes[j] as Int32Array, file, missing);
    if (column === undefined) return undefined;
    columns.set(header[j] as string, column);
  }
  return columns;
}

const LF = 0x0a;

/** A column from its distinct texts, typed as DuckDB's sniffer types it; undefined: let DuckDB decide. */
function buildColumn(name: string, texts: readonly string[], codes: Int32Array, file: string, missing: ReadonlySet<string>): Column | undefined {
  // NULL markers leave the dictionary; the other codes close up (in place: the codes are ours).
  const values: string[] = [];
  const remap = new Int32Array(texts.length);
  for (let k = 0; k < texts.length; k += 1) {
    const text = texts[k] as string;
    if (text !== text.trim()) return undefined;
    remap[k] = missing.has(text) ? MISSING_CODE : values.push(text) - 1;
  }
  for (let i = 0; i < codes.length; i += 1) codes[i] = remap[codes[i] as number] as number;
  const asNumbers = numbersOf(values);
  if (asNumbers === undefined) return undefined;
  if (asNumbers !== null) return numericColumn(valuesOfCodes(codes, asNumbers));
  const asInstants = instantsOf(values);
  if (asInstants === undefined) return undefined;
  if (asInstants !== null) return dateColumn(valuesOfCodes(codes, asInstants));
  for (const value of values) if (DATE_LIKE.test(value)) return undefined;
  // Texts: the same resolution as DuckDB's VARCHAR columns (a stray text among numbers is an error).
  return resolveTextColumn(name, { codes, values }, undefined, file, (row) => row + 2, true);
}

/** Each row's value by its code; NaN for missing. */
function valuesOfCodes(codes: Int32Array, byCode: readonly number[]): Float64Array {
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes[i] as number;
    out[i] = code === MISSING_CODE ? NaN : (byCode[code] as number);
  }
  return out;
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

/** Epoch milliseconds of a UTC date and time, or NaN when a field is out of range (e.g. 2023-02-30). */
function checkedUtc(y: number, m: number, d: number, hh: number, mm: number, ss: number): number {
  const ms = Date.UTC(y, m - 1, d, hh, mm, ss);
  const date = new Date(ms);
  const same = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && hh < 24 && mm < 60 && ss < 60;
  return same && y >= 1000 ? ms : NaN;
}
