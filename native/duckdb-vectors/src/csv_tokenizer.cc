// tokenizeCsv: splits a plain CSV file's data lines into columns, so such a file needs neither
// DuckDB's fixed cost and sniffing nor a JavaScript string per field (cold JavaScript runs
// interpreted on a process's first read). "Plain": no blank lines, no quotes inside unquoted
// fields, quoted fields without escaped quotes, line breaks or empty content, and every line
// exactly `width` fields. Anything else returns null and the caller uses DuckDB.
//
// A column whose first field is a plain number, an ISO date or an ISO timestamp is parsed straight
// into float64s per row (no dictionary: ids and timestamps are mostly distinct, and hashing 200,000
// distinct texts cost more than parsing them); if a later field is not of that kind (nor a missing
// marker), the pass starts again with that column dictionary-encoded, so the result is the same as
// typing the column on its distinct texts. Other columns are dictionary-encoded by their bytes.
//
// The data lines are split at line feeds into one byte range per core (from 1 MB of data on).
// Each range's thread first counts its lines (and checks a file's bytes as UTF-8), so every output
// array is allocated once, to size, and the range's thread then writes its rows from its first
// row on. A file is read by each thread in blocks of its own range (16 MB of blocks in all: 8 MB
// a thread on 2 cores), so a read adds the Table and the blocks, not the file; a range that fits
// one block is read once for both passes.
#include "csv_tokenizer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <kdap/napi_common.h>

