// What a scan's columns become, shared by the DuckDB scan (addon.cc) and the Parquet reader
// (parquet_reader.cc): text columns as dictionary codes (Dictionary), sorted into JavaScript's
// string order at the end (SortDictionary), and number columns side by side in one block (Block);
// and how both are handed to JavaScript without a copy (AdoptBlock, AdoptSortedTexts).
#pragma once

#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace duckdb_vectors {

// Distinct strings of one column, by their bytes. Texts of up to 12 bytes (codes, ids, dates:
// most of what users' text columns hold) are keyed by their 16-byte duckdb_string_t image
// (length + inline bytes, zero-padded) in a flat open-addressing table: a lookup is two 64-bit
// compares in one cache line, no pointer chase, no memcmp. Longer texts go to a table of hashes.
class Dictionary {
 public:
  static constexpr uint32_t kShort = 12;

  Dictionary() : slots_(256, -1), mask_(255), short_(256), shortMask_(255) {}

  // The code of a text given as a duckdb_string_t entry (16 bytes: length, then 12 inline bytes
  // or a 4-byte prefix and a pointer).
  int32_t CodeOfEntry(const uint8_t* entry) {
    uint32_t length;
    std::memcpy(&length, entry, 4);
    if (length <= kShort) {
      uint64_t k0, k1;
      std::memcpy(&k0, entry, 8);
      std::memcpy(&k1, entry + 8, 8);
      // Bytes past the text are masked off: only the length and the text make the key.
      const uint32_t n0 = std::min<uint32_t>(8, 4 + length), n1 = length > 4 ? length - 4 : 0;
      k0 &= n0 == 8 ? ~0ULL : ((1ULL << (8 * n0)) - 1);
      k1 &= n1 == 8 ? ~0ULL : ((1ULL << (8 * n1)) - 1);
      return ShortCode(k0, k1, reinterpret_cast<const char*>(entry + 4), length);
    }
    const char* text;
    std::memcpy(&text, entry + 8, sizeof(text));
    return LongCode(text, length);
  }

  int32_t Code(const char* data, uint32_t length) {
    if (length <= kShort) {
      uint8_t image[16] = {0};
      std::memcpy(image, &length, 4);
      std::memcpy(image + 4, data, length);
      uint64_t k0, k1;
      std::memcpy(&k0, image, 8);
      std::memcpy(&k1, image + 8, 8);
      return ShortCode(k0, k1, data, length);
    }
    return LongCode(data, length);
  }

  const std::vector<std::string>& values() const { return values_; }
  size_t returned = 0;  // values already handed to JavaScript

  // Frees the texts and tables (after they were handed on as one sorted byte block).
  void Release() {
    std::vector<std::string>().swap(values_);
    std::vector<uint64_t>().swap(hashes_);
    std::vector<int32_t>().swap(longCodes_);
    std::vector<ShortSlot>().swap(short_);
    std::vector<int32_t>().swap(slots_);
  }

 private:
  struct ShortSlot {
    uint64_t k0 = 0, k1 = 0;
    int32_t code = -1;
  };

