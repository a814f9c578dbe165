// A Parquet reader for the files users export (flat schemas of numbers, timestamps, dates and texts;
// PLAIN and dictionary encodings; uncompressed, Snappy or ZSTD pages, data pages v1 and v2), straight
// into a Table's arrays on all cores: one work item per (row group, column), each written at the
// row group's rows of the preallocated output (the row count is in the footer). Text columns come
// from their dictionary pages: each dictionary entry is coded once, and a row's code is its index
// looked up in that small table (no per-value hash); the texts are sorted at the end like the
// DuckDB scan's. Why not DuckDB: its scan alone took ~0.8x of pandas' whole read of a 3,000,000-row
// export on 2 cores, and its streamed result is decoded by one more thread (docs/benchmarks.md).
//
// Anything else (nested or repeated columns, decimals, INT96, binary without a string annotation,
// DELTA/BYTE_STREAM_SPLIT encodings, other codecs, encryption, external column files, a malformed
// file) is reported as unsupported with the reason, and the caller reads the file with DuckDB: so
// DuckDB's types and error messages stay the contract for those files.
#include "parquet_reader.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kdap/napi_common.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "libduckdb_codecs.h"
#include "scan_columns.h"

namespace duckdb_vectors {
namespace {

// A file (or a part of it) this reader leaves to DuckDB; the message says why.
class NotHandled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Codecs: the Snappy and ZSTD of libduckdb_codecs.h (looked up at attach).
using Codecs = LibduckdbCodecs;

enum Codec : int32_t { UNCOMPRESSED = 0, SNAPPY = 1, ZSTD = 6 };

bool CodecAvailable(int32_t codec) {
  const Codecs* c = duckdb_vectors::Codecs();
  if (codec == UNCOMPRESSED) return true;
  if (c == nullptr) return false;
  if (codec == SNAPPY) return c->snappyLength != nullptr && c->snappyUncompress != nullptr;
  if (codec == ZSTD) return c->HasZstd();
  return false;
}

// ---------------------------------------------------------------------------------------------
// Thrift compact protocol (the footer and page headers), every read bounds-checked.
// ---------------------------------------------------------------------------------------------
class Thrift {
 public:
  Thrift(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}

  const uint8_t* position() const { return p_; }

