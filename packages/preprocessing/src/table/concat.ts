import { SchemaError } from '../errors';
import { type Column, MISSING_CODE, categoricalColumn, columnLength, dateColumn, numericColumn } from './column';

/**
 * Stacks same-named columns of several tables. Categorical columns keep the first table's codes
 * and append categories first seen in later tables, so existing codes never change meaning.
 */
export function concatColumns(name: string, parts: readonly Column[]): Column {
  const first = parts[0];
  if (first === undefined) throw new SchemaError(`Cannot concatenate column '${name}': no tables given.`, { column: name });
  for (const part of parts) {
    if (part.kind !== first.kind) {
      throw new SchemaError(`Cannot concatenate column '${name}': it is ${first.kind} in the first table and ${part.kind} in another. Convert it first.`, {
        column: name,
      });
    }
  }
  const total = parts.reduce((sum, part) => sum + columnLength(part), 0);
  if (first.kind === 'categorical') {
    const categories = [...first.categories];
    const index = new Map(categories.map((category, code) => [category, code]));
    const codes = new Int32Array(total);
    let offset = 0;
    for (const part of parts as readonly (Column & { kind: 'categorical' })[]) {
      const remap = part.categories.map((category) => {
        let code = index.get(category);
        if (code === undefined) {
          code = categories.length;
          categories.push(category);
          index.set(category, code);
        }
        return code;
      });
      part.codes.forEach((code, i) => (codes[offset + i] = code === MISSING_CODE ? MISSING_CODE : (remap[code] as number)));
      offset += part.codes.length;
    }
    return categoricalColumn(codes, categories);
  }
  const values = new Float64Array(total);
  let offset = 0;
  for (const part of parts as readonly (Column & { values: Float64Array | Float32Array })[]) {
    values.set(part.values, offset);
    offset += part.values.length;
  }
  return first.kind === 'date' ? dateColumn(values) : numericColumn(values);
}
