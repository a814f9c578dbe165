import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigProblem } from '@kdap/errors';
import { isMapping } from './layer';

/**
 * Reads one YAML config file as plain data (no tags that construct objects, no code). A missing
 * file is `undefined`; a file that does not parse, or whose top level is not a mapping, is a
 * problem naming the file, line and column.
 */
export function readConfigFile(file: string): { values?: Record<string, unknown>; problems: ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { problems: [] };
    return { problems: [{ source: file, keyPath: '', message: `${file}: cannot be read (${(e as Error).message}).` }] };
  }
  // uniqueKeys: a key written twice is almost always an edit gone wrong, never "last one wins".
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, merge: false, lineCounter });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        const where = `${file}:${pos.line}:${pos.col}`;
        return { source: file, keyPath: '', message: `${where}: is not valid YAML: ${err.message.split('\n')[0]}` };
      }),
    };
  }
  const values: unknown = doc.toJS({ maxAliasCount: 100 });
  if (values === null || values === undefined) return { values: {}, problems: [] };
  if (!isMapping(values)) {
    return { problems: [{ source: file, keyPath: '', message: `${file}: must hold a mapping of settings at the top level, got ${Array.isArray(values) ? 'a list' : typeof values}` }] };
  }
  return { values, problems: [] };
}