  static uint64_t Mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
  }

  static uint64_t ShortHash(uint64_t k0, uint64_t k1) {
    uint64_t h = k0 * 0x9e3779b97f4a7c15ULL ^ (k1 + 0x632be59bd9b4e019ULL) * 0xc2b2ae3d27d4eb4fULL;
    return h ^ (h >> 29) ^ (h >> 47);
  }

  int32_t ShortCode(uint64_t k0, uint64_t k1, const char* data, uint32_t length) {
    size_t at = ShortHash(k0, k1) & shortMask_;
    for (;;) {
      ShortSlot& slot = short_[at];
      if (slot.code < 0) break;
      if (slot.k0 == k0 && slot.k1 == k1) return slot.code;
      at = (at + 1) & shortMask_;
    }
    const int32_t code = Add(data, length);
    short_[at] = ShortSlot{k0, k1, code};
    if (++shortCount_ * 2 > short_.size()) {
      std::vector<ShortSlot> grown(short_.size() * 2);
      const size_t mask = grown.size() - 1;
      for (const ShortSlot& old : short_) {
        if (old.code < 0) continue;
        size_t to = ShortHash(old.k0, old.k1) & mask;
        while (grown[to].code >= 0) to = (to + 1) & mask;
        grown[to] = old;
      }
      short_.swap(grown);
      shortMask_ = mask;
    }
    return code;
  }

  int32_t LongCode(const char* data, uint32_t length) {
    const uint64_t hash = Hash(data, length);
    size_t at = hash & mask_;
    for (;;) {
      const int32_t code = slots_[at];
      if (code < 0) break;
      const std::string& known = values_[static_cast<size_t>(code)];
      if (hashes_[static_cast<size_t>(code)] == hash && known.size() == length && std::memcmp(known.data(), data, length) == 0) return code;
      at = (at + 1) & mask_;
    }
    const int32_t code = Add(data, length);
    hashes_.resize(values_.size());
    hashes_[static_cast<size_t>(code)] = hash;
    longCodes_.push_back(code);
    slots_[at] = code;
    if (longCodes_.size() * 2 > slots_.size()) Grow();
    return code;
  }

  int32_t Add(const char* data, uint32_t length) {
    if (values_.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) throw std::runtime_error("more than 2^31 distinct texts in one column");
    const auto code = static_cast<int32_t>(values_.size());
    values_.emplace_back(data, length);
    return code;
  }

  static uint64_t Hash(const char* data, uint32_t length) {
    uint64_t hash = Mix(length + 0x9e3779b97f4a7c15ULL);
    uint32_t at = 0;
    for (; at + 8 <= length; at += 8) {
      uint64_t word;
      std::memcpy(&word, data + at, 8);
      hash = Mix(hash ^ word);
    }
    if (at < length) {
      uint64_t word = 0;
      std::memcpy(&word, data + at, length - at);
      hash = Mix(hash ^ word);
    }
    return hash;
  }

  void Grow() {
    std::vector<int32_t> slots(slots_.size() * 2, -1);
    const size_t mask = slots.size() - 1;
    for (const int32_t code : longCodes_) {
      size_t at = hashes_[static_cast<size_t>(code)] & mask;
      while (slots[at] >= 0) at = (at + 1) & mask;
      slots[at] = code;
    }
    slots_.swap(slots);
    mask_ = mask;
  }

  std::vector<std::string> values_;
  std::vector<uint64_t> hashes_;  // by code; set for long texts only
  std::vector<int32_t> longCodes_;
  std::vector<int32_t> slots_;
  size_t mask_;
  std::vector<ShortSlot> short_;
  size_t shortMask_;
  size_t shortCount_ = 0;
};

// JavaScript's string order (`<`, UTF-16 code units: what compareCodePoints sorts categories by) on
// UTF-8 bytes. Byte order is code-point order; the two differ only between U+E000-U+FFFF (lead bytes
// EE, EF) and supplementary characters (lead bytes F0-F4; surrogate pairs in UTF-16, below U+E000).
inline bool Utf16Less(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  const auto* x = reinterpret_cast<const uint8_t*>(a.data());
  const auto* y = reinterpret_cast<const uint8_t*>(b.data());
  if (std::memcmp(x, y, n) == 0) return a.size() < b.size();
  size_t i = 0;
  while (x[i] == y[i]) i++;
  const uint8_t p = x[i], q = y[i];
  const bool pSupplementary = p >= 0xF0, qSupplementary = q >= 0xF0;
  const bool pHighBmp = p == 0xEE || p == 0xEF, qHighBmp = q == 0xEE || q == 0xEF;
  if ((pSupplementary && qHighBmp) || (pHighBmp && qSupplementary)) return pSupplementary;
  return p < q;
}

// Whether a text is a number to text-column.ts's NUMBER_TEXT test after String.prototype.trim():
// [+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)? or [+-]?(inf|infinity|nan), any case. trim() removes
// JavaScript's white space and line terminators, ASCII and Unicode (U+00A0, U+FEFF, ...) alike.
inline size_t UnicodeSpaceLength(const uint8_t* b, size_t n) {
  static const char* const kSpaces[] = {"\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
                                        "\xE2\x81\x9F", "\xE3\x80\x80", "\xEF\xBB\xBF"};
  if (n >= 3 && b[0] == 0xE2 && b[1] == 0x80 && b[2] >= 0x80 && b[2] <= 0x8A) return 3;  // U+2000-U+200A
  for (const char* space : kSpaces) {
    const size_t length = std::strlen(space);
    if (n >= length && std::memcmp(b, space, length) == 0) return length;
  }
  return 0;
}