  uint8_t Byte() {
    if (p_ >= end_) throw NotHandled("a Thrift structure runs past its bytes");
    return *p_++;
  }
  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = Byte();
      value |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    throw NotHandled("a Thrift integer is longer than 10 bytes");
  }
  int64_t Int() {
    const uint64_t v = Varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  int32_t Int32() {
    const int64_t v = Int();
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) throw NotHandled("a Thrift i32 is out of range");
    return static_cast<int32_t>(v);
  }
  std::string_view Binary() {
    const uint64_t n = Varint();
    if (n > static_cast<uint64_t>(end_ - p_)) throw NotHandled("a Thrift string runs past its bytes");
    std::string_view text(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return text;
  }
  // The next field of a struct: false at its end. `last` is the struct's previous field id.
  bool Field(int16_t& last, int16_t& id, uint8_t& type) {
    const uint8_t b = Byte();
    if (b == 0) return false;
    type = b & 0x0f;
    const uint8_t delta = b >> 4;
    id = delta != 0 ? static_cast<int16_t>(last + delta) : static_cast<int16_t>(Int());
    last = id;
    return true;
  }
  size_t List(uint8_t& type) {
    const uint8_t b = Byte();
    type = b & 0x0f;
    uint64_t count = b >> 4;
    if (count == 15) count = Varint();
    if (count > static_cast<uint64_t>(end_ - p_)) throw NotHandled("a Thrift list is longer than its bytes");
    return static_cast<size_t>(count);
  }
  // Skips a value of `type`; `element`: inside a list or map, where booleans take a byte.
  void Skip(uint8_t type, bool element = false, int depth = 0) {
    if (depth > 64) throw NotHandled("Thrift structures nested too deep");
    switch (type) {
      case 1: case 2: if (element) Byte(); return;
      case 3: Byte(); return;
      case 4: case 5: case 6: Varint(); return;
      case 7: Advance(8); return;
      case 8: Binary(); return;
      case 9: case 10: {
        uint8_t t;
        const size_t n = List(t);
        for (size_t i = 0; i < n; i++) Skip(t, true, depth + 1);
        return;
      }
      case 11: {
        const uint64_t n = Varint();
        if (n == 0) return;
        const uint8_t kv = Byte();
        for (uint64_t i = 0; i < n; i++) {
          Skip(kv >> 4, true, depth + 1);
          Skip(kv & 0x0f, true, depth + 1);
        }
        return;
      }
      case 12: {
        int16_t last = 0, id;
        uint8_t t;
        while (Field(last, id, t)) Skip(t, false, depth + 1);
        return;
      }
      default: throw NotHandled("an unknown Thrift type " + std::to_string(type));
    }
  }

 private:
  void Advance(size_t n) {
    if (n > static_cast<size_t>(end_ - p_)) throw NotHandled("a Thrift value runs past its bytes");
    p_ += n;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

// Calls `f(id, type)` for each field of the struct at the reader's position.
template <class F>
void Fields(Thrift& t, F&& f) {
  int16_t last = 0, id;
  uint8_t type;
  while (t.Field(last, id, type)) f(id, type);
}

bool BoolOf(Thrift& t, uint8_t type) {
  if (type == 1) return true;
  if (type == 2) return false;
  t.Skip(type);
  throw NotHandled("a Thrift boolean field has another type");
}

// ---------------------------------------------------------------------------------------------
// The footer: schema and row groups (parquet.thrift field ids).
// ---------------------------------------------------------------------------------------------
enum Physical : int32_t { BOOLEAN = 0, INT32 = 1, INT64 = 2, INT96 = 3, FLOAT = 4, DOUBLE = 5, BYTE_ARRAY = 6, FIXED_LEN_BYTE_ARRAY = 7 };

// What a column's values become: float64 per row (numbers, dates and instants as epoch ms), or text codes.
enum class Out { Bool, Int32, UInt32, Int64, UInt64, Float, Double, Date, TsMillis, TsMicros, TsNanos, Text };

struct SchemaElement {
  int32_t type = -1;
  int32_t repetition = 0;  // REQUIRED 0, OPTIONAL 1, REPEATED 2
  bool hasRepetition = false;
  int32_t numChildren = 0;
  std::string name;
  int32_t converted = -1;
  int16_t logical = 0;  // the LogicalType union's field id, 0 when absent
  int32_t timeUnit = 0;  // TIMESTAMP: 1 millis, 2 micros, 3 nanos
  bool utc = false;
  int32_t bitWidth = 0;
  bool isSigned = true;
};

void ReadLogicalType(Thrift& t, SchemaElement& e) {
  Fields(t, [&](int16_t id, uint8_t type) {
    if (type != 12) return t.Skip(type);
    e.logical = id;
    if (id == 8) {  // TIMESTAMP { 1: isAdjustedToUTC, 2: unit (union MILLIS 1, MICROS 2, NANOS 3) }
      Fields(t, [&](int16_t f, uint8_t ft) {
        if (f == 1) e.utc = BoolOf(t, ft);
        else if (f == 2 && ft == 12) Fields(t, [&](int16_t u, uint8_t ut) { e.timeUnit = u; t.Skip(ut); });
        else t.Skip(ft);
      });
    } else if (id == 10) {  // INTEGER { 1: bitWidth (i8), 2: isSigned }
      Fields(t, [&](int16_t f, uint8_t ft) {
        if (f == 1 && ft == 3) e.bitWidth = static_cast<int8_t>(t.Byte());
        else if (f == 2) e.isSigned = BoolOf(t, ft);
        else t.Skip(ft);
      });
    } else {
      t.Skip(type);
    }
  });
}

SchemaElement ReadSchemaElement(Thrift& t) {
  SchemaElement e;
  Fields(t, [&](int16_t id, uint8_t type) {
    switch (id) {
      case 1: e.type = t.Int32(); break;
      case 3: e.repetition = t.Int32(); e.hasRepetition = true; break;
      case 4: e.name = std::string(t.Binary()); break;
      case 5: e.numChildren = t.Int32(); break;
      case 6: e.converted = t.Int32(); break;
      case 10: if (type == 12) ReadLogicalType(t, e); else t.Skip(type); break;
      default: t.Skip(type);
    }
  });
  return e;
}

struct ChunkMeta {
  int32_t codec = 0;
  int64_t numValues = 0;
  int64_t compressedSize = 0;
  int64_t dataPageOffset = -1;
  int64_t dictionaryPageOffset = -1;
  std::vector<int32_t> encodings;
};

struct RowGroup {
  int64_t rows = 0;
  int64_t firstRow = 0;  // of the whole file
  std::vector<ChunkMeta> chunks;
};

ChunkMeta ReadColumnChunk(Thrift& t) {
  ChunkMeta meta;
  bool hasMeta = false;
  Fields(t, [&](int16_t id, uint8_t type) {
    if (id == 1 && type == 8) throw NotHandled("a column chunk lives in another file (" + std::string(t.Binary()) + ")");
    if ((id == 8 || id == 9) && type != 0) throw NotHandled("the file has encrypted columns");
    if (id != 3 || type != 12) return t.Skip(type);
    hasMeta = true;
    Fields(t, [&](int16_t f, uint8_t ft) {
      switch (f) {
        case 2: {
          uint8_t et;
          const size_t n = t.List(et);
          for (size_t i = 0; i < n; i++) meta.encodings.push_back(t.Int32());
          break;
        }
        case 4: meta.codec = t.Int32(); break;
        case 5: meta.numValues = t.Int(); break;
        case 7: meta.compressedSize = t.Int(); break;
        case 9: meta.dataPageOffset = t.Int(); break;
        case 11: meta.dictionaryPageOffset = t.Int(); break;
        default: t.Skip(ft);
      }
    });
  });
  if (!hasMeta) throw NotHandled("a column chunk has no metadata");
  return meta;
}

struct Column {
  std::string name;
  Out out;
  int32_t physical;
  bool optional;
  int32_t duckType;  // the DuckDB type id DuckDB's reader gives the column (for the caller's plan)
};

struct Footer {
  int64_t rows = 0;
  std::vector<Column> columns;
  std::vector<RowGroup> rowGroups;
};

// The column a flat schema leaf becomes, as DuckDB's reader types it.
Column PlanLeaf(const SchemaElement& e) {
  Column c{e.name, Out::Double, e.type, e.repetition == 1, 11};
  const auto unsupported = [&](const std::string& why) { return NotHandled("column '" + e.name + "' " + why); };
  if (e.repetition == 2) throw unsupported("is repeated");
  const bool isString = e.logical == 1 || e.logical == 4 || (e.logical == 0 && (e.converted == 0 || e.converted == 4));
  const bool plainAnnotation = e.logical == 0 && e.converted == -1;
  switch (e.type) {
    case BOOLEAN:
      if (!plainAnnotation) throw unsupported("is an annotated boolean");
      c.out = Out::Bool, c.duckType = 1;
      break;
    case INT32:
      if (e.logical == 6 || (e.logical == 0 && e.converted == 6)) {
        c.out = Out::Date, c.duckType = 13;
      } else if (plainAnnotation || (e.logical == 10 && e.isSigned) || (e.logical == 0 && e.converted >= 15 && e.converted <= 17)) {
        c.out = Out::Int32, c.duckType = 4;
      } else if ((e.logical == 10 && !e.isSigned) || (e.logical == 0 && e.converted >= 11 && e.converted <= 13)) {
        c.out = Out::UInt32, c.duckType = 8;
      } else {
        throw unsupported("is an INT32 with logical type " + std::to_string(e.logical) + " / converted type " + std::to_string(e.converted));
      }
      break;
    case INT64:
      if (e.logical == 8 || (e.logical == 0 && (e.converted == 9 || e.converted == 10))) {
        const int32_t unit = e.logical == 8 ? e.timeUnit : (e.converted == 9 ? 1 : 2);
        if (unit == 1) c.out = Out::TsMillis, c.duckType = 21;
        else if (unit == 2) c.out = Out::TsMicros, c.duckType = 12;
        else if (unit == 3) c.out = Out::TsNanos, c.duckType = 22;
        else throw unsupported("is a timestamp of unknown unit");
        if (e.utc) c.duckType = 31;
      } else if (plainAnnotation || (e.logical == 10 && e.isSigned) || (e.logical == 0 && e.converted == 18)) {
        c.out = Out::Int64, c.duckType = 5;
      } else if ((e.logical == 10 && !e.isSigned) || (e.logical == 0 && e.converted == 14)) {
        c.out = Out::UInt64, c.duckType = 9;
      } else {
        throw unsupported("is an INT64 with logical type " + std::to_string(e.logical) + " / converted type " + std::to_string(e.converted));
      }
      break;
    case FLOAT:
      if (!plainAnnotation) throw unsupported("is an annotated float");
      c.out = Out::Float, c.duckType = 10;
      break;
    case DOUBLE:
      if (!plainAnnotation) throw unsupported("is an annotated double");
      c.out = Out::Double, c.duckType = 11;
      break;
    case BYTE_ARRAY:
      if (!isString) throw unsupported("is binary without a string annotation");
      c.out = Out::Text, c.duckType = 17;
      break;
    default:
      throw unsupported("has physical type " + std::to_string(e.type));
  }
  return c;
}

// pread of exactly `n` bytes at `at`.
void ReadAt(int fd, uint8_t* to, size_t n, int64_t at) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = pread(fd, to + done, n - done, static_cast<off_t>(at + static_cast<int64_t>(done)));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) throw NotHandled(std::string("cannot read the file: ") + (got < 0 ? std::strerror(errno) : "it ended early"));
    done += static_cast<size_t>(got);
  }
}

class File {
 public:
  explicit File(const std::string& path) : fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw NotHandled(std::string("cannot open the file: ") + std::strerror(errno));
    struct stat st;
    if (fstat(fd_, &st) != 0) throw NotHandled(std::string("cannot stat the file: ") + std::strerror(errno));
    size_ = st.st_size;
  }
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  int fd() const { return fd_; }
  int64_t size() const { return size_; }

