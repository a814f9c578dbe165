import { DataError, ParameterError, SchemaError } from '../errors';
import type { Column } from '../table/column';
import { dataErrorFromDuckDB, sqlString } from './duckdb';
import { findRaggedLine, outlineCsv } from './csv-file';
import { messageOf } from './duckdb';
import { scanWithDuckDB } from './duckdb-scan';
import { readPlainCsv } from './plain-csv';
import type { ReadTableOptions } from './read-options';

/**
 * Texts that mean "missing", as pandas.read_csv's default na_values: users moving from pandas
 * expect 'NA' in a numeric column to be a missing value, not text.
 */
const PANDAS_MISSING_MARKERS = [
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
];

const MISSING_MARKERS: ReadonlySet<string> = new Set(PANDAS_MISSING_MARKERS);

/**
 * DuckDB's CSV read buffer. Its default (16 x the 2 MB maximum line size) held ~80 MB more at the
 * peak of a 1M x 20 read for no measurable speed gain; twice the maximum line keeps any legal line
 * in one buffer.
 */
const CSV_BUFFER_BYTES = 2 * 2_097_152;

/** Reads a CSV (or TSV) file with DuckDB's parallel CSV reader. */
export async function readCsv(file: string, options: ReadTableOptions, defaultDelimiter: string): Promise<Map<string, Column>> {
  const delimiter = options.delimiter ?? defaultDelimiter;
  // Plain files skip DuckDB (its fixed cost, its sniffing, its one-thread result); anything else
  // (options included) goes to DuckDB.
  if (options.columns === undefined && options.limit === undefined && options.sample === undefined) {
    const columns = await readPlainCsv(file, delimiter, MISSING_MARKERS);
    if (columns !== undefined) return columns;
  }
  const outline = outlineCsv(file, delimiter);
  const relation =
    `read_csv(${sqlString(file)}, header = true, delim = ${sqlString(delimiter)}, quote = '"', escape = '"', ` +
    `strict_mode = true, null_padding = false, nullstr = [${PANDAS_MISSING_MARKERS.map(sqlString).join(', ')}], ` +
    `buffer_size = ${CSV_BUFFER_BYTES})`;
  try {
    return await scanWithDuckDB({ file, relation, rowCapacity: outline.rowCapacity, lineOfRow: (row) => row + 2 }, options);
  } catch (error) {
    // DuckDB's errors come from the addon's realm, so `instanceof Error` cannot be used to spot them.
    if (error instanceof DataError || error instanceof SchemaError || error instanceof ParameterError) throw error;
    if (/invalid unicode|not utf-8 encoded/i.test(messageOf(error))) {
      throw dataErrorFromDuckDB(error, file, 'Re-save it as UTF-8.');
    }
    const ragged = findRaggedLine(file, delimiter, outline.header.length);
    if (ragged !== undefined) {
      throw new DataError(
        `Cannot read '${file}': line ${ragged.line} has ${ragged.fields} fields but the header has ${outline.header.length}. ` +
          `Fix that row (a missing or extra '${delimiter}', or an unclosed quote).`,
        { file, line: ragged.line },
      );
    }
    throw dataErrorFromDuckDB(error, file, 'Check that the file is a well-formed CSV file with a header line.');
  }
}
