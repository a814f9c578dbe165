/** Inputs shorter than this are left to the typed-array sort (the table's setup would not pay). */
const SMALL = 1024;
/** At most this many distinct values are counted; more, and the typed-array sort takes over. */
const MAX_DISTINCT = 1 << 12;
/** Index of the high (sign and exponent) 32-bit word of a float64 in an Int32Array view, by platform byte order. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOW = 1 - HIGH;

/**
 * Sorts `values` increasing in place and returns it, in the order `Float64Array.prototype.sort`
 * gives (-0 before 0, NaN last). Scores with few distinct values (calibrated scores: isotonic
 * calibration of 112,000 training rows gives ~360) are counted in a hash table of their bits,
 * the distinct ones sorted, and written back in runs: two linear passes instead of V8's typed
 * sort (~130 ns per value here, 15 ms for 112,000 scores). Inputs with many distinct values
 * (raw model scores) or NaN are handed to the typed sort after at most 4,096 distinct values.
 */
export function sortScoresInPlace(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < SMALL) return values.sort();
  const limit = Math.min(n >>> 4, MAX_DISTINCT);
  let bits = 1;
  while (1 << bits < 2 * limit) bits++;
  const capacity = 1 << bits;
  const mask = capacity - 1;
  // The slot is the top bits of a multiplicative hash: the low bits of a product see only the
  // low bits of its factors (all 0 in the low word of a float32-valued score).
  const shift = 32 - bits;
  const keyHigh = new Int32Array(capacity);
  const keyLow = new Int32Array(capacity);
  /** Occurrences per slot; 0 = empty slot. */
  const counts = new Int32Array(capacity);
  const words = new Int32Array(values.buffer, values.byteOffset, 2 * n);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const high = words[2 * i + HIGH]!;
    const low = words[2 * i + LOW]!;
    // NaN (exponent all ones, a mantissa bit set): its payloads would not come back in the typed sort's order.
    if ((high & 0x7ff00000) === 0x7ff00000 && ((high & 0xfffff) | low) !== 0) return values.sort();
    let slot = Math.imul(high ^ Math.imul(low ^ (low >>> 15), 0x2c1b3c6d), 0x9e3779b1) >>> shift;
    for (;;) {
      const count = counts[slot]!;
      if (count === 0) {
        if (++distinct > limit) return values.sort();
        keyHigh[slot] = high;
        keyLow[slot] = low;
        counts[slot] = 1;
        break;
      }
      if (keyHigh[slot] === high && keyLow[slot] === low) {
        counts[slot] = count + 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  // The distinct values in order (a typed sort of a few hundred), each written as a run of its count.
  const slots = new Int32Array(distinct);
  const keys = new Float64Array(distinct);
  const keyWords = new Int32Array(keys.buffer);
  for (let slot = 0, k = 0; slot < capacity; slot++) {
    if (counts[slot] === 0) continue;
    keyWords[2 * k + HIGH] = keyHigh[slot]!;
    keyWords[2 * k + LOW] = keyLow[slot]!;
    slots[k++] = slot;
  }
  const order = Int32Array.from(slots.keys()).sort((a, b) => compareAsTypedSort(keys[a]!, keys[b]!));
  let start = 0;
  for (let k = 0; k < distinct; k++) {
    const slot = slots[order[k]!]!;
    const end = start + counts[slot]!;
    values.fill(keys[order[k]!]!, start, end);
    start = end;
  }
  return values;
}

/** The typed-array sort's order of two non-NaN numbers: -0 before 0. */
function compareAsTypedSort(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === 0 && b === 0) return Object.is(a, -0) ? (Object.is(b, -0) ? 0 : -1) : Object.is(b, -0) ? 1 : 0;
  return 0;
}
