import * as fs from 'node:fs';
import type { Table } from '../table/table';
import { type Column, MISSING_CODE } from '../table/column';
import { MS_PER_DAY } from '../table/dates';

const ROWS_PER_WRITE = 8192;

/** Writes a table as CSV: header line, NaN/missing as empty fields, dates as ISO-8601 (UTC). */
export function writeCsv(table: Table, file: string, delimiter: string): void {
  const names = table.columnNames;
  const formatters = names.map((name) => cellFormatter(table.column(name), delimiter));
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `${names.map((name) => quoteIfNeeded(name, delimiter)).join(delimiter)}\n`);
    for (let start = 0; start < table.rowCount; start += ROWS_PER_WRITE) {
      const end = Math.min(table.rowCount, start + ROWS_PER_WRITE);
      const lines: string[] = new Array(end - start);
      for (let row = start; row < end; row += 1) {
        let line = '';
        for (let j = 0; j < formatters.length; j += 1) {
          if (j > 0) line += delimiter;
          line += (formatters[j] as (row: number) => string)(row);
        }
        lines[row - start] = line;
      }
      fs.writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function cellFormatter(column: Column, delimiter: string): (row: number) => string {
  if (column.kind === 'categorical') {
    const quoted = column.categories.map((category) => quoteIfNeeded(category, delimiter));
    return (row) => {
      const code = column.codes[row] as number;
      return code === MISSING_CODE ? '' : (quoted[code] as string);
    };
  }
  const values = column.values;
  if (column.kind === 'date') {
    // Whole days are written as dates so that readers infer a date column, not a timestamp.
    const allMidnight = values.every((v) => Number.isNaN(v) || v % MS_PER_DAY === 0);
    return (row) => {
      const v = values[row] as number;
      if (Number.isNaN(v)) return '';
      const iso = new Date(v).toISOString();
      return allMidnight ? iso.slice(0, 10) : iso.slice(0, 23);
    };
  }
  // String(v) is the shortest text that parses back to the same double.
  return (row) => {
    const v = values[row] as number;
    return Number.isNaN(v) ? '' : String(v);
  };
}

function quoteIfNeeded(text: string, delimiter: string): string {
  if (text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r') || text === '') {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}
