import { DataError, describeValue } from '../errors';
import { type Column, type ColumnKind, dateColumn, encodeCategorical, numericColumn } from '../table/column';
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
 * (silently making it categorical would hand a model nonsense codes).
 */
export function resolveTextColumn(
  name: string,
  texts: readonly (string | null)[],
  override: ColumnKind | undefined,
  file: string,
  lineOfRow: LineOfRow,
): Column {
  if (override === 'numeric') {
    const values = new Float64Array(texts.length);
    texts.forEach((text, row) => {
      if (text === null || text.trim() === '') values[row] = NaN;
      else if (isNumberText(text)) values[row] = parseNumberText(text);
      else throw textInNumericColumn(name, text, row, file, lineOfRow, 'was declared numeric');
    });
    return numericColumn(values);
  }
  if (override === 'date') {
    const values = new Float64Array(texts.length);
    texts.forEach((text, row) => {
      if (text === null || text.trim() === '') {
        values[row] = NaN;
        return;
      }
      const epochMs = parseDateString(text);
      if (Number.isNaN(epochMs)) {
        const line = lineOfRow(row);
        throw new DataError(
          `Column '${name}' of '${file}' was declared a date but ${line !== undefined ? `line ${line}` : `row ${row + 1}`} holds ${describeValue(text)}, ` +
            `which is not an ISO-8601 date. Write dates as YYYY-MM-DD (UTC) or declare the column 'categorical'.`,
          { file, column: name, ...(line !== undefined ? { line } : {}) },
        );
      }
      values[row] = epochMs;
    });
    return dateColumn(values);
  }
  if (override === undefined) {
    let present = 0;
    let numeric = 0;
    let firstText = -1;
    texts.forEach((text, row) => {
      if (text === null || text.trim() === '') return;
      present += 1;
      if (isNumberText(text)) numeric += 1;
      else if (firstText < 0) firstText = row;
    });
    if (present > 0 && numeric >= 0.9 * present && firstText >= 0) {
      throw textInNumericColumn(name, texts[firstText] as string, firstText, file, lineOfRow, 'holds numbers');
    }
  }
  return encodeCategorical(texts);
}

function textInNumericColumn(name: string, text: string, row: number, file: string, lineOfRow: LineOfRow, why: string): DataError {
  const line = lineOfRow(row);
  return new DataError(
    `Column '${name}' of '${file}' ${why}, but ${line !== undefined ? `line ${line}` : `row ${row + 1}`} holds the text ${describeValue(text)}. ` +
      `Fix or blank that value, or declare the column with { columns: { ${name}: 'categorical' } } if it is not numeric.`,
    { file, column: name, ...(line !== undefined ? { line } : {}) },
  );
}