#include "huge_pages.h"
#include "scan_columns.h"

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace csv_tokenizer {
namespace {

using duckdb_vectors::Dictionary;
using duckdb_vectors::ValidUtf8;

constexpr uint8_t LF = 0x0a, CR = 0x0d, QUOTE = 0x22;

constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr uint64_t kTwoTo53 = uint64_t{1} << 53;

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// Eight ASCII digits at p as their number, or false when they are not all digits (one 64-bit
// word: a check and three multiplies instead of eight steps).
inline bool EightDigits(const char* p, uint32_t& out) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  // Every byte 0x30-0x39: its high nibble 3, and adding 6 keeps it below 0x40.
  if ((((word & 0xF0F0F0F0F0F0F0F0ULL) | (((word + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4))) != 0x3333333333333333ULL) return false;
  word = ((word & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;                // pairs: 10 * a + b per 16 bits
  word = ((word & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;            // fours: 100 * ab + cd per 32 bits
  out = static_cast<uint32_t>(((word & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32);  // 10^4 * abcd + efgh
  return true;
}

// Digits from p (before end) appended to `digits`; returns the first byte after them.
inline const char* ReadDigits(const char* p, const char* end, uint64_t& digits) {
  uint32_t eight;
  while (end - p >= 8 && EightDigits(p, eight)) {
    digits = digits * 100000000 + eight;
    p += 8;
  }
  while (p < end && IsDigit(*p)) digits = digits * 10 + static_cast<uint64_t>(*p++ - '0');
  return p;
}

#if defined(__x86_64__) && LDBL_MANT_DIG == 64
constexpr long double kLongPowersOfTen[] = {1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
                                            1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
                                            1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};

// digits * 10^power (|power| <= 27, digits < 2^63) rounded to the nearest double, or false when
// that cannot be decided this way. x87's 64-bit significand holds digits and 10^|power| exactly
// (5^27 < 2^64), so one division or multiplication rounds correctly to 64 bits; rounding that to
// the 53 bits of a double is correct unless the 64-bit result lies exactly halfway between two
// doubles (its 11 extra bits 10000000000): the exact value is within half a 64-bit step of it, so
// on the same side of every other halfway point. Those rare ties go to from_chars.
inline bool ExtendedDecimal(uint64_t digits, int64_t power, double& out) {
  long double value = static_cast<long double>(static_cast<int64_t>(digits));
  value = power < 0 ? value / kLongPowersOfTen[-power] : value * kLongPowersOfTen[power];
  uint64_t significand;
  std::memcpy(&significand, &value, sizeof(significand));  // the 80-bit format's low 64 bits
  if ((significand & 0x7FF) == 0x400) return false;
  out = static_cast<double>(value);
  return true;
}
#endif

// A plain number as plain-csv.ts's PLAIN_NUMBER, /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/, as
// the double nearest its value (correctly rounded, like JavaScript's Number() and pandas' values).
// False if it is not one, or if it is an integer beyond 2^53 (the JavaScript side decides those).
// One pass collects the digits (eight at a time). Exact without std::from_chars: integers below
// 2^53; decimals whose digits make an integer up to 2^53 with a power of ten within 1e+-22 (one
// IEEE operation on two exact doubles: Clinger's fast path); decimals of up to 18 digits with a
// power within 1e+-27 (x87 extended precision, ExtendedDecimal). The rest go to std::from_chars,
// which cost 47-68 ns per 17-digit field here (GCC 12, 2 million random doubles, load 2.5).
bool PlainNumber(const char* begin, const char* end, double& value) {
  const char* p = begin;
  const bool negative = p < end && *p == '-';
  if (negative) p++;
  uint64_t digits = 0;  // exact while at most 19 digits were read (10^19 - 1 < 2^64)
  const char* first = p;
  p = ReadDigits(p, end, digits);
  const bool whole = p > first;
  int64_t count = p - first;
  int64_t fractionDigits = 0;
  bool integer = true;
  if (p < end && *p == '.') {
    integer = false;
    const char* fraction = ++p;
    p = ReadDigits(p, end, digits);
    fractionDigits = p - fraction;
    if (!whole && fractionDigits == 0) return false;
    count += fractionDigits;
  } else if (!whole) {
    return false;
  }
  int64_t exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    integer = false;
    p++;
    const bool negativeExponent = p < end && *p == '-';
    if (p < end && (*p == '+' || *p == '-')) p++;
    const char* exponentDigits = p;
    while (p < end && IsDigit(*p)) {
      if (exponent < 1000000) exponent = exponent * 10 + (*p - '0');
      p++;
    }
    if (p == exponentDigits) return false;
    if (negativeExponent) exponent = -exponent;
  }
  if (p != end) return false;
  if (count <= 19) {
    if (integer) {
      if (digits >= kTwoTo53) return false;
      value = negative ? -static_cast<double>(digits) : static_cast<double>(digits);
      return true;
    }
    const int64_t power = exponent - fractionDigits;
    if (digits <= kTwoTo53 && power >= -22 && power <= 22) {
      double magnitude = static_cast<double>(digits);
      magnitude = power < 0 ? magnitude / kPowersOfTen[-power] : magnitude * kPowersOfTen[power];
      value = negative ? -magnitude : magnitude;
      return true;
    }
#if defined(__x86_64__) && LDBL_MANT_DIG == 64
    double magnitude;
    if (count <= 18 && power >= -27 && power <= 27 && ExtendedDecimal(digits, power, magnitude)) {
      value = negative ? -magnitude : magnitude;
      return true;
    }
#endif
  }
  const auto parsed = std::from_chars(begin, end, value);
  if (parsed.ec != std::errc() || parsed.ptr != end) return false;
  return !(integer && std::fabs(value) >= 9007199254740992.0);
}

bool PlainNumber(const std::string& text, double& value) { return PlainNumber(text.data(), text.data() + text.size(), value); }

// What a column's fields are parsed as. Text: dictionary codes; the others: float64 per row.
enum class FieldKind : int32_t { Text = 0, Number = 1, Date = 2, Timestamp = 3 };

bool Digits(const char* p, size_t count, int32_t& out) {
  out = 0;
  for (size_t k = 0; k < count; k++) {
    if (p[k] < '0' || p[k] > '9') return false;
    out = out * 10 + (p[k] - '0');
  }
  return true;
}

// Epoch milliseconds of an ISO date (YYYY-MM-DD) or timestamp (YYYY-MM-DD[ T]hh:mm:ss[.f{1,6}]), as
// plain-csv.ts's ISO_DATE / ISO_TIMESTAMP + checkedUtc compute it (timestamps: the exact
// microseconds / 1000, like DuckDB). False when the text is not one or a field is out of range.
bool IsoInstant(const char* p, size_t length, FieldKind kind, double& out) {
  if (kind == FieldKind::Date ? length != 10 : (length != 19 && (length < 21 || length > 26))) return false;
  int32_t y, m, d, hh = 0, mm = 0, ss = 0, micros = 0;
  if (!Digits(p, 4, y) || p[4] != '-' || !Digits(p + 5, 2, m) || p[7] != '-' || !Digits(p + 8, 2, d)) return false;
  if (kind == FieldKind::Timestamp) {
    if ((p[10] != ' ' && p[10] != 'T') || !Digits(p + 11, 2, hh) || p[13] != ':' || !Digits(p + 14, 2, mm) || p[16] != ':' || !Digits(p + 17, 2, ss)) return false;
    if (length > 19) {
      if (p[19] != '.' || !Digits(p + 20, length - 20, micros)) return false;
      for (size_t k = length - 20; k < 6; k++) micros *= 10;
    }
  }
  static constexpr int32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap ? 1 : 0) || hh >= 24 || mm >= 60 || ss >= 60) return false;
  // Days from the civil date (y >= 1000, so the divisions are of non-negative numbers).
  const int64_t year = m <= 2 ? y - 1 : y;
  const int64_t era = year / 400, yearOfEra = year - era * 400;
  const int64_t dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t days = era * 146097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719468;
  const int64_t ms = days * 86400000 + ((hh * 60 + mm) * 60 + ss) * int64_t{1000};
  out = kind == FieldKind::Date ? static_cast<double>(ms) : static_cast<double>(ms * 1000 + micros) / 1000.0;
  return true;
}

// The first byte from `at` (before n) that ends or spoils an unquoted field: the separator, a line
// feed, a carriage return, a quote or a NUL. Sixteen bytes per step where SSE2 is there (a
// byte-by-byte loop was about as costly as parsing the numbers).
class FieldScanner {
 public:
  explicit FieldScanner(uint8_t separator) : separator_(separator) {
#if defined(__SSE2__)
    separators_ = _mm_set1_epi8(static_cast<char>(separator));
#endif
  }

  size_t End(const uint8_t* bytes, size_t at, size_t n) const {
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8(static_cast<char>(LF)), cr = _mm_set1_epi8(static_cast<char>(CR));
    const __m128i quote = _mm_set1_epi8(static_cast<char>(QUOTE)), zero = _mm_setzero_si128();
    while (at + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + at));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, separators_), _mm_cmpeq_epi8(v, lf)),
                                       _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, quote)), _mm_cmpeq_epi8(v, zero)));
      const int mask = _mm_movemask_epi8(hit);
      if (mask != 0) return at + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
      at += 16;
    }
