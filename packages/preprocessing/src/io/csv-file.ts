import * as fs from 'node:fs';
import { DataError, SchemaError } from '../errors';

const SCAN_BLOCK_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;
const RAGGED_SCAN_MAX_BYTES = 256 * 1024 * 1024;

/** What a quick byte scan of a CSV file tells before DuckDB parses it. */
export interface CsvOutline {
  /** Column names from the first line. */
  readonly header: readonly string[];
  /** Lines after the header: an upper bound on the number of data rows, exact for most files. */
  readonly rowCapacity: number;
}

/**
 * Reads the header and counts newlines (memchr speed) so columns can be allocated once, and
 * refuses empty files and duplicate column names, which DuckDB would silently rename.
 */
export function outlineCsv(file: string, delimiter: string): CsvOutline {
  const fd = fs.openSync(file, 'r');
  try {
    const block = Buffer.allocUnsafe(SCAN_BLOCK_BYTES);
    let newlines = 0;
    let firstLine: string | undefined;
    // Bytes of the line being looked at for the header (only lines up to the first non-blank one
    // become strings: decoding the whole block cost tens of ms on a 10 MB file).
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let lastByte = NEWLINE;
    const takeLine = (line: Buffer): void => {
      const text = line.toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') firstLine = text;
    };
    for (;;) {
      const bytes = fs.readSync(fd, block, 0, SCAN_BLOCK_BYTES, null);
      if (bytes === 0) break;
      lastByte = block[bytes - 1] as number;
      let from = 0;
      let at = block.indexOf(NEWLINE, 0);
      while (at !== -1 && at < bytes) {
        newlines += 1;
        if (firstLine === undefined) {
          takeLine(pending.length === 0 ? block.subarray(from, at) : Buffer.concat([...pending, block.subarray(from, at)]));
          pending = [];
          pendingBytes = 0;
        }
        from = at + 1;
        at = block.indexOf(NEWLINE, at + 1);
      }
      if (firstLine === undefined && from < bytes) {
        // A line running past the block: kept (copied, the block is reused) up to 1 MB, which is
        // enough to name the columns.
        if (pendingBytes < 1 << 20) {
          pending.push(Buffer.from(block.subarray(from, bytes)));
          pendingBytes += bytes - from;
        } else if (pending.length > 0) {
          takeLine(Buffer.concat(pending));
          pending = [];
        }
      }
    }
    if (firstLine === undefined && pending.length > 0) takeLine(Buffer.concat(pending));
    if (firstLine === undefined || firstLine.trim() === '') {
      throw new DataError(`The file '${file}' is empty. A CSV file needs a header line and at least one data row.`, { file });
    }
    const header = headerOf(firstLine.replace(/^\uFEFF/, ''), delimiter, file);
    // A last line without a newline is a line too; the header is not a data row.
    return { header, rowCapacity: Math.max(0, newlines + (lastByte === NEWLINE ? 0 : 1) - 1) };
  } finally {
    fs.closeSync(fd);
  }
}

/** The column names of a header line; a name given twice is a SchemaError (DuckDB would silently rename it). */
export function headerOf(line: string, delimiter: string, file: string): string[] {
  const header = splitCsvLine(line, delimiter);
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new SchemaError(
        `The header of '${file}' names column '${name}' twice. Rename one of them; column names must be unique.`,
        { file, column: name },
      );
    }
    seen.add(name);
  }
  return header;
}

/** Splits one CSV line into fields, honoring double quotes. */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      fields.push(field.trim());
      field = '';
    } else field += ch;
  }
  fields.push(field.trim().replace(/\r$/, ''));
  return fields;
}

/**
 * Finds the first line whose field count differs from the header's (1-based line number), for
 * when DuckDB's sniffer gives up without saying where. Only runs after a failure.
 */
export function findRaggedLine(file: string, delimiter: string, expected: number): { line: number; fields: number } | undefined {
  // Beyond this size one JS string cannot hold the file; DuckDB's own message is used instead.
  if (fs.statSync(file).size > RAGGED_SCAN_MAX_BYTES) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  let line = 1;
  let fields = 1;
  let quoted = false;
  let lineHasContent = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === delimiter) fields += 1;
    else if (!quoted && ch === '\n') {
      if (lineHasContent && fields !== expected) return { line, fields };
      line += 1;
      fields = 1;
      lineHasContent = false;
      continue;
    }
    if (ch !== '\r' && ch !== '\n') lineHasContent = true;
  }
  if (lineHasContent && fields !== expected) return { line, fields };
  return undefined;
}