 private:
  int fd_;
  int64_t size_ = 0;
};

Footer ReadFooter(const File& file) {
  if (file.size() < 12) throw NotHandled("the file is too short to be Parquet");
  uint8_t tail[8];
  ReadAt(file.fd(), tail, 8, file.size() - 8);
  if (std::memcmp(tail + 4, "PAR1", 4) != 0) throw NotHandled(std::memcmp(tail + 4, "PARE", 4) == 0 ? "the file is encrypted" : "the file does not end in PAR1");
  uint32_t length;
  std::memcpy(&length, tail, 4);
  if (length == 0 || static_cast<int64_t>(length) > file.size() - 12) throw NotHandled("the footer length is out of range");
  std::vector<uint8_t> bytes(length);
  ReadAt(file.fd(), bytes.data(), length, file.size() - 8 - length);
  Thrift t(bytes.data(), bytes.size());
  Footer footer;
  std::vector<SchemaElement> schema;
  Fields(t, [&](int16_t id, uint8_t type) {
    if (id == 2 && type == 9) {
      uint8_t et;
      const size_t n = t.List(et);
      for (size_t i = 0; i < n; i++) schema.push_back(ReadSchemaElement(t));
    } else if (id == 3) {
      footer.rows = t.Int();
    } else if (id == 4 && type == 9) {
      uint8_t et;
      const size_t n = t.List(et);
      for (size_t i = 0; i < n; i++) {
        RowGroup group;
        Fields(t, [&](int16_t f, uint8_t ft) {
          if (f == 1 && ft == 9) {
            uint8_t ct;
            const size_t m = t.List(ct);
            for (size_t k = 0; k < m; k++) group.chunks.push_back(ReadColumnChunk(t));
          } else if (f == 3) {
            group.rows = t.Int();
          } else {
            t.Skip(ft);
          }
        });
        footer.rowGroups.push_back(std::move(group));
      }
    } else {
      t.Skip(type);
    }
  });
  if (schema.empty()) throw NotHandled("the footer has no schema");
  for (size_t i = 1; i < schema.size(); i++) {
    for (size_t k = 1; k < i; k++) {
      if (schema[k].name == schema[i].name) throw NotHandled("two columns are named '" + schema[i].name + "'");
    }
  }
  const SchemaElement& root = schema[0];
  for (size_t i = 1; i < schema.size(); i++) {
    if (schema[i].numChildren != 0 || schema[i].type < 0) throw NotHandled("column '" + schema[i].name + "' is nested");
  }
  if (root.numChildren != static_cast<int32_t>(schema.size()) - 1) throw NotHandled("the schema is nested");
  if (root.hasRepetition && root.repetition != 0) throw NotHandled("the schema's root is not required");
  for (size_t i = 1; i < schema.size(); i++) footer.columns.push_back(PlanLeaf(schema[i]));
  int64_t first = 0;
  for (RowGroup& group : footer.rowGroups) {
    if (group.chunks.size() != footer.columns.size()) throw NotHandled("a row group has " + std::to_string(group.chunks.size()) + " column chunks for " + std::to_string(footer.columns.size()) + " columns");
    if (group.rows < 0) throw NotHandled("a row group has a negative row count");
    group.firstRow = first;
    first += group.rows;
    for (size_t j = 0; j < group.chunks.size(); j++) {
      const ChunkMeta& chunk = group.chunks[j];
      if (!CodecAvailable(chunk.codec)) throw NotHandled("column '" + footer.columns[j].name + "' uses compression codec " + std::to_string(chunk.codec));
      for (const int32_t encoding : chunk.encodings) {
        // PLAIN, PLAIN_DICTIONARY, RLE (levels), BIT_PACKED (levels, listed by old writers), RLE_DICTIONARY.
        if (encoding != 0 && encoding != 2 && encoding != 3 && encoding != 4 && encoding != 8) {
          throw NotHandled("column '" + footer.columns[j].name + "' uses encoding " + std::to_string(encoding));
        }
      }
      if (chunk.numValues != group.rows) throw NotHandled("column '" + footer.columns[j].name + "' has " + std::to_string(chunk.numValues) + " values in a row group of " + std::to_string(group.rows) + " rows");
      const int64_t start = chunk.dictionaryPageOffset > 0 ? std::min(chunk.dictionaryPageOffset, chunk.dataPageOffset) : chunk.dataPageOffset;
      if (start < 4 || chunk.compressedSize < 0 || start + chunk.compressedSize > file.size() - 8) throw NotHandled("column '" + footer.columns[j].name + "' has a chunk outside the file");
    }
  }
  if (first != footer.rows) throw NotHandled("the row groups hold " + std::to_string(first) + " rows, the footer says " + std::to_string(footer.rows));
  return footer;
}