#endif
    while (at < n) {
      const uint8_t b = bytes[at];
      if (b == separator_ || b == LF || b == CR || b == QUOTE || b == 0) break;
      at++;
    }
    return at;
  }

 private:
  uint8_t separator_;
#if defined(__SSE2__)
  __m128i separators_;
#endif
};

// One column of the output, shared by the ranges: each writes its own rows.
struct CsvColumnOut {
  FieldKind kind = FieldKind::Text;
  double* values = nullptr;  // kind != Text: one per row
  int32_t* codes = nullptr;  // kind == Text: codes into the range's own dictionary
};

// A buffer of at least `bytes` for a file's blocks: huge-page memory (huge_pages.h says why),
// not zeroed by hand (anonymous memory is zero already).
class BlockBuffer {
 public:
  explicit BlockBuffer(size_t bytes) : size_(bytes) { block_ = huge_pages::Allocate(bytes, data_); }
  ~BlockBuffer() { Free(); }
  BlockBuffer(const BlockBuffer&) = delete;
  BlockBuffer& operator=(const BlockBuffer&) = delete;
  uint8_t* data() const { return static_cast<uint8_t*>(data_); }
  size_t size() const { return size_; }
  // Twice the size, the first `keep` bytes kept (a line longer than a block).
  void Grow(size_t keep) {
    void* data = nullptr;
    huge_pages::Block* block = huge_pages::Allocate(size_ * 2, data);
    std::memcpy(data, data_, keep);
    Free();
    block_ = block;
    data_ = data;
    size_ *= 2;
  }

 private:
  void Free() {
    if (block_ == nullptr) return;
    ::munmap(block_->mapping, block_->mapped);
    delete block_;
    block_ = nullptr;
  }
  huge_pages::Block* block_ = nullptr;
  void* data_ = nullptr;
  size_t size_;
};

// Bytes of blocks when a file is read in blocks, shared by the threads (8 MB each on 2 cores), so
// the memory a read adds beyond the Table stays the same on more cores; at least 2 MB a thread.
constexpr size_t kCsvBlockBytes = 16 << 20;
constexpr size_t kCsvMinBlockBytes = 2 << 20;

// One range of the data lines, block by block, each block ending at a line feed (or the range's
// end): either a slice of one JavaScript buffer, or bytes [from, to) of a file read into a reused
// buffer. Every range but the last ends just after a line feed.
class CsvBlocks {
 public:
  CsvBlocks(const uint8_t* bytes, size_t from, size_t to) : bytes_(bytes), from_(from), to_(to) {}
  CsvBlocks(int fd, uint64_t from, uint64_t to, size_t blockBytes) : fd_(fd), from_(from), to_(to), offset_(from) {
    buffer_ = std::make_unique<BlockBuffer>(std::min<uint64_t>(blockBytes, std::max<uint64_t>(to - from, 1)));
    held_ = to - from <= buffer_->size();
  }

  bool fromFile() const { return fd_ >= 0; }

  void Rewind() {
    given_ = false;
    offset_ = from_;
    carry_ = tailFrom_ = tailTo_ = 0;
  }

