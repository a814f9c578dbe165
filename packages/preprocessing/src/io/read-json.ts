import * as fs from 'node:fs';
import { DataError, describeValue } from '../errors';
import { type Column, type ColumnKind, MISSING_CODE, dateColumn } from '../table/column';
import { parseDateString } from '../table/dates';
import { type DataRecord, columnsFromRecords } from '../table/records';
import { decodeUtf8 } from './utf8';

/** Reads a JSON array of row objects (pandas' `orient='records'`). */
export function readJson(file: string, kinds: Readonly<Record<string, ColumnKind>>): Map<string, Column> {
  const text = decodeUtf8(fs.readFileSync(file), file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
    throw new DataError(
      `Cannot read '${file}'${line !== undefined ? ` at line ${line}` : ''}: it is not valid JSON (${(error as Error).message}). Fix the JSON syntax.`,
      { file, ...(line !== undefined ? { line } : {}) },
    );
  }
  if (!Array.isArray(parsed)) {
    throw new DataError(`Cannot read '${file}': a JSON table must be an array of row objects, e.g. [{"a": 1}]. Got ${describeValue(parsed)}.`, { file });
  }
  parsed.forEach((row, index) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new DataError(`Cannot read '${file}': element ${index} of the array is ${describeValue(row)}, not a row object.`, { file });
    }
  });
  return inferDates(withFile(() => columnsFromRecords(parsed as DataRecord[], kinds), file, () => undefined), kinds);
}

/** Reads newline-delimited JSON: one row object per line; blank lines are skipped. */
export function readNdjson(file: string, kinds: Readonly<Record<string, ColumnKind>>): Map<string, Column> {
  const text = decodeUtf8(fs.readFileSync(file), file);
  const records: DataRecord[] = [];
  const lineOfRecord: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new DataError(`Cannot read '${file}' at line ${index + 1}: it is not valid JSON (${(error as Error).message}). Fix that line.`, {
        file,
        line: index + 1,
      });
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new DataError(`Cannot read '${file}' at line ${index + 1}: each line must be a JSON object. Got ${describeValue(row)}.`, {
        file,
        line: index + 1,
      });
    }
    records.push(row as DataRecord);
    lineOfRecord.push(index + 1);
  });
  return inferDates(withFile(() => columnsFromRecords(records, kinds), file, (record) => lineOfRecord[record]), kinds);
}

const ISO_DATE_TEXT = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** JSON has no date type: string columns whose every value is an ISO-8601 date become date columns (unless declared). */
function inferDates(columns: Map<string, Column>, kinds: Readonly<Record<string, ColumnKind>>): Map<string, Column> {
  for (const [name, column] of columns) {
    if (column.kind !== 'categorical' || kinds[name] !== undefined || column.categories.length === 0) continue;
    if (!column.categories.every((category) => ISO_DATE_TEXT.test(category) && !Number.isNaN(parseDateString(category)))) continue;
    const epochMs = column.categories.map(parseDateString);
    columns.set(name, dateColumn(Float64Array.from(column.codes, (code) => (code === MISSING_CODE ? NaN : (epochMs[code] as number)))));
  }
  return columns;
}

/** Re-raises a record-level DataError with the file and the line of the record. */
function withFile<T>(build: () => T, file: string, lineOfRecord: (record: number) => number | undefined): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    const line = error.line !== undefined ? lineOfRecord(error.line - 1) : undefined;
    throw new DataError(`Cannot read '${file}'${line !== undefined ? ` at line ${line}` : ''}: ${error.message}`, {
      file,
      ...(line !== undefined ? { line } : {}),
      ...(error.column !== undefined ? { column: error.column } : {}),
    });
  }
}