// ---------------------------------------------------------------------------------------------
// Pages.
// ---------------------------------------------------------------------------------------------
struct PageHeader {
  int32_t type = -1;  // DATA_PAGE 0, INDEX_PAGE 1, DICTIONARY_PAGE 2, DATA_PAGE_V2 3
  int32_t uncompressed = 0;
  int32_t compressed = 0;
  int32_t numValues = 0;
  int32_t encoding = 0;
  int32_t levelEncoding = 3;  // v1 definition levels: RLE
  int32_t defLength = 0;      // v2
  int32_t repLength = 0;      // v2
  bool isCompressed = true;   // v2
};

PageHeader ReadPageHeader(Thrift& t) {
  PageHeader h;
  Fields(t, [&](int16_t id, uint8_t type) {
    switch (id) {
      case 1: h.type = t.Int32(); break;
      case 2: h.uncompressed = t.Int32(); break;
      case 3: h.compressed = t.Int32(); break;
      case 5:  // DataPageHeader
        Fields(t, [&](int16_t f, uint8_t ft) {
          if (f == 1) h.numValues = t.Int32();
          else if (f == 2) h.encoding = t.Int32();
          else if (f == 3) h.levelEncoding = t.Int32();
          else t.Skip(ft);
        });
        break;
      case 7:  // DictionaryPageHeader
        Fields(t, [&](int16_t f, uint8_t ft) {
          if (f == 1) h.numValues = t.Int32();
          else if (f == 2) h.encoding = t.Int32();
          else t.Skip(ft);
        });
        break;
      case 8:  // DataPageHeaderV2
        Fields(t, [&](int16_t f, uint8_t ft) {
          if (f == 1) h.numValues = t.Int32();
          else if (f == 4) h.encoding = t.Int32();
          else if (f == 5) h.defLength = t.Int32();
          else if (f == 6) h.repLength = t.Int32();
          else if (f == 7) h.isCompressed = BoolOf(t, ft);
          else t.Skip(ft);
        });
        break;
      default: t.Skip(type);
    }
  });
  if (h.uncompressed < 0 || h.compressed < 0 || h.numValues < 0 || h.defLength < 0 || h.repLength < 0) throw NotHandled("a page header has a negative size");
  return h;
}

uint64_t Varint(const uint8_t*& p, const uint8_t* end) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) throw NotHandled("an RLE run header runs past its page");
    const uint8_t b = *p++;
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  throw NotHandled("an RLE run header is too long");
}