  // The next block, as [data, data + length); false after the last.
  bool Next(const uint8_t*& data, size_t& length) {
    if (fd_ < 0 || held_) {
      if (given_ || from_ >= to_) return false;
      given_ = true;
      if (fd_ < 0) {
        data = bytes_ + from_;
      } else {
        // The whole range fits one block: read once, kept for the second pass.
        if (!read_) ReadFully(buffer_->data(), to_ - from_, from_);
        read_ = true;
        data = buffer_->data();
      }
      length = to_ - from_;
      return true;
    }
    // The unfinished line of the last block moves to the front.
    if (tailTo_ > tailFrom_) std::memmove(buffer_->data(), buffer_->data() + tailFrom_, tailTo_ - tailFrom_);
    carry_ = tailTo_ - tailFrom_;
    tailFrom_ = tailTo_ = 0;
    for (;;) {
      if (offset_ >= to_) {
        if (carry_ == 0) return false;
        data = buffer_->data();
        length = carry_;  // a last line without a line feed
        carry_ = 0;
        return true;
      }
      if (carry_ == buffer_->size()) buffer_->Grow(carry_);  // a line longer than a block
      const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer_->size() - carry_, to_ - offset_));
      const ssize_t got = ::pread(fd_, buffer_->data() + carry_, want, static_cast<off_t>(offset_));
      if (got < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("cannot read the file: ") + std::strerror(errno));
      }
      if (got == 0) throw std::runtime_error("the file shrank while being read");
      offset_ += static_cast<uint64_t>(got);
      const size_t filled = carry_ + static_cast<size_t>(got);
      const void* lf = ::memrchr(buffer_->data(), LF, filled);
      if (lf == nullptr) {
        carry_ = filled;
        continue;
      }
      const size_t end = static_cast<size_t>(static_cast<const uint8_t*>(lf) - buffer_->data()) + 1;
      tailFrom_ = end;
      tailTo_ = filled;
      data = buffer_->data();
      length = end;
      return true;
    }
  }

 private:
  void ReadFully(uint8_t* into, uint64_t bytes, uint64_t at) const {
    uint64_t done = 0;
    while (done < bytes) {
      const ssize_t got = ::pread(fd_, into + done, static_cast<size_t>(bytes - done), static_cast<off_t>(at + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw std::runtime_error(std::string("cannot read the file: ") + std::strerror(errno));
      if (got == 0) throw std::runtime_error("the file shrank while being read");
      done += static_cast<uint64_t>(got);
    }
  }

  const uint8_t* bytes_ = nullptr;
  int fd_ = -1;
  uint64_t from_ = 0, to_ = 0, offset_ = 0;
  bool given_ = false, held_ = false, read_ = false;
  std::unique_ptr<BlockBuffer> buffer_;
  size_t carry_ = 0, tailFrom_ = 0, tailTo_ = 0;
};

// One range of the data lines and what its thread made of it.
struct CsvRange {
  std::unique_ptr<CsvBlocks> blocks;
  size_t lines = 0;     // counted in the first pass
  size_t firstRow = 0;  // the output row its first line is
  size_t rows = 0;      // tokenized
  bool plain = true;    // false: not a plain file (the caller uses DuckDB)
  std::vector<char> failed;  // by column: a field not of the column's kind
  std::vector<Dictionary> dictionaries;
  std::string error;    // an exception's message (rethrown on the JS thread)
};

// Runs fn(range) for every range, the first on the calling thread and each other on its own.
template <class F>
void OnThreads(std::vector<CsvRange>& ranges, const F& fn) {
  const auto guarded = [&fn](CsvRange& range) {
    try {
      fn(range);
    } catch (const std::exception& e) {
      range.error = e.what();
    }
  };
  std::vector<std::thread> threads;
  for (size_t k = 1; k < ranges.size(); k++) threads.emplace_back([&guarded, &ranges, k]() { guarded(ranges[k]); });
  guarded(ranges[0]);
  for (std::thread& thread : threads) thread.join();
  for (const CsvRange& range : ranges) {
    if (!range.error.empty()) throw std::runtime_error(range.error);
  }
}

// Line feeds in [p, p + n), and whether every byte is ASCII (then it is valid UTF-8 as it is).
size_t CountLineFeeds(const uint8_t* p, size_t n, bool& ascii) {
  size_t count = 0, at = 0;
  uint8_t high = 0;
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8(static_cast<char>(LF));
  __m128i any = _mm_setzero_si128();
  for (; at + 16 <= n; at += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    any = _mm_or_si128(any, v);
    count += static_cast<size_t>(__builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)))));
  }
  high = _mm_movemask_epi8(any) != 0 ? 0x80 : 0;
#endif
  for (; at < n; at++) {
    count += p[at] == LF;
    high |= p[at];
  }
  ascii = (high & 0x80) == 0;
  return count;
}

// Lines of a range (a last line without a line feed counts); a file's blocks are checked as UTF-8.
void CountLines(CsvRange& range) {
  const uint8_t* block;
  size_t length;
  range.lines = 0;
  while (range.blocks->Next(block, length)) {
    bool ascii;
    range.lines += CountLineFeeds(block, length, ascii) + (length > 0 && block[length - 1] != LF ? 1 : 0);
    if (range.blocks->fromFile() && !ascii && !ValidUtf8(block, length)) {
      range.plain = false;
      break;
    }
  }
  range.blocks->Rewind();
}

class CsvTokenizer {
 public:
  CsvTokenizer(size_t width, uint8_t separator, const std::vector<std::string>& missing, const std::vector<CsvColumnOut>& columns)
      : width_(width), separator_(separator), scanner_(separator), missing_(missing), columns_(columns) {}