inline bool IsNumberText(const std::string& text) {
  const auto* b = reinterpret_cast<const uint8_t*>(text.data());
  const auto isSpace = [](uint8_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0d); };
  size_t from = 0, to = text.size();
  for (;;) {
    if (from < to && isSpace(b[from])) from++;
    else if (const size_t n = from < to && b[from] >= 0x80 ? UnicodeSpaceLength(b + from, to - from) : 0) from += n;
    else break;
  }
  for (;;) {
    if (to > from && isSpace(b[to - 1])) {
      to--;
      continue;
    }
    // A multi-byte character ends here: find its first byte and see whether it is a space.
    size_t start = to;
    while (start > from && to - start < 4 && (b[start - 1] & 0xC0) == 0x80) start--;
    if (to > from && b[to - 1] >= 0x80 && start > from && UnicodeSpaceLength(b + start - 1, to - start + 1) == to - start + 1) {
      to = start - 1;
      continue;
    }
    break;
  }
  if (from == to) return false;
  size_t at = from;
  if (b[at] == '+' || b[at] == '-') at++;
  const auto word = [&](const char* w) {
    const size_t n = std::strlen(w);
    if (to - at != n) return false;
    for (size_t k = 0; k < n; k++) {
      if ((b[at + k] | 0x20) != static_cast<uint8_t>(w[k])) return false;
    }
    return true;
  };
  if (word("inf") || word("infinity") || word("nan")) return true;
  const auto digits = [&]() {
    const size_t start = at;
    while (at < to && b[at] >= '0' && b[at] <= '9') at++;
    return at > start;
  };
  const bool whole = digits();
  if (at < to && b[at] == '.') {
    at++;
    if (!digits() && !whole) return false;
  } else if (!whole) {
    return false;
  }
  if (at < to && (b[at] == 'e' || b[at] == 'E')) {
    at++;
    if (at < to && (b[at] == '+' || b[at] == '-')) at++;
    if (!digits()) return false;
  }
  return at == to;
}

// A text column's distinct values in JavaScript's string order, as one UTF-8 block and int32
// offsets (category k is bytes[offsets[k], offsets[k + 1])), malloc'ed for JavaScript to adopt.
struct SortedTexts {
  uint8_t* bytes = nullptr;
  size_t byteLength = 0;
  int32_t* offsets = nullptr;
  size_t count = 0;
  uint32_t numberTexts = 0;  // distinct texts IsNumberText accepts

  ~SortedTexts() {
    std::free(bytes);
    std::free(offsets);
  }
};

// Sorts `dictionary`'s texts, rewrites the `rows` codes to the sorted order (-1 stays), and moves
// the texts into `out`: no JavaScript string per text (a column of ids unique per row would
// otherwise cost a string, a Map entry and a JavaScript sort per row). False, and nothing changed,
// when the texts hold 2^31 bytes or more (int32 offsets).
inline bool SortDictionary(Dictionary& dictionary, int32_t* codes, size_t rows, SortedTexts& out) {
  const auto& values = dictionary.values();
  const size_t n = values.size();
  size_t total = 0;
  bool highBytes = false;
  for (const std::string& text : values) {
    total += text.size();
    for (const char c : text) highBytes = highBytes || static_cast<uint8_t>(c) >= 0xEE;
  }
  if (total >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) return false;
  // Sort keys: the first 8 bytes big-endian (byte order) and the code; ties, and any text with a
  // byte that Utf16Less may order differently from byte order, go to the full comparison.
  struct Key {
    uint64_t prefix;
    int32_t code;
  };
  std::vector<Key> keys(n);
  for (size_t k = 0; k < n; k++) {
    uint64_t prefix = 0;
    const std::string& text = values[k];
    for (size_t i = 0; i < 8; i++) prefix = (prefix << 8) | (i < text.size() ? static_cast<uint8_t>(text[i]) : 0);
    keys[k] = Key{prefix, static_cast<int32_t>(k)};
  }
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (!highBytes && a.prefix != b.prefix) return a.prefix < b.prefix;
    return Utf16Less(values[static_cast<size_t>(a.code)], values[static_cast<size_t>(b.code)]);
  });
  out.bytes = static_cast<uint8_t*>(std::malloc(std::max<size_t>(1, total)));
  out.offsets = static_cast<int32_t*>(std::malloc((n + 1) * sizeof(int32_t)));
  if (out.bytes == nullptr || out.offsets == nullptr) throw std::bad_alloc();
  std::vector<int32_t> rank(n);
  size_t at = 0;
  for (size_t k = 0; k < n; k++) {
    const std::string& text = values[static_cast<size_t>(keys[k].code)];
    rank[static_cast<size_t>(keys[k].code)] = static_cast<int32_t>(k);
    out.offsets[k] = static_cast<int32_t>(at);
    std::memcpy(out.bytes + at, text.data(), text.size());
    at += text.size();
    if (IsNumberText(text)) out.numberTexts++;
  }
  out.offsets[n] = static_cast<int32_t>(at);
  out.byteLength = total;
  out.count = n;
  for (size_t i = 0; i < rows; i++) codes[i] = codes[i] < 0 ? -1 : rank[static_cast<size_t>(codes[i])];
  dictionary.Release();
  return true;
}