// `count` values of the RLE/bit-packed hybrid encoding with `width` bits each (<= 32) into `out`.
void DecodeHybrid(const uint8_t* p, const uint8_t* end, uint32_t width, size_t count, uint32_t* out) {
  if (width > 32) throw NotHandled("an RLE bit width is over 32");
  const size_t valueBytes = (width + 7) / 8;
  const uint64_t mask = width == 32 ? 0xffffffffULL : ((1ULL << width) - 1);
  size_t done = 0;
  while (done < count) {
    const uint64_t header = Varint(p, end);
    if ((header & 1) != 0) {
      const uint64_t groups = header >> 1;
      if (groups == 0 || groups > static_cast<uint64_t>(end - p) || groups * width > static_cast<uint64_t>(end - p)) throw NotHandled("a bit-packed run runs past its page");
      const size_t take = static_cast<size_t>(std::min<uint64_t>(groups * 8, count - done));
      if (width == 0) {
        std::fill(out + done, out + done + take, 0u);
      } else {
        // Value i sits at bit i * width: one unaligned 64-bit load holds it whole (width <= 32
        // plus a shift < 8). Near the run's end the bytes are copied into a zero-padded word.
        const size_t runBytes = static_cast<size_t>(groups * width);
        const size_t fast = runBytes >= 8 ? std::min(take, ((runBytes - 8) * 8) / width + 1) : 0;
        uint32_t* to = out + done;
        for (size_t i = 0; i < fast; i++) {
          const size_t bit = i * width;
          uint64_t word;
          std::memcpy(&word, p + (bit >> 3), 8);
          to[i] = static_cast<uint32_t>((word >> (bit & 7)) & mask);
        }
        for (size_t i = fast; i < take; i++) {
          const size_t bit = i * width;
          uint64_t word = 0;
          std::memcpy(&word, p + (bit >> 3), std::min<size_t>(8, runBytes - (bit >> 3)));
          to[i] = static_cast<uint32_t>((word >> (bit & 7)) & mask);
        }
      }
      p += groups * width;
      done += take;
    } else {
      const uint64_t run = header >> 1;
      if (run == 0) throw NotHandled("an RLE run is empty");
      if (valueBytes > static_cast<size_t>(end - p)) throw NotHandled("an RLE run runs past its page");
      uint32_t value = 0;
      for (size_t b = 0; b < valueBytes; b++) value |= static_cast<uint32_t>(p[b]) << (8 * b);
      p += valueBytes;
      const size_t take = static_cast<size_t>(std::min<uint64_t>(run, count - done));
      std::fill(out + done, out + done + take, value);
      done += take;
    }
  }
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kSafe = 1LL << 53;

// A value as the DuckDB scan decodes it (addon.cc's DecodeColumn): numbers as doubles, dates and
// instants as epoch milliseconds with the microseconds as the fraction, DuckDB's infinities kept.
inline double FromInt64(Out out, int64_t t) {
  switch (out) {
    case Out::Int64: return static_cast<double>(t);
    case Out::UInt64: return static_cast<double>(static_cast<uint64_t>(t));
    default: break;
  }
  if (t == std::numeric_limits<int64_t>::max()) return kInf;
  if (t == -std::numeric_limits<int64_t>::max()) return -kInf;
  if (out == Out::TsMillis) return static_cast<double>(t);
  if (out == Out::TsNanos) return static_cast<double>(t / 1000) / 1000.0 + static_cast<double>(t % 1000) / 1e6;
  return static_cast<double>(t) / 1000.0;
}

inline double FromInt32(Out out, int32_t v) {
  if (out == Out::UInt32) return static_cast<double>(static_cast<uint32_t>(v));
  if (out == Out::Date) {
    if (v == std::numeric_limits<int32_t>::max()) return kInf;
    if (v == -std::numeric_limits<int32_t>::max()) return -kInf;
    return static_cast<double>(v) * 86400000.0;
  }
  return static_cast<double>(v);
}

inline bool Unsafe(Out out, int64_t v) {
  if (out == Out::Int64) return v > kSafe || v < -kSafe;
  if (out == Out::UInt64) return static_cast<uint64_t>(v) > static_cast<uint64_t>(kSafe);
  return false;
}

// The first int64 beyond +-2^53 the read met (the caller raises the DataError naming the column).
struct Overflow {
  bool happened = false;
  int64_t row = 0;
  size_t column = 0;
  std::string value;

  void Offer(int64_t atRow, size_t j, Out out, int64_t v) {
    if (happened && (atRow > row || (atRow == row && j >= column))) return;
    happened = true, row = atRow, column = j;
    value = out == Out::UInt64 ? std::to_string(static_cast<uint64_t>(v)) : std::to_string(v);
  }
};

// Per-thread buffers, reused across the work items a thread takes.
struct Scratch {
  std::vector<uint8_t> chunk;   // a column chunk's bytes as stored
  std::vector<uint8_t> page;    // a decompressed page
  std::vector<uint32_t> levels;  // definition levels of a page
  std::vector<uint32_t> indices;  // dictionary indices of a page
  std::vector<double> values;   // a page's non-null numbers
  std::vector<int32_t> codes;   // a page's non-null text codes
  void* zstd = nullptr;
  Overflow overflow;

  ~Scratch() {
    if (zstd != nullptr) duckdb_vectors::Codecs()->zstdFree(zstd);
  }
};

// Where the read goes: float64 columns in one block, text codes one block each, and each text
// column's dictionary (shared by the threads, so coding takes its lock).
struct Output {
  Block numbers;
  std::vector<std::unique_ptr<Block>> texts;
  std::vector<size_t> place;  // a number column's index in `numbers`
  std::vector<Dictionary> dictionaries;
  std::unique_ptr<std::mutex[]> locks;
};

const uint8_t* Decompress(int32_t codec, const uint8_t* from, size_t n, size_t expected, Scratch& s) {
  if (codec == UNCOMPRESSED) {
    if (n != expected) throw NotHandled("an uncompressed page's sizes differ");
    return from;
  }
  if (s.page.size() < expected) s.page.resize(expected);
  const Codecs& c = *duckdb_vectors::Codecs();
  if (codec == SNAPPY) {
    size_t length = 0;
    if (!c.snappyLength(reinterpret_cast<const char*>(from), n, &length) || length != expected) throw NotHandled("a Snappy page does not hold its stated size");
    if (!c.snappyUncompress(reinterpret_cast<const char*>(from), n, reinterpret_cast<char*>(s.page.data()))) throw NotHandled("a Snappy page is corrupt");
  } else {
    if (s.zstd == nullptr) s.zstd = c.zstdCreate();
    if (s.zstd == nullptr) throw std::bad_alloc();
    const size_t got = c.zstdDecompress(s.zstd, s.page.data(), expected, from, n);
    if (c.zstdIsError(got) != 0 || got != expected) throw NotHandled("a ZSTD page is corrupt or not its stated size");
  }
  return s.page.data();
}

// A column chunk's dictionary: doubles for numbers (with the int64s beyond 2^53 marked), global
// codes for texts.
struct ChunkDictionary {
  bool present = false;
  std::vector<double> numbers;
  std::vector<uint8_t> unsafe;  // empty unless some entry is beyond +-2^53
  std::vector<int64_t> raw;     // the int64 entries, kept only when `unsafe` is not empty
  std::vector<int32_t> codes;
};

size_t PlainWidth(int32_t physical) {
  switch (physical) {
    case INT32: case FLOAT: return 4;
    case INT64: case DOUBLE: return 8;
    default: return 0;
  }
}

// `count` PLAIN fixed-width values at `p` as doubles into `to`.
void PlainNumbers(const Column& c, const uint8_t* p, const uint8_t* end, size_t count, double* to, const std::function<void(size_t, int64_t)>& onUnsafe) {
  if (c.physical == BOOLEAN) {
    if ((count + 7) / 8 > static_cast<size_t>(end - p)) throw NotHandled("a boolean page is shorter than its values");
    for (size_t i = 0; i < count; i++) to[i] = (p[i >> 3] >> (i & 7)) & 1;
    return;
  }
  const size_t width = PlainWidth(c.physical);
  if (count > static_cast<size_t>(end - p) / width) throw NotHandled("a page is shorter than its values");
  switch (c.physical) {
    case DOUBLE: std::memcpy(to, p, count * 8); break;
    case FLOAT:
      for (size_t i = 0; i < count; i++) {
        float v;
        std::memcpy(&v, p + 4 * i, 4);
        to[i] = v;
      }
      break;
    case INT32:
      for (size_t i = 0; i < count; i++) {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        to[i] = FromInt32(c.out, v);
      }
      break;
    case INT64: {
      const bool check = c.out == Out::Int64 || c.out == Out::UInt64;
      for (size_t i = 0; i < count; i++) {
        int64_t v;
        std::memcpy(&v, p + 8 * i, 8);
        to[i] = FromInt64(c.out, v);
        if (check && Unsafe(c.out, v)) onUnsafe(i, v);
      }
      break;
    }
    default: throw NotHandled("a numeric column of physical type " + std::to_string(c.physical));
  }
}

// `count` PLAIN byte arrays at `p` coded into `to` through the column's dictionary. A text that is
// not UTF-8 leaves the file to DuckDB, which refuses it naming the value (checked once per text).
void PlainTexts(const Column& c, const uint8_t* p, const uint8_t* end, size_t count, int32_t* to, Dictionary& dictionary, std::mutex& lock) {
  std::lock_guard<std::mutex> guard(lock);
  const size_t known = dictionary.values().size();
  for (size_t i = 0; i < count; i++) {
    if (end - p < 4) throw NotHandled("a text page is shorter than its values");
    uint32_t length;
    std::memcpy(&length, p, 4);
    p += 4;
    if (length > static_cast<size_t>(end - p)) throw NotHandled("a text runs past its page");
    to[i] = dictionary.Code(reinterpret_cast<const char*>(p), length);
    p += length;
  }
  const auto& texts = dictionary.values();
  for (size_t k = known; k < texts.size(); k++) {
    if (!ValidUtf8(reinterpret_cast<const uint8_t*>(texts[k].data()), texts[k].size())) throw NotHandled("column '" + c.name + "' holds a text that is not UTF-8");
  }
}

// Reads column `j` of row group `g` into the output rows [firstRow, firstRow + rows).
void ReadChunk(const File& file, const Footer& footer, size_t g, size_t j, Output& out, Scratch& s) {
  const RowGroup& group = footer.rowGroups[g];
  const ChunkMeta& meta = group.chunks[j];
  const Column& c = footer.columns[j];
  const int64_t start = meta.dictionaryPageOffset > 0 ? std::min(meta.dictionaryPageOffset, meta.dataPageOffset) : meta.dataPageOffset;
  const size_t size = static_cast<size_t>(meta.compressedSize);
  if (s.chunk.size() < size) s.chunk.resize(size);
  ReadAt(file.fd(), s.chunk.data(), size, start);
  const bool text = c.out == Out::Text;
  double* numbers = text ? nullptr : static_cast<double*>(out.numbers.Column(out.place[j], static_cast<size_t>(group.firstRow)));
  int32_t* codes = text ? static_cast<int32_t*>(out.texts[j]->Column(0, static_cast<size_t>(group.firstRow))) : nullptr;
  ChunkDictionary dictionary;
  const uint8_t* p = s.chunk.data();
  const uint8_t* const end = p + size;
  size_t row = 0;  // rows of the group written so far
  const auto rowsTotal = static_cast<size_t>(group.rows);
  while (row < rowsTotal) {
    if (p >= end) throw NotHandled("column '" + c.name + "' ends before its rows");
    Thrift t(p, static_cast<size_t>(end - p));
    const PageHeader h = ReadPageHeader(t);
    p = t.position();
    if (static_cast<size_t>(h.compressed) > static_cast<size_t>(end - p)) throw NotHandled("a page of column '" + c.name + "' runs past its chunk");
    const uint8_t* payload = p;
    p += h.compressed;
    if (h.type == 1) continue;  // index page
    if (h.type == 2) {
      if (h.encoding != 0 && h.encoding != 2) throw NotHandled("a dictionary page of column '" + c.name + "' is not PLAIN");
      const uint8_t* d = Decompress(meta.codec, payload, static_cast<size_t>(h.compressed), static_cast<size_t>(h.uncompressed), s);
      const uint8_t* dEnd = d + h.uncompressed;
      const auto n = static_cast<size_t>(h.numValues);
      dictionary = ChunkDictionary{};
      dictionary.present = true;
      if (text) {
        dictionary.codes.resize(n);
        PlainTexts(c, d, dEnd, n, dictionary.codes.data(), out.dictionaries[j], out.locks[j]);
      } else {
        if (c.physical == BOOLEAN) throw NotHandled("a boolean column has a dictionary");
        dictionary.numbers.resize(n);
        PlainNumbers(c, d, dEnd, n, dictionary.numbers.data(), [&](size_t k, int64_t) {
          if (dictionary.unsafe.empty()) dictionary.unsafe.resize(n, 0);
          dictionary.unsafe[k] = 1;
        });
        if (!dictionary.unsafe.empty()) {
          dictionary.raw.resize(n);
          for (size_t k = 0; k < n; k++) std::memcpy(&dictionary.raw[k], d + 8 * k, 8);
        }
      }
      continue;
    }
    if (h.type != 0 && h.type != 3) throw NotHandled("column '" + c.name + "' has a page of type " + std::to_string(h.type));
    const auto count = static_cast<size_t>(h.numValues);
    if (count > rowsTotal - row) throw NotHandled("column '" + c.name + "' has more values than rows");
    // Definition levels (max level 1: flat optional columns) and the values' bytes.
    const uint8_t* values;
    const uint8_t* valuesEnd;
    const uint8_t* levels = nullptr;
    const uint8_t* levelsEnd = nullptr;
    if (h.type == 0) {
      const uint8_t* d = Decompress(meta.codec, payload, static_cast<size_t>(h.compressed), static_cast<size_t>(h.uncompressed), s);
      valuesEnd = d + h.uncompressed;
      values = d;
      if (c.optional) {
        if (h.levelEncoding != 3) throw NotHandled("column '" + c.name + "' has definition levels that are not RLE");
        if (valuesEnd - values < 4) throw NotHandled("a page of column '" + c.name + "' is too short for its levels");
        uint32_t length;
        std::memcpy(&length, values, 4);
        if (length > static_cast<size_t>(valuesEnd - values - 4)) throw NotHandled("the levels of a page of column '" + c.name + "' run past it");
        levels = values + 4;
        levelsEnd = levels + length;
        values = levelsEnd;
      }
    } else {
      if (h.repLength != 0) throw NotHandled("column '" + c.name + "' has repetition levels");
      const size_t levelBytes = static_cast<size_t>(h.defLength);
      if (levelBytes > static_cast<size_t>(h.compressed) || levelBytes > static_cast<size_t>(h.uncompressed)) throw NotHandled("the levels of a page of column '" + c.name + "' run past it");
      levels = c.optional ? payload : nullptr;
      levelsEnd = c.optional ? payload + levelBytes : nullptr;
      const size_t rest = static_cast<size_t>(h.uncompressed) - levelBytes;
      if (h.isCompressed && meta.codec != UNCOMPRESSED) {
        values = Decompress(meta.codec, payload + levelBytes, static_cast<size_t>(h.compressed) - levelBytes, rest, s);
      } else {
        if (static_cast<size_t>(h.compressed) != static_cast<size_t>(h.uncompressed)) throw NotHandled("an uncompressed page's sizes differ");
        values = payload + levelBytes;
      }
      valuesEnd = values + rest;
    }
    size_t present = count;
    if (levels != nullptr) {
      if (s.levels.size() < count) s.levels.resize(count);
      DecodeHybrid(levels, levelsEnd, 1, count, s.levels.data());
      uint32_t highest = 0;
      present = 0;
      for (size_t i = 0; i < count; i++) {
        highest |= s.levels[i];
        present += s.levels[i];
      }
      if (highest > 1) throw NotHandled("column '" + c.name + "' has a definition level over 1");
    }
    const bool dense = present == count;
    const int64_t firstRow = group.firstRow + static_cast<int64_t>(row);
    // The page's non-null values, written to the rows directly when there are no nulls.
    if (h.encoding == 2 || h.encoding == 8) {
      if (!dictionary.present) throw NotHandled("column '" + c.name + "' has dictionary indices but no dictionary");
      if (valuesEnd <= values && present > 0) throw NotHandled("a page of column '" + c.name + "' has no index width");
      if (s.indices.size() < present) s.indices.resize(present);
      if (present > 0) DecodeHybrid(values + 1, valuesEnd, values[0], present, s.indices.data());
      const size_t entries = text ? dictionary.codes.size() : dictionary.numbers.size();
      uint32_t highest = 0;
      for (size_t i = 0; i < present; i++) highest = std::max(highest, s.indices[i]);
      if (present > 0 && highest >= entries) throw NotHandled("column '" + c.name + "' has a dictionary index beyond its dictionary");
      if (text) {
        int32_t* to = dense ? codes + row : (s.codes.resize(std::max(s.codes.size(), present)), s.codes.data());
        for (size_t i = 0; i < present; i++) to[i] = dictionary.codes[s.indices[i]];
      } else {
        double* to = dense ? numbers + row : (s.values.resize(std::max(s.values.size(), present)), s.values.data());
        for (size_t i = 0; i < present; i++) to[i] = dictionary.numbers[s.indices[i]];
        if (!dictionary.unsafe.empty()) {
          for (size_t i = 0; i < present; i++) {
            if (dictionary.unsafe[s.indices[i]] != 0) s.overflow.Offer(firstRow + static_cast<int64_t>(i), j, c.out, dictionary.raw[s.indices[i]]);
          }
        }
      }
    } else if (h.encoding == 3 && c.physical == BOOLEAN) {
      // RLE booleans (data pages v2): a 4-byte length, then the hybrid encoding, one bit wide.
      if (valuesEnd - values < 4) throw NotHandled("a boolean page of column '" + c.name + "' is too short");
      uint32_t length;
      std::memcpy(&length, values, 4);
      if (length > static_cast<size_t>(valuesEnd - values - 4)) throw NotHandled("a boolean page of column '" + c.name + "' runs past its bytes");
      if (s.indices.size() < present) s.indices.resize(present);
      DecodeHybrid(values + 4, values + 4 + length, 1, present, s.indices.data());
      double* to = dense ? numbers + row : (s.values.resize(std::max(s.values.size(), present)), s.values.data());
      for (size_t i = 0; i < present; i++) to[i] = s.indices[i] != 0 ? 1.0 : 0.0;
    } else if (h.encoding == 0) {
      if (text) {
        int32_t* to = dense ? codes + row : (s.codes.resize(std::max(s.codes.size(), present)), s.codes.data());
        PlainTexts(c, values, valuesEnd, present, to, out.dictionaries[j], out.locks[j]);
      } else {
        double* to = dense ? numbers + row : (s.values.resize(std::max(s.values.size(), present)), s.values.data());
        PlainNumbers(c, values, valuesEnd, present, to, [&](size_t i, int64_t v) { s.overflow.Offer(firstRow + static_cast<int64_t>(i), j, c.out, v); });
      }
    } else {
      throw NotHandled("column '" + c.name + "' has a page in encoding " + std::to_string(h.encoding));
    }
    if (!dense) {
      // Spread the values over the rows; nulls are NaN (numbers) or -1 (texts). (An overflow's row
      // above counts the page's non-null values: it only picks which value the error names.)
      size_t k = 0;
      if (text) {
        for (size_t i = 0; i < count; i++) codes[row + i] = s.levels[i] != 0 ? s.codes[k++] : -1;
      } else {
        for (size_t i = 0; i < count; i++) numbers[row + i] = s.levels[i] != 0 ? s.values[k++] : std::numeric_limits<double>::quiet_NaN();
      }
    }
    row += count;
  }
}

struct ReadResult {
  std::vector<Column> columns;  // as the footer said when the file was read
  size_t rows = 0;
  Output out;
  std::vector<std::unique_ptr<SortedTexts>> sorted;
  Overflow overflow;
};

// The cores this process may run on (its affinity mask: taskset and cpusets), at most 16.
size_t UsableCores() {
  cpu_set_t set;
  size_t cores = 0;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = static_cast<size_t>(CPU_COUNT(&set));
  if (cores == 0) cores = std::thread::hardware_concurrency();
  return std::clamp<size_t>(cores, 1, 16);
}

// Reads the whole file on one thread per usable core (this one included).
void ReadAll(const std::string& path, ReadResult& result) {
  File file(path);
  const Footer footer = ReadFooter(file);
  const size_t columns = footer.columns.size();
  const auto rows = static_cast<size_t>(footer.rows);
  result.columns = footer.columns;
  Output& out = result.out;
  out.texts.resize(columns);
  out.place.resize(columns);
  out.dictionaries.resize(columns);
  out.locks = std::make_unique<std::mutex[]>(columns);
  for (size_t j = 0; j < columns; j++) {
    if (footer.columns[j].out == Out::Text) {
      out.texts[j] = std::make_unique<Block>();
      out.texts[j]->columns = 1;
      out.texts[j]->element = 4;
      out.texts[j]->Reserve(std::max<size_t>(1, rows), 0);
    } else {
      out.place[j] = out.numbers.columns++;
    }
  }
  out.numbers.Reserve(std::max<size_t>(1, rows), 0);
  const size_t items = footer.rowGroups.size() * columns;
  const size_t threads = std::max<size_t>(1, std::min(items, UsableCores()));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex errorLock;
  std::string error;
  bool notHandled = false;
  std::vector<Scratch> scratch(threads);
  const auto work = [&](size_t k) {
    try {
      for (;;) {
        const size_t item = next.fetch_add(1);
        if (item >= items || failed.load()) return;
        ReadChunk(file, footer, item / columns, item % columns, out, scratch[k]);
      }
    } catch (const NotHandled& e) {
      std::lock_guard<std::mutex> lock(errorLock);
      if (!failed.exchange(true)) error = e.what(), notHandled = true;
    } catch (const std::bad_alloc&) {
      std::lock_guard<std::mutex> lock(errorLock);
      if (!failed.exchange(true)) error = "out of memory while reading the file";
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(errorLock);
      if (!failed.exchange(true)) error = e.what();
    }
  };
  std::vector<std::thread> pool;
  for (size_t k = 1; k < threads; k++) pool.emplace_back(work, k);
  work(0);
  for (std::thread& thread : pool) thread.join();
  if (failed.load()) {
    if (notHandled) throw NotHandled(error);
    throw std::runtime_error(error);
  }
  for (const Scratch& s : scratch) {
    const Overflow& o = s.overflow;
    if (o.happened && (!result.overflow.happened || o.row < result.overflow.row || (o.row == result.overflow.row && o.column < result.overflow.column))) result.overflow = o;
  }
  result.rows = rows;
  result.sorted.resize(columns);
  if (result.overflow.happened) return;
  for (size_t j = 0; j < columns; j++) {
    if (!out.texts[j]) continue;
    auto sorted = std::make_unique<SortedTexts>();
    if (!SortDictionary(out.dictionaries[j], static_cast<int32_t*>(out.texts[j]->Column(0, 0)), rows, *sorted)) throw NotHandled("column '" + footer.columns[j].name + "' holds 2 GB of distinct texts or more");
    result.sorted[j] = std::move(sorted);
  }
}

std::string ReadPath(const Napi::CallbackInfo& info) {
  return kdap::ReadString(info, 0, "path");
}

// parquetSchema(path): { names, types, rows } or { unsupported: reason }. Reads only the footer.
Napi::Value ParquetSchema(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const std::string path = ReadPath(info);
    Napi::Env env = info.Env();
    Napi::Object result = Napi::Object::New(env);
    try {
      File file(path);
      const Footer footer = ReadFooter(file);
      Napi::Array names = Napi::Array::New(env, footer.columns.size());
      Napi::Array types = Napi::Array::New(env, footer.columns.size());
      for (size_t j = 0; j < footer.columns.size(); j++) {
        names.Set(j, Napi::String::New(env, footer.columns[j].name));
        types.Set(j, Napi::Number::New(env, footer.columns[j].duckType));
      }
      result.Set("names", names);
      result.Set("types", types);
      result.Set("rows", Napi::Number::New(env, static_cast<double>(footer.rows)));
    } catch (const NotHandled& e) {
      result.Set("unsupported", Napi::String::New(env, e.what()));
    }
    return result;
  });
}