  // Tokenizes the range's blocks into rows firstRow .. firstRow + lines.
  void Run(CsvRange& range) const {
    range.dictionaries.assign(width_, Dictionary());
    range.failed.assign(width_, 0);
    range.rows = 0;
    const uint8_t* block;
    size_t length;
    while (range.blocks->Next(block, length)) {
      if (!Tokenize(block, length, range)) break;
    }
    if (range.rows != range.lines) range.plain = false;
  }

 private:
  bool IsMissing(const uint8_t* p, size_t length) const {
    for (const std::string& marker : missing_) {
      if (marker.size() == length && std::memcmp(marker.data(), p, length) == 0) return true;
    }
    return false;
  }

  // One block's lines as rows range.firstRow + range.rows on; false when the range stops (not
  // plain, or a field not of its column's kind).
  bool Tokenize(const uint8_t* bytes, size_t n, CsvRange& range) const {
    const auto width = static_cast<int64_t>(width_);
    const size_t rowEnd = range.firstRow + range.lines;  // never write past the range's rows
    size_t at = 0;
    while (at < n) {
      const size_t row = range.firstRow + range.rows;
      if (row >= rowEnd || bytes[at] == LF || bytes[at] == CR) {
        range.plain = false;
        return false;
      }
      for (int64_t j = 0;; j++) {
        if (j >= width) {
          range.plain = false;
          return false;
        }
        size_t from = at, end;
        if (bytes[at] == QUOTE) {
          from = at + 1;
          const void* quote = std::memchr(bytes + from, QUOTE, n - from);
          if (quote == nullptr) {
            range.plain = false;
            return false;
          }
          end = static_cast<const uint8_t*>(quote) - bytes;
          if (end == from || (end + 1 < n && bytes[end + 1] == QUOTE)) {
            range.plain = false;
            return false;
          }
          for (size_t k = from; k < end; k++) {
            if (bytes[k] == LF || bytes[k] == CR || bytes[k] == 0) {
              range.plain = false;
              return false;
            }
          }
          at = end + 1;
        } else {
          at = scanner_.End(bytes, at, n);
          if (at < n && (bytes[at] == QUOTE || bytes[at] == 0)) {
            range.plain = false;
            return false;
          }
          end = at;
        }
        const CsvColumnOut& column = columns_[static_cast<size_t>(j)];
        const char* text = reinterpret_cast<const char*>(bytes + from);
        if (column.kind == FieldKind::Text) {
          column.codes[row] = range.dictionaries[static_cast<size_t>(j)].Code(text, static_cast<uint32_t>(end - from));
        } else {
          double value;
          const bool parsed = column.kind == FieldKind::Number ? PlainNumber(text, text + (end - from), value) : IsoInstant(text, end - from, column.kind, value);
          if (parsed) {
            column.values[row] = value;
          } else if (IsMissing(bytes + from, end - from)) {
            column.values[row] = std::numeric_limits<double>::quiet_NaN();
          } else {
            // Not of the column's kind: the caller starts again with this column as text.
            range.failed[static_cast<size_t>(j)] = 1;
            return false;
          }
        }
        const int next = at < n ? bytes[at] : -1;
        if (next == separator_) {
          at++;
          continue;
        }
        if (j != width - 1) {
          range.plain = false;
          return false;
        }
        if (next == CR && at + 1 < n && bytes[at + 1] == LF) at += 2;
        else if (next == LF) at += 1;
        else if (next != -1) {
          range.plain = false;
          return false;
        }
        break;
      }
      range.rows++;
    }
    return true;
  }

  size_t width_;
  uint8_t separator_;
  FieldScanner scanner_;
  const std::vector<std::string>& missing_;
  const std::vector<CsvColumnOut>& columns_;
};

// Below this many bytes of data lines per range one thread tokenizes the file (a thread's start
// and the dictionary merge cost more than they save on small files).
constexpr size_t kCsvBytesPerThread = 1 << 20;

// The kind the first field of a column suggests (the first data line's bytes from `at`).
std::vector<FieldKind> GuessCsvKinds(const uint8_t* bytes, size_t at, size_t n, size_t width, uint8_t separator) {
  std::vector<FieldKind> kinds(width, FieldKind::Text);
  for (size_t j = 0; j < width && at < n; j++) {
    size_t end = at;
    while (end < n && bytes[end] != separator && bytes[end] != LF && bytes[end] != CR) end++;
    const char* text = reinterpret_cast<const char*>(bytes + at);
    double value;
    if (PlainNumber(text, text + (end - at), value)) kinds[j] = FieldKind::Number;
    else if (IsoInstant(text, end - at, FieldKind::Date, value)) kinds[j] = FieldKind::Date;
    else if (IsoInstant(text, end - at, FieldKind::Timestamp, value)) kinds[j] = FieldKind::Timestamp;
    at = end + 1;
  }
  return kinds;
}