// Where a read's columns go: the float64 columns side by side in one malloc'ed block (column i at
// i * stride), so a Table's numeric columns can form a column-major matrix without a copy, and one
// block per text column for its int32 codes. Grown by realloc (large blocks are remapped, not
// copied); handed to JavaScript as external ArrayBuffers, without a copy, when the read returns.
struct Block {
  void* data = nullptr;
  size_t stride = 0;  // rows each column has room for
  size_t columns = 0;
  size_t element = 8;

  // Room for `rows` rows in every column; `filled` rows of each are kept in place.
  void Reserve(size_t rows, size_t filled) {
    if (rows <= stride) return;
    const size_t bytes = std::max<size_t>(1, rows * columns * element);
    void* grown = std::realloc(data, bytes);
    if (grown == nullptr) throw std::bad_alloc();
    auto* base = static_cast<uint8_t*>(grown);
    // Columns move to their new, larger offsets, last first, so none is overwritten before it moves.
    for (size_t i = columns; i-- > 1;) std::memmove(base + i * rows * element, base + i * stride * element, filled * element);
    data = grown;
    stride = rows;
  }

  void* Column(size_t i, size_t row) const { return static_cast<uint8_t*>(data) + (i * stride + row) * element; }

  // Packs the columns to `rows` each (back to back) and gives the memory up to the caller.
  void* Finish(size_t rows) {
    auto* base = static_cast<uint8_t*>(data);
    if (rows < stride) {
      for (size_t i = 1; i < columns; i++) std::memmove(base + i * rows * element, base + i * stride * element, rows * element);
      void* shrunk = std::realloc(data, std::max<size_t>(1, rows * columns * element));
      if (shrunk != nullptr) base = static_cast<uint8_t*>(shrunk);
    }
    data = nullptr;
    stride = 0;
    return base;
  }

  ~Block() { std::free(data); }
};

// Whether bytes are valid UTF-8 (as Buffer's isUtf8: no overlong forms, surrogates or code points
// beyond U+10FFFF). ASCII runs are skipped 8 bytes at a time.
inline bool ValidUtf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const uint8_t b = p[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t need;
    uint32_t min, cp;
    if ((b & 0xe0) == 0xc0) need = 1, min = 0x80, cp = b & 0x1f;
    else if ((b & 0xf0) == 0xe0) need = 2, min = 0x800, cp = b & 0x0f;
    else if ((b & 0xf8) == 0xf0) need = 3, min = 0x10000, cp = b & 0x07;
    else return false;
    if (i + need >= n) return false;
    for (size_t k = 1; k <= need; k++) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

// A block's `rows` rows per column as an ArrayBuffer that JavaScript owns (freed when collected).
inline Napi::ArrayBuffer AdoptBlock(Napi::Env env, Block& block, size_t rows) {
  const size_t bytes = std::max<size_t>(1, rows * block.columns * block.element);
  return Napi::ArrayBuffer::New(env, block.Finish(rows), bytes, [](Napi::Env, void* p) { std::free(p); });
}

// Sorted texts as { bytes, offsets, numberTexts } (ScanBatch.sortedTexts[j]); JavaScript owns the memory.
inline Napi::Object AdoptSortedTexts(Napi::Env env, SortedTexts& sorted) {
  const auto free = [](Napi::Env, void* p) { std::free(p); };
  Napi::Object texts = Napi::Object::New(env);
  texts.Set("bytes", Napi::Uint8Array::New(env, sorted.byteLength, Napi::ArrayBuffer::New(env, sorted.bytes, std::max<size_t>(1, sorted.byteLength), free), 0));
  sorted.bytes = nullptr;
  texts.Set("offsets", Napi::Int32Array::New(env, sorted.count + 1, Napi::ArrayBuffer::New(env, sorted.offsets, (sorted.count + 1) * sizeof(int32_t), free), 0));
  sorted.offsets = nullptr;
  texts.Set("numberTexts", Napi::Number::New(env, sorted.numberTexts));
  return texts;
}

}  // namespace duckdb_vectors