class ReadParquetWorker : public Napi::AsyncWorker {
 public:
  ReadParquetWorker(Napi::Env env, std::string path) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), path_(std::move(path)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      ReadAll(path_, result_);
    } catch (const NotHandled& e) {
      unsupported_ = e.what();
    } catch (const std::bad_alloc&) {
      SetError("out of memory while reading the file");
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Object out = Napi::Object::New(env);
    if (unsupported_.has_value()) {
      out.Set("unsupported", Napi::String::New(env, *unsupported_));
      deferred_.Resolve(out);
      return;
    }
    Output& o = result_.out;
    const size_t rows = result_.rows;
    const size_t columns = o.texts.size();
    const auto adopt = [&](Block& block) { return AdoptBlock(env, block, rows); };
    Napi::ArrayBuffer numbers = o.numbers.columns > 0 ? adopt(o.numbers) : Napi::ArrayBuffer::New(env, 0);
    Napi::Array arrays = Napi::Array::New(env, columns);
    Napi::Array added = Napi::Array::New(env, columns);
    Napi::Array sortedTexts = Napi::Array::New(env, columns);
    for (size_t j = 0; j < columns; j++) {
      added.Set(j, env.Null());
      sortedTexts.Set(j, env.Null());
      if (!o.texts[j]) {
        arrays.Set(j, Napi::Float64Array::New(env, rows, numbers, o.place[j] * rows * sizeof(double)));
        continue;
      }
      arrays.Set(j, Napi::Int32Array::New(env, rows, adopt(*o.texts[j]), 0));
      if (j >= result_.sorted.size() || !result_.sorted[j]) {
        added.Set(j, Napi::Array::New(env, 0));  // only after an overflow, which fails the read
        continue;
      }
      Napi::Object texts = AdoptSortedTexts(env, *result_.sorted[j]);
      sortedTexts.Set(j, texts);
    }
    Napi::Array names = Napi::Array::New(env, columns);
    Napi::Array types = Napi::Array::New(env, columns);
    for (size_t j = 0; j < columns; j++) {
      names.Set(j, Napi::String::New(env, result_.columns[j].name));
      types.Set(j, Napi::Number::New(env, result_.columns[j].duckType));
    }
    out.Set("names", names);
    out.Set("types", types);
    out.Set("rows", Napi::Number::New(env, static_cast<double>(rows)));
    out.Set("columns", arrays);
    out.Set("newTexts", added);
    out.Set("sortedTexts", sortedTexts);
    out.Set("done", Napi::Boolean::New(env, true));
    if (result_.overflow.happened) {
      Napi::Object overflow = Napi::Object::New(env);
      overflow.Set("column", Napi::Number::New(env, static_cast<double>(result_.overflow.column)));
      overflow.Set("value", Napi::String::New(env, result_.overflow.value));
      out.Set("overflow", overflow);
    }
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string path_;
  ReadResult result_;
  std::optional<std::string> unsupported_;
};

// readParquet(path): Promise<ScanBatch-like result | { unsupported: reason }>.
Napi::Value ReadParquet(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    auto* worker = new ReadParquetWorker(info.Env(), ReadPath(info));
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace

void RegisterParquetReader(Napi::Env env, Napi::Object exports) {
  exports.Set("parquetSchema", Napi::Function::New(env, ParquetSchema, "parquetSchema"));
  exports.Set("readParquet", Napi::Function::New(env, ReadParquet, "readParquet"));
}

}  // namespace duckdb_vectors