// Where the data lines [start, end) split into `parts` ranges: just after the first line feed at
// or past each even share (fewer ranges when lines run past the next share). `lineFeedFrom(at)`
// gives the offset of the first line feed at or after `at`, or `end`.
template <class F>
std::vector<uint64_t> SplitPoints(uint64_t start, uint64_t end, size_t parts, const F& lineFeedFrom) {
  std::vector<uint64_t> points{start};
  for (size_t k = 1; k < parts; k++) {
    const uint64_t share = start + (end - start) * k / parts;
    if (share <= points.back()) continue;
    const uint64_t lf = lineFeedFrom(share);
    if (lf + 1 >= end) break;
    if (lf + 1 > points.back()) points.push_back(lf + 1);
  }
  points.push_back(end);
  return points;
}

size_t ThreadCount(uint64_t bytes) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<size_t>(std::max<uint64_t>(1, std::min<uint64_t>(std::min<size_t>(cores, 8), bytes / kCsvBytesPerThread)));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd < 0) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
  }
  ~FileDescriptor() { ::close(fd); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  const int fd;
};

// One output column, in memory JavaScript adopts when the work is done (huge_pages.h).
struct ColumnOut {
  FieldKind kind = FieldKind::Text;
  huge_pages::Block* block = nullptr;  // values (float64) or codes (int32), one per row
  void* data = nullptr;
  bool byCode = false;         // text column: every text a plain number, in `numbers`
  std::vector<double> numbers;
  std::string texts;           // text column otherwise: its distinct texts joined by NUL
};

