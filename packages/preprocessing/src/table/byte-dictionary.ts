const utf8 = new TextDecoder('utf-8');

/** UTF-8 bytes as a string; short ASCII texts without TextDecoder, whose per-call cost is ~1 us. */
function decode(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let text = '';
    for (let b = start; b < end; b += 1) {
      const byte = bytes[b] as number;
      if (byte >= 0x80) return utf8.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return utf8.decode(bytes.subarray(start, end));
}

/**
 * Distinct byte strings -> codes: an open-addressing table over the bytes themselves, so a row
 * costs a hash and a compare, and only a new distinct value becomes a JavaScript string.
 */
export class ByteDictionary {
  readonly texts: string[] = [];
  #slots = new Int32Array(1024).fill(-1);
  #hashes: number[] = [];
  #starts: number[] = [];
  #ends: number[] = [];
  #sources: Uint8Array[] = [];

  code(bytes: Uint8Array, start: number, end: number): number {
    let hash = 0x811c9dc5 ^ (end - start);
    for (let b = start; b < end; b += 1) hash = Math.imul(hash ^ (bytes[b] as number), 0x01000193);
    hash >>>= 0;
    const mask = this.#slots.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const code = this.#slots[at] as number;
      if (code < 0) return this.#add(at, hash, bytes, start, end);
      if (this.#hashes[code] === hash && this.#same(code, bytes, start, end)) return code;
    }
  }

  #same(code: number, bytes: Uint8Array, start: number, end: number): boolean {
    const known = this.#sources[code] as Uint8Array;
    const from = this.#starts[code] as number;
    if ((this.#ends[code] as number) - from !== end - start) return false;
    for (let b = 0; b < end - start; b += 1) if (known[from + b] !== bytes[start + b]) return false;
    return true;
  }

  #add(at: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const code = this.texts.length;
    this.texts.push(decode(bytes, start, end));
    this.#hashes.push(hash);
    this.#sources.push(bytes);
    this.#starts.push(start);
    this.#ends.push(end);
    this.#slots[at] = code;
    if (2 * this.texts.length > this.#slots.length) {
      const slots = new Int32Array(2 * this.#slots.length).fill(-1);
      const mask = slots.length - 1;
      this.#hashes.forEach((known, c) => {
        let to = known & mask;
        while ((slots[to] as number) >= 0) to = (to + 1) & mask;
        slots[to] = c;
      });
      this.#slots = slots;
    }
    return code;
  }
}
