import type { CategoricalColumn } from './column';

/** Texts as one UTF-8 block: text k is `bytes[offsets[k], offsets[k + 1])`. */
export interface Utf8Texts {
  readonly bytes: Uint8Array;
  /** One more entry than there are texts. */
  readonly offsets: Int32Array;
}

/** The UTF-8 form a column's categories arrived in (readers) or were last written from. */
const utf8OfColumn = new WeakMap<CategoricalColumn, Utf8Texts>();

/**
 * A categorical column whose categories stay UTF-8 bytes until something reads `categories`:
 * a column of ids unique per row then costs no JavaScript string per row unless its texts are
 * used (writing it back goes from the bytes, see {@link utf8Categories}). `categories` (sorted as
 * a Table's always are, every one used) is decoded once, on first access, by `decode`.
 */
export function categoricalFromUtf8(codes: Int32Array, texts: Utf8Texts, decode: (texts: Utf8Texts) => string[]): CategoricalColumn {
  let categories: readonly string[] | undefined;
  const column: CategoricalColumn = {
    kind: 'categorical',
    codes,
    get categories(): readonly string[] {
      categories ??= decode(texts);
      return categories;
    },
  };
  utf8OfColumn.set(column, texts);
  return column;
}

/** The number of categories of a column, without decoding categories kept as UTF-8. */
export function categoryCount(column: CategoricalColumn): number {
  const texts = utf8OfColumn.get(column);
  return texts !== undefined ? texts.offsets.length - 1 : column.categories.length;
}

/**
 * A column's categories as UTF-8: the bytes it was read from, or its strings encoded now (one
 * pass over the distinct texts, not the rows). Undefined when they hold 2^31 bytes or more (the
 * offsets are int32).
 */
export function utf8Categories(column: CategoricalColumn): Utf8Texts | undefined {
  const known = utf8OfColumn.get(column);
  if (known !== undefined) return known;
  const { categories } = column;
  const offsets = new Int32Array(categories.length + 1);
  let total = 0;
  for (let k = 0; k < categories.length; k += 1) {
    offsets[k] = total;
    total += Buffer.byteLength(categories[k] as string, 'utf8');
    if (total > 0x7fffffff) return undefined;
  }
  offsets[categories.length] = total;
  const bytes = Buffer.alloc(total);
  categories.forEach((category, k) => bytes.write(category, offsets[k] as number, 'utf8'));
  return { bytes, offsets };
}