// The whole tokenization, off the JavaScript thread (a 373 MB file takes about a second of CPU):
// count, allocate, tokenize (again for columns that change kind), merge, and collect the texts.
class TokenizeWorker : public Napi::AsyncWorker {
 public:
  TokenizeWorker(Napi::Env env, size_t width, uint8_t separator, size_t maxRows, std::vector<std::string> missing)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), width_(width), separator_(separator),
        maxRows_(maxRows), missing_(std::move(missing)) {}
  ~TokenizeWorker() override {
    for (ColumnOut& column : out_) FreeBlock(column);
  }

  void FromFile(std::string path, uint64_t start) {
    path_ = std::move(path);
    start_ = start;
  }
  // The buffer stays referenced (alive) until the work is done.
  void FromBuffer(Napi::Uint8Array source, const uint8_t* bytes, size_t size, size_t start) {
    source_ = Napi::Persistent(source.As<Napi::Object>());
    bytes_ = bytes;
    size_ = size;
    start_ = start;
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      plain_ = Tokenize();
    } catch (const std::bad_alloc&) {
      SetError("out of memory while tokenizing the file");
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    source_.Reset();
    if (!plain_) {
      deferred_.Resolve(env.Null());
      return;
    }
    Napi::Array kindArray = Napi::Array::New(env, width_);
    Napi::Array valueArrays = Napi::Array::New(env, width_);
    Napi::Array codeArrays = Napi::Array::New(env, width_);
    Napi::Array numberArrays = Napi::Array::New(env, width_);
    Napi::Array textArrays = Napi::Array::New(env, width_);
    static const char* const kKindNames[] = {"text", "number", "date", "timestamp"};
    for (size_t j = 0; j < width_; j++) {
      ColumnOut& column = out_[j];
      kindArray.Set(j, kKindNames[static_cast<int32_t>(column.kind)]);
      const bool text = column.kind == FieldKind::Text;
      const size_t bytes = std::max<size_t>(rows_ * (text ? sizeof(int32_t) : sizeof(double)), 1);
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, column.data, bytes, huge_pages::Free, column.block);
      column.block = nullptr;  // JavaScript owns it now
      valueArrays.Set(j, text ? env.Null() : Napi::Value(Napi::Float64Array::New(env, rows_, buffer, 0)));
      codeArrays.Set(j, text ? Napi::Value(Napi::Int32Array::New(env, rows_, buffer, 0)) : env.Null());
      if (text && column.byCode) {
        Napi::Float64Array byCode = Napi::Float64Array::New(env, column.numbers.size());
        std::memcpy(byCode.Data(), column.numbers.data(), column.numbers.size() * sizeof(double));
        numberArrays.Set(j, byCode);
      } else {
        numberArrays.Set(j, env.Null());
      }
      textArrays.Set(j, text && !column.byCode ? Napi::Value(Napi::String::New(env, column.texts.data(), column.texts.size())) : env.Null());
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("rows", Napi::Number::New(env, static_cast<double>(rows_)));
    out.Set("kinds", kindArray);
    out.Set("values", valueArrays);
    out.Set("codes", codeArrays);
    out.Set("texts", textArrays);
    out.Set("numbers", numberArrays);
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& error) override {
    source_.Reset();
    deferred_.Reject(error.Value());
  }

 private:
  static void FreeBlock(ColumnOut& column) {
    if (column.block == nullptr) return;
    ::munmap(column.block->mapping, column.block->mapped);
    delete column.block;
    column.block = nullptr;
  }

  // False: not a plain file (the caller uses DuckDB).
  bool Tokenize() {
    // The ranges, and the first data line's bytes (for the first guess of the column kinds).
    std::unique_ptr<FileDescriptor> file;
    std::vector<CsvRange> ranges;
    std::vector<uint8_t> head;
    const uint8_t* firstLine = nullptr;
    size_t firstLineBytes = 0;
    if (bytes_ == nullptr) {
      file = std::make_unique<FileDescriptor>(path_);
      struct stat st {};
      if (::fstat(file->fd, &st) != 0) throw std::runtime_error(std::string("cannot stat the file: ") + std::strerror(errno));
      const auto size = static_cast<uint64_t>(st.st_size);
      const auto begin = std::min<uint64_t>(start_, size);
      std::vector<uint8_t> probe(64 << 10);
      const int fd = file->fd;
      const auto lineFeedFrom = [&](uint64_t at) -> uint64_t {
        while (at < size) {
          const ssize_t got = ::pread(fd, probe.data(), probe.size(), static_cast<off_t>(at));
          if (got < 0 && errno == EINTR) continue;
          if (got <= 0) return size;
          const void* lf = std::memchr(probe.data(), LF, static_cast<size_t>(got));
          if (lf != nullptr) return at + static_cast<uint64_t>(static_cast<const uint8_t*>(lf) - probe.data());
          at += static_cast<uint64_t>(got);
        }
        return size;
      };
      const std::vector<uint64_t> points = SplitPoints(begin, size, ThreadCount(size - begin), lineFeedFrom);
      ranges.resize(points.size() - 1);
      const size_t blockBytes = std::max(kCsvMinBlockBytes, kCsvBlockBytes / ranges.size());
      for (size_t k = 0; k + 1 < points.size(); k++) ranges[k].blocks = std::make_unique<CsvBlocks>(fd, points[k], points[k + 1], blockBytes);
      const ssize_t got = ::pread(fd, probe.data(), probe.size(), static_cast<off_t>(begin));
      head.assign(probe.begin(), probe.begin() + std::max<ssize_t>(got, 0));
      firstLine = head.data();
      firstLineBytes = head.size();
    } else {
      const uint8_t* bytes = bytes_;
      const size_t begin = start_, size = size_;
      const std::vector<uint64_t> points = SplitPoints(begin, size, ThreadCount(size - begin), [&](uint64_t at) -> uint64_t {
        const void* lf = std::memchr(bytes + at, LF, size - at);
        return lf == nullptr ? size : static_cast<uint64_t>(static_cast<const uint8_t*>(lf) - bytes);
      });
      ranges.resize(points.size() - 1);
      for (size_t k = 0; k + 1 < points.size(); k++) ranges[k].blocks = std::make_unique<CsvBlocks>(bytes, points[k], points[k + 1]);
      firstLine = bytes + begin;
      firstLineBytes = size - begin;
    }

    // First pass: lines per range; every output array is then allocated once, to size.
    OnThreads(ranges, CountLines);
    size_t lines = 0;
    for (CsvRange& range : ranges) {
      if (!range.plain) return false;
      range.firstRow = lines;
      lines += range.lines;
    }
    if (lines > maxRows_) return false;
    rows_ = lines;

    std::vector<FieldKind> kinds = GuessCsvKinds(firstLine, 0, firstLineBytes, width_, separator_);
    std::vector<CsvColumnOut> columns(width_);
    out_.resize(width_);
    const auto allocate = [&](size_t j) {
      ColumnOut& out = out_[j];
      FreeBlock(out);
      out.kind = kinds[j];
      const bool text = kinds[j] == FieldKind::Text;
      out.block = huge_pages::Allocate(lines * (text ? sizeof(int32_t) : sizeof(double)), out.data);
      columns[j].kind = kinds[j];
      columns[j].codes = text ? static_cast<int32_t*>(out.data) : nullptr;
      columns[j].values = text ? nullptr : static_cast<double*>(out.data);
    };
    for (size_t j = 0; j < width_; j++) allocate(j);
    // At most one new pass per column that turns out not to be of its first field's kind (only
    // that column's memory is allocated again; the old is freed at once).
    const CsvTokenizer tokenizer(width_, separator_, missing_, columns);
    for (size_t attempt = 0;; attempt++) {
      OnThreads(ranges, [&tokenizer](CsvRange& range) { tokenizer.Run(range); });
      bool again = false;
      for (CsvRange& range : ranges) {
        for (size_t j = 0; j < width_; j++) {
          if (range.failed[j] != 0 && kinds[j] != FieldKind::Text) {
            kinds[j] = FieldKind::Text;
            allocate(j);
            again = true;
          }
        }
      }
      if (!again) {
        for (const CsvRange& range : ranges) {
          if (!range.plain) return false;
        }
        break;
      }
      if (attempt >= width_) return false;
      for (CsvRange& range : ranges) {
        range.plain = true;
        range.blocks->Rewind();
      }
    }

    // Each later range's dictionaries join the first's (codes in order of first appearance over
    // the file); its codes move to the joined ones.
    std::vector<Dictionary> dictionaries = std::move(ranges[0].dictionaries);
    for (size_t k = 1; k < ranges.size(); k++) {
      CsvRange& range = ranges[k];
      for (size_t j = 0; j < width_; j++) {
        if (kinds[j] != FieldKind::Text) continue;
        const auto& own = range.dictionaries[j].values();
        std::vector<int32_t> merged(own.size());
        for (size_t c = 0; c < own.size(); c++) merged[c] = dictionaries[j].Code(own[c].data(), static_cast<uint32_t>(own[c].size()));
        int32_t* codes = columns[j].codes;
        for (size_t i = range.firstRow; i < range.firstRow + range.rows; i++) codes[i] = merged[static_cast<size_t>(codes[i])];
      }
    }

    for (size_t j = 0; j < width_; j++) {
      if (kinds[j] != FieldKind::Text) continue;
      ColumnOut& out = out_[j];
      int32_t* codes = columns[j].codes;
      // Missing markers leave the dictionary (code -1); the other codes close up.
      const auto& values = dictionaries[j].values();
      std::vector<int32_t> remap(values.size());
      int32_t kept = 0;
      bool closeUp = false;
      for (size_t k = 0; k < values.size(); k++) {
        remap[k] = std::find(missing_.begin(), missing_.end(), values[k]) != missing_.end() ? -1 : kept++;
        closeUp = closeUp || remap[k] != static_cast<int32_t>(k);
      }
      if (closeUp) {
        for (size_t i = 0; i < lines; i++) codes[i] = remap[static_cast<size_t>(codes[i])];
      }
      // A column whose every text is a plain number gets those numbers by code (no text parsed in JS).
      out.numbers.reserve(static_cast<size_t>(kept));
      for (size_t k = 0; k < values.size() && kept > 0; k++) {
        if (remap[k] < 0) continue;
        double value;
        if (!PlainNumber(values[k], value)) {
          out.numbers.clear();
          break;
        }
        out.numbers.push_back(value);
      }
      out.byCode = kept > 0 && out.numbers.size() == static_cast<size_t>(kept);
      if (out.byCode) continue;
      // One string per column, texts joined by NUL (one N-API call instead of one per text).
      for (size_t k = 0; k < values.size(); k++) {
        if (remap[k] < 0) continue;
        if (remap[k] > 0) out.texts.push_back('\0');
        out.texts += values[k];
      }
    }
    return true;
  }

  Napi::Promise::Deferred deferred_;
  size_t width_;
  uint8_t separator_;
  size_t maxRows_;
  std::vector<std::string> missing_;
  std::string path_;
  Napi::ObjectReference source_;
  const uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  uint64_t start_ = 0;
  bool plain_ = false;
  size_t rows_ = 0;
  std::vector<ColumnOut> out_;
};

}  // namespace

