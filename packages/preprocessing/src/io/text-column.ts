import { DataError, describeValue } from '../errors';
import { type Column, type ColumnKind, type DictionaryCodes, MISSING_CODE, categoricalFromDictionary, dateColumn, numericColumn } from '../table/column';
import { parseDateString } from '../table/dates';

const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$/i;

/** Parses a number written as text; NaN when it is not one. Empty text is missing, not an error. */
export function parseNumberText(text: string): number {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return NaN;
  const lower = trimmed.toLowerCase();
  if (lower.endsWith('nan')) return NaN;
  if (lower.includes('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(trimmed);
}

function isNumberText(text: string): boolean {
  return NUMBER_TEXT.test(text.trim());
}

/** Where a row of the file is, for messages: a function from 0-based data row to 1-based file line. */
export type LineOfRow = (row: number) => number | undefined;

/**
 * Decides what a column that arrived as text is. An override wins; without one, a column whose
 * values are almost all numbers is taken to be numeric with a stray text value, which is reported
 * (silently making it categorical would hand a model nonsense codes). Works on the distinct
 * values: each is parsed once, whatever the number of rows. `ownsCodes`: the caller gives `codes`
 * up (a fresh Int32Array), so a categorical result reuses it. `categorical` builds the
 * categorical result (a caller that knows every code is in use can skip a pass over the rows).
 */
export function resolveTextColumn(
  name: string,
  texts: DictionaryCodes,
  override: ColumnKind | undefined,
  file: string,
  lineOfRow: LineOfRow,
  ownsCodes = false,
  categorical: (texts: DictionaryCodes) => Column = (given) => categoricalFromDictionary(given, ownsCodes),
): Column {
  const { codes, values } = texts;
  const blank = values.map((text) => text.trim() === '');
  /** The first row whose value fails `bad`, or -1. */
  const firstRow = (bad: readonly boolean[]): number => {
    for (let row = 0; row < codes.length; row += 1) {
      const code = codes[row] as number;
      if (code !== MISSING_CODE && bad[code] === true) return row;
    }
    return -1;
  };
  const valueAt = (row: number) => values[codes[row] as number] as string;
  if (override === 'numeric') {
    const numbers = values.map((text, code) => (blank[code] ? NaN : isNumberText(text) ? parseNumberText(text) : undefined));
    const bad = numbers.map((number) => number === undefined);
    const row = firstRow(bad);
    if (row >= 0) throw textInNumericColumn(name, valueAt(row), row, file, lineOfRow, 'was declared numeric');
    return numericColumn(Float64Array.from(codes, (code) => (code === MISSING_CODE ? NaN : (numbers[code] as number))));
  }
  if (override === 'date') {
    const instants = values.map((text, code) => (blank[code] ? NaN : parseDateString(text)));
    const row = firstRow(instants.map((instant, code) => Number.isNaN(instant) && !blank[code]));
    if (row >= 0) {
      const line = lineOfRow(row);
      throw new DataError(
        `Column '${name}' of '${file}' was declared a date but ${line !== undefined ? `line ${line}` : `row ${row + 1}`} holds ${describeValue(valueAt(row))}, ` +
          `which is not an ISO-8601 date. Write dates as YYYY-MM-DD (UTC) or declare the column 'categorical'.`,
        { file, column: name, ...(line !== undefined ? { line } : {}) },
      );
    }
    return dateColumn(Float64Array.from(codes, (code) => (code === MISSING_CODE ? NaN : (instants[code] as number))));
  }
  const isNumber = override === undefined ? values.map(isNumberText) : [];
  // Rows are counted only when some distinct text is a number (a text column skips the pass).
  if (override === undefined && isNumber.includes(true)) {
    const rowsOf = new Float64Array(values.length);
    for (let row = 0; row < codes.length; row += 1) {
      const code = codes[row] as number;
      if (code !== MISSING_CODE) rowsOf[code] = (rowsOf[code] as number) + 1;
    }
    let present = 0;
    let numeric = 0;
    values.forEach((_, code) => {
      if (blank[code]) return;
      present += rowsOf[code] as number;
      if (isNumber[code]) numeric += rowsOf[code] as number;
    });
    if (present > 0 && numeric >= 0.9 * present) {
      const row = firstRow(values.map((_, code) => !blank[code] && !isNumber[code]));
      if (row >= 0) throw textInNumericColumn(name, valueAt(row), row, file, lineOfRow, 'holds numbers');
    }
  }
  return categorical(texts);
}

function textInNumericColumn(name: string, text: string, row: number, file: string, lineOfRow: LineOfRow, why: string): DataError {
  const line = lineOfRow(row);
  return new DataError(
    `Column '${name}' of '${file}' ${why}, but ${line !== undefined ? `line ${line}` : `row ${row + 1}`} holds the text ${describeValue(text)}. ` +
      `Fix or blank that value, or declare the column with { columns: { ${name}: 'categorical' } } if it is not numeric.`,
    { file, column: name, ...(line !== undefined ? { line } : {}) },
  );
}