Napi::Value TokenizeCsv(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const bool fromFile = kdap::Arg(info, 0).IsString();
    const int64_t width = kdap::ReadInt(info, 2, "width", 1, 1 << 20);
    const int64_t delimiter = kdap::ReadInt(info, 3, "delimiter", 1, 0x7f);
    const int64_t maxRows = kdap::ReadInt(info, 4, "maxRows", 0, 1 << 30);
    // Optional: texts that mean NULL, joined by line feeds; such fields get code -1 and no dictionary entry.
    std::vector<std::string> missing;
    if (info.Length() > 5 && !info[5].IsUndefined()) {
      const std::string joined = kdap::ReadString(info, 5, "missing");
      size_t from = 0;
      for (;;) {
        const size_t nul = joined.find('\n', from);
        missing.push_back(joined.substr(from, nul == std::string::npos ? std::string::npos : nul - from));
        if (nul == std::string::npos) break;
        from = nul + 1;
      }
    }
    auto worker = std::make_unique<TokenizeWorker>(info.Env(), static_cast<size_t>(width), static_cast<uint8_t>(delimiter), static_cast<size_t>(maxRows), std::move(missing));
    if (fromFile) {
      const int64_t start = kdap::ReadInt(info, 1, "start", 0, 1LL << 53);
      worker->FromFile(kdap::ReadString(info, 0, "source"), static_cast<uint64_t>(start));
    } else {
      kdap::ArrayView view = kdap::ReadTypedArray(info, 0, "source", {napi_uint8_array});
      const int64_t start = kdap::ReadInt(info, 1, "start", 0, static_cast<int64_t>(view.length));
      worker->FromBuffer(info[0].As<Napi::Uint8Array>(), static_cast<const uint8_t*>(view.data), view.length, static_cast<size_t>(start));
    }
    Napi::Promise promise = worker->Promise();
    worker.release()->Queue();  // an AsyncWorker deletes itself when done
    return promise;
  });
}

}  // namespace csv_tokenizer
