// readArrowIpc(path): reads an Arrow IPC file (ARROW1 magic, footer) or stream into one external
// buffer (huge pages: huge_pages.h) and returns its layout: the schema's fields and, per record or dictionary batch, where each
// column's validity, offsets and values lie in that buffer. JavaScript then views the buffer
// (read-arrow-ipc.ts): no apache-arrow IPC reader (35-43 ms of cold JavaScript for a 200,000-row
// file, docs/benchmarks.md) and no second copy of the file. With `build`, the number, date,
// timestamp and plain text columns come built as a Table holds them (BuildColumns): the cold
// JavaScript that built them per batch from the views was ~6-9 ms of a ~16-22 ms read.
//
// Only flat columns are laid out (null, integers, floats, booleans, decimals, dates, timestamps,
// Utf8/LargeUtf8 and their dictionary-encoded forms): a schema with any other field or a big-endian
// file comes back without batches (`supported: false`), and the caller decides (apache-arrow's
// reader, or an error naming the file). Compressed bodies (LZ4_FRAME, ZSTD: pandas' and pyarrow's
// `to_feather` default to LZ4) are decoded into one block of their own (arrow_ipc_codecs.h), which
// the layout's offsets then point into. Every flatbuffer read is bounds-checked, every buffer must
// lie inside its message body and be large enough for its column's rows, and string offsets must
// ascend within their bytes, so no view JavaScript makes can reach past the buffer.
#include "arrow_ipc.h"

#include "arrow_ipc_codecs.h"
#include "arrow_ipc_texts.h"
#include "huge_pages.h"

#include <kdap/napi_common.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace arrow_ipc {
namespace {

struct Malformed : std::runtime_error {
  explicit Malformed(const std::string& what) : std::runtime_error(what) {}
};

template <class T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// A flatbuffer table inside bytes [0, size) of `base`. Absent tables are !valid().
class FbTable {
 public:
  FbTable() = default;
  FbTable(const uint8_t* base, size_t size, size_t at, const char* what) : base_(base), size_(size), at_(at), what_(what) {
    Need(at, 4);
    const int64_t vtable = static_cast<int64_t>(at) - Load<int32_t>(base + at);
    if (vtable < 0 || static_cast<size_t>(vtable) + 4 > size) Fail("vtable");
    vt_ = static_cast<size_t>(vtable);
    vtSize_ = Load<uint16_t>(base + vt_);
    tableSize_ = Load<uint16_t>(base + vt_ + 2);
    if (vtSize_ < 4 || (vtSize_ & 1) != 0 || vt_ + vtSize_ > size || at + tableSize_ > size) Fail("table size");
  }

  bool valid() const { return base_ != nullptr; }

  template <class T>
  T Scalar(int field, T fallback) const {
    const size_t p = Field(field, sizeof(T));
    return p == 0 ? fallback : Load<T>(base_ + p);
  }

  FbTable Table(int field, const char* what) const {
    const size_t to = Ref(field);
    return to == 0 ? FbTable() : FbTable(base_, size_, to, what);
  }

  bool Has(int field) const { return Field(field, 1) != 0; }

  std::string String(int field) const {
    const size_t to = Ref(field);
    if (to == 0) return std::string();
    Need(to, 4);
    const uint32_t n = Load<uint32_t>(base_ + to);
    Need(to + 4, n);
    return std::string(reinterpret_cast<const char*>(base_ + to + 4), n);
  }

  // A vector field: the position of its first element and its length (0, 0 when absent).
  std::pair<size_t, size_t> Vector(int field, size_t elementSize) const {
    const size_t to = Ref(field);
    if (to == 0) return {0, 0};
    Need(to, 4);
    const uint32_t n = Load<uint32_t>(base_ + to);
    if (elementSize != 0 && n > (size_ - to - 4) / elementSize) Fail("vector length");
    return {to + 4, n};
  }

  // Element k of a vector of tables starting at `elements`.
  FbTable TableAt(size_t elements, size_t k, const char* what) const {
    const size_t p = elements + 4 * k;
    Need(p, 4);
    const uint32_t offset = Load<uint32_t>(base_ + p);
    if (offset == 0 || p + offset >= size_) Fail("vector element");
    return FbTable(base_, size_, p + offset, what);
  }

  const uint8_t* base() const { return base_; }

 private:
  size_t Field(int field, size_t width) const {
    const size_t entry = 4 + 2 * static_cast<size_t>(field);
    if (entry + 2 > vtSize_) return 0;
    const uint16_t offset = Load<uint16_t>(base_ + vt_ + entry);
    if (offset == 0) return 0;
    if (offset + width > tableSize_) Fail("field");
    return at_ + offset;
  }

  size_t Ref(int field) const {
    const size_t p = Field(field, 4);
    if (p == 0) return 0;
    const uint32_t offset = Load<uint32_t>(base_ + p);
    if (offset == 0 || p + offset >= size_) Fail("offset");
    return p + offset;
  }

  void Need(size_t at, size_t n) const {
    if (at > size_ || n > size_ - at) Fail("bounds");
  }

  [[noreturn]] void Fail(const char* part) const { throw Malformed(std::string("its ") + what_ + " metadata is malformed (" + part + ")"); }

  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t at_ = 0;
  size_t vt_ = 0;
  uint16_t vtSize_ = 0;
  uint16_t tableSize_ = 0;
  const char* what_ = "";
};

// Schema.fbs: Type union tags, MessageHeader tags.
enum TypeTag : uint8_t { kNull = 1, kInt = 2, kFloat = 3, kBinary = 4, kUtf8 = 5, kBool = 6, kDecimal = 7, kDate = 8, kTime = 9, kTimestamp = 10, kLargeUtf8 = 20 };
enum HeaderTag : uint8_t { kSchema = 1, kDictionaryBatch = 2, kRecordBatch = 3 };

const char* TypeName(uint8_t tag) {
  static const char* const kNames[] = {"NONE", "Null", "Int", "FloatingPoint", "Binary", "Utf8", "Bool", "Decimal", "Date", "Time",
                                       "Timestamp", "Interval", "List", "Struct", "Union", "FixedSizeBinary", "FixedSizeList", "Map",
                                       "Duration", "LargeBinary", "LargeUtf8", "LargeList", "RunEndEncoded", "BinaryView", "Utf8View",
                                       "ListView", "LargeListView"};
  return tag < sizeof kNames / sizeof kNames[0] ? kNames[tag] : "unknown";
}

// A flat column type as read-arrow-ipc.ts builds it.
struct ColumnType {
  std::string kind;  // null|int|float|bool|decimal|date|timestamp|utf8|largeUtf8, or the Arrow type's name
  bool supported = false;
  int bitWidth = 0;
  bool isSigned = false;
  int precision = 0;  // FloatingPoint: 0 half, 1 single, 2 double; Decimal: digits
  int scale = 0;
  int unit = 0;  // Date: 0 day, 1 ms; Timestamp: 0 s .. 3 ns
  bool hasTimezone = false;
  std::string timezone;
  int buffers = 0;   // validity + values (+ data for strings)
  int valueBytes = 0;  // per row; 0 for bit-packed booleans and strings
};

ColumnType Supported(const char* kind, int buffers, int valueBytes) {
  ColumnType out;
  out.kind = kind;
  out.supported = true;
  out.buffers = buffers;
  out.valueBytes = valueBytes;
  return out;
}

ColumnType ReadType(uint8_t tag, const FbTable& type) {
  ColumnType out;
  out.kind = TypeName(tag);
  switch (tag) {
    case kNull:
      out = Supported("null", 0, 0);
      break;
    case kInt: {
      const int width = type.valid() ? type.Scalar<int32_t>(0, 0) : 0;
      if (width == 8 || width == 16 || width == 32 || width == 64) {
        out = Supported("int", 2, width / 8);
        out.bitWidth = width;
        out.isSigned = type.Scalar<uint8_t>(1, 0) != 0;
      }
      break;
    }
    case kFloat: {
      const int precision = type.valid() ? type.Scalar<int16_t>(0, 0) : 0;
      if (precision >= 0 && precision <= 2) {
        out = Supported("float", 2, 2 << precision);
        out.precision = precision;
      }
      break;
    }
    case kBool:
      out = Supported("bool", 2, 0);
      break;
    case kDecimal: {
      const int width = type.valid() ? type.Scalar<int32_t>(2, 128) : 128;
      if (width == 128 || width == 256) {
        out = Supported("decimal", 2, width / 8);
        out.bitWidth = width;
        out.precision = type.Scalar<int32_t>(0, 0);
        out.scale = type.Scalar<int32_t>(1, 0);
      }
      break;
    }
    case kDate: {
      const int unit = type.valid() ? type.Scalar<int16_t>(0, 1) : 1;
      if (unit == 0 || unit == 1) {
        out = Supported("date", 2, unit == 0 ? 4 : 8);
        out.unit = unit;
      }
      break;
    }
    case kTimestamp: {
      const int unit = type.valid() ? type.Scalar<int16_t>(0, 0) : 0;
      if (unit >= 0 && unit <= 3) {
        out = Supported("timestamp", 2, 8);
        out.unit = unit;
        out.hasTimezone = type.valid() && type.Has(1);
        if (out.hasTimezone) out.timezone = type.String(1);
      }
      break;
    }
    case kUtf8:
    case kLargeUtf8:
      out = Supported(tag == kUtf8 ? "utf8" : "largeUtf8", 3, tag == kUtf8 ? 4 : 8);  // bytes per offset
      break;
    default:
      break;
  }
  return out;
}

struct FieldInfo {
  std::string name;
  bool nullable = true;
  ColumnType type;                 // the values' type (a dictionary's values for an encoded column)
  int64_t dictionaryId = -1;       // >= 0: dictionary-encoded, `index` is the indices' type
  ColumnType index;
  bool supported() const { return type.supported && (dictionaryId < 0 || ((type.kind == "utf8" || type.kind == "largeUtf8") && index.kind == "int")); }
  const ColumnType& stored() const { return dictionaryId < 0 ? type : index; }
};

FieldInfo ReadField(const FbTable& field) {
  FieldInfo out;
  out.name = field.String(0);
  out.nullable = field.Scalar<uint8_t>(1, 0) != 0;
  const uint8_t tag = field.Scalar<uint8_t>(2, 0);
  out.type = ReadType(tag, field.Table(3, "field type"));
  if (field.Vector(5, 4).second != 0) out.type.supported = false;  // children: a nested type
  const FbTable encoding = field.Table(4, "dictionary encoding");
  if (encoding.valid()) {
    out.dictionaryId = encoding.Scalar<int64_t>(0, 0);
    const FbTable indexType = encoding.Table(1, "dictionary index type");
    // No indexType: signed 32-bit (Schema.fbs).
    if (indexType.valid()) {
      out.index = ReadType(kInt, indexType);
    } else {
      out.index = Supported("int", 2, 4);
      out.index.bitWidth = 32;
      out.index.isSigned = true;
    }
  }
  return out;
}

// One IPC message: its header table, its body's place in the file, where the next one starts.
struct Message {
  uint8_t headerType = 0;
  FbTable header;
  size_t body = 0;
  size_t bodyLength = 0;
  size_t next = 0;
};

// Reads the encapsulated message at `at` (continuation 0xFFFFFFFF + length, or a pre-0.15 bare
// length); false at the end-of-stream marker or the end of the bytes.
bool ReadMessage(const uint8_t* bytes, size_t size, size_t at, Message& out) {
  if (at == size) return false;
  if (at + 4 > size) throw Malformed("a message starts " + std::to_string(size - at) + " bytes before the end");
  uint32_t length = Load<uint32_t>(bytes + at);
  size_t p = at + 4;
  if (length == 0xFFFFFFFFu) {
    if (p + 4 > size) throw Malformed("it ends inside a message prefix");
    length = Load<uint32_t>(bytes + p);
    p += 4;
  }
  if (length == 0) return false;
  if (length > size - p || length < 4) throw Malformed("a message's metadata length (" + std::to_string(length) + ") goes past the end");
  const uint8_t* fb = bytes + p;
  const uint32_t root = Load<uint32_t>(fb);
  if (root >= length) throw Malformed("a message's root offset is out of range");
  const FbTable message(fb, length, root, "message");
  out.headerType = message.Scalar<uint8_t>(1, 0);
  out.header = message.Table(2, "message header");
  const int64_t bodyLength = message.Scalar<int64_t>(3, 0);
  out.body = p + length;
  if (bodyLength < 0 || static_cast<uint64_t>(bodyLength) > size - out.body) throw Malformed("a message body goes past the end of the file");
  out.bodyLength = static_cast<size_t>(bodyLength);
  out.next = out.body + out.bodyLength;
  return true;
}

// A batch's columns in the layout read-arrow-ipc.ts reads: per column 8 numbers, [rows, nulls,
// validity offset, validity length, values/offsets offset, length, data offset, length] (file
// offsets; -1 for a buffer the type does not have).
struct BatchLayout {
  int64_t dictionaryId = -1;  // >= 0: a dictionary batch for that id
  bool delta = false;
  int64_t rows = 0;
  int8_t codec = kRaw;  // its BodyCompression codec, kRaw when its buffers are stored as they are
  std::vector<double> columns;
  // Per column, its type and name for CheckColumn, which runs once the buffers are final (after
  // decoding, for a compressed body). Point into Layout::fields, which no longer changes.
  std::vector<std::pair<const ColumnType*, const std::string*>> types;
};

void CheckColumn(const uint8_t* bytes, const ColumnType& type, int64_t rows, int64_t nulls, const double* buffers, const std::string& name) {
  const auto fail = [&](const std::string& what) { throw Malformed("column '" + name + "' " + what); };
  if (nulls < 0 || nulls > rows) fail("has a null count outside 0.." + std::to_string(rows));
  const auto length = [&](int k) { return static_cast<uint64_t>(buffers[2 * k + 1]); };
  const uint64_t n = static_cast<uint64_t>(rows);
  if (type.buffers == 0) return;
  if (nulls > 0 && length(0) < (n + 7) / 8) fail("has nulls but a validity bitmap shorter than its rows");
  if (type.kind == "bool") {
    if (length(1) < (n + 7) / 8) fail("has fewer value bits than rows");
    return;
  }
  if (type.buffers == 2) {
    if (length(1) / static_cast<uint64_t>(type.valueBytes) < n) fail("has fewer values than rows");
    return;
  }
  // Strings: rows + 1 ascending offsets within the data buffer (an empty column may omit them).
  if (rows == 0 && length(1) == 0) return;
  if (length(1) / static_cast<uint64_t>(type.valueBytes) < n + 1) fail("has fewer string offsets than rows + 1");
  const uint8_t* offsets = bytes + static_cast<size_t>(buffers[2]);
  const uint64_t dataLength = length(2);
  int64_t previous = 0;
  for (uint64_t i = 0; i <= n; i++) {
    const int64_t at = type.valueBytes == 4 ? Load<int32_t>(offsets + 4 * i) : Load<int64_t>(offsets + 8 * i);
    if (at < 0 || static_cast<uint64_t>(at) > dataLength || (i > 0 && at < previous)) fail("has string offsets that do not ascend within its bytes");
    previous = at;
  }
}

// Lays out a RecordBatch table over `columns` (type and name each: one node and type.buffers
// buffers per column). Buffers are file offsets into the message body; a compressed body's are
// decoded later (DecodeBody), so the checks of their contents wait (CheckBatches).
BatchLayout ReadBatch(const Message& message, const FbTable& batch, const std::vector<std::pair<const ColumnType*, const std::string*>>& columns) {
  BatchLayout out;
  const FbTable compression = batch.Table(3, "compression");
  if (compression.valid()) {
    out.codec = compression.Scalar<int8_t>(0, 0);
    if (compression.Scalar<int8_t>(1, 0) != 0) throw Malformed("its body compression method is not BUFFER (the only one Arrow defines)");
  }
  out.rows = batch.Scalar<int64_t>(0, 0);
  // A Table's codes are int32; a batch's rows are bounded so that even a column without buffers
  // (the null type) cannot ask for more.
  if (out.rows < 0 || out.rows > std::numeric_limits<int32_t>::max()) throw Malformed("a record batch has a length outside 0..2^31-1");
  const auto [nodes, nodeCount] = batch.Vector(1, 16);
  const auto [buffers, bufferCount] = batch.Vector(2, 16);
  const uint8_t* fb = batch.base();
  size_t node = 0, buffer = 0;
  out.columns.assign(columns.size() * 8, -1.0);
  out.types = columns;
  for (size_t j = 0; j < columns.size(); j++) {
    const ColumnType& stored = *columns[j].first;
    const std::string& name = *columns[j].second;
    if (node >= nodeCount || buffer + static_cast<size_t>(stored.buffers) > bufferCount) throw Malformed("a record batch has fewer field nodes or buffers than the schema's columns");
    double* column = out.columns.data() + 8 * j;
    const int64_t rows = Load<int64_t>(fb + nodes + 16 * node);
    const int64_t nulls = Load<int64_t>(fb + nodes + 16 * node + 8);
    node++;
    if (rows != out.rows) throw Malformed("column '" + name + "' has " + std::to_string(rows) + " rows in a batch of " + std::to_string(out.rows));
    column[0] = static_cast<double>(rows);
    column[1] = static_cast<double>(nulls);
    for (int k = 0; k < stored.buffers; k++, buffer++) {
      const int64_t offset = Load<int64_t>(fb + buffers + 16 * buffer);
      const int64_t length = Load<int64_t>(fb + buffers + 16 * buffer + 8);
      if (offset < 0 || length < 0 || static_cast<uint64_t>(offset) > message.bodyLength || static_cast<uint64_t>(length) > message.bodyLength - static_cast<uint64_t>(offset)) {
        throw Malformed("a buffer of column '" + name + "' lies outside its message body");
      }
      column[2 + 2 * k] = static_cast<double>(message.body + static_cast<size_t>(offset));
      column[3 + 2 * k] = static_cast<double>(length);
    }
  }
  if (node != nodeCount || buffer != bufferCount) throw Malformed("a record batch has more field nodes or buffers than the schema's columns");
  return out;
}

struct Layout {
  bool stream = false;
  bool bigEndian = false;
  std::vector<FieldInfo> fields;
  std::string compression;  // the codec's name when any batch is compressed
  bool decoded = false;     // whether those batches were decoded (else `batches` is empty)
  std::vector<BatchLayout> batches;
  huge_pages::Owned body;   // the decoded buffers of a compressed file (then the batches' offsets point here)
};

std::vector<FieldInfo> ReadSchema(const FbTable& schema, bool& bigEndian) {
  if (!schema.valid()) throw Malformed("it has no schema");
  bigEndian = schema.Scalar<int16_t>(0, 0) == 1;
  const auto [elements, count] = schema.Vector(1, 4);
  std::vector<FieldInfo> fields;
  for (size_t k = 0; k < count; k++) fields.push_back(ReadField(schema.TableAt(elements, k, "field")));
  return fields;
}

bool AllSupported(const Layout& layout) {
  for (const FieldInfo& field : layout.fields) {
    if (!field.supported()) return false;
  }
  return !layout.bigEndian;
}

// Lays out the batch a message holds (a record batch or a dictionary batch).
void LayOut(const Message& message, Layout& layout) {
  if (message.headerType == kRecordBatch) {
    std::vector<std::pair<const ColumnType*, const std::string*>> columns;
    for (const FieldInfo& field : layout.fields) columns.emplace_back(&field.stored(), &field.name);
    if (!message.header.valid()) throw Malformed("a record batch message has no header");
    layout.batches.push_back(ReadBatch(message, message.header, columns));
    return;
  }
  if (message.headerType == kDictionaryBatch) {
    if (!message.header.valid()) throw Malformed("a dictionary batch message has no header");
    const int64_t id = message.header.Scalar<int64_t>(0, 0);
    const FieldInfo* owner = nullptr;
    for (const FieldInfo& field : layout.fields) {
      if (field.dictionaryId == id) owner = &field;
    }
    if (owner == nullptr) throw Malformed("a dictionary batch has id " + std::to_string(id) + ", which no column uses");
    const FbTable data = message.header.Table(1, "dictionary data");
    if (!data.valid()) throw Malformed("a dictionary batch has no data");
    // The dictionary's values: one column of the encoded field's value type.
    BatchLayout batch = ReadBatch(message, data, {{&owner->type, &owner->name}});
    batch.dictionaryId = id;
    batch.delta = message.header.Scalar<uint8_t>(2, 0) != 0;
    layout.batches.push_back(std::move(batch));
    return;
  }
  if (message.headerType == kSchema) throw Malformed("it holds a second schema message");
  throw Malformed("it holds a message of unsupported kind " + std::to_string(message.headerType) + " (tensors are not tables)");
}

const char* CodecName(int8_t codec) { return codec == kLz4Frame ? "LZ4_FRAME" : codec == kZstd ? "ZSTD" : nullptr; }

// Decodes every buffer of a file with compressed batches into one block (each buffer 8-byte
// aligned, as Arrow's own), pointing the batches' offsets there. A batch stored as it is in the
// same file is copied into the block too, so JavaScript still views one buffer. With a codec that
// cannot be decoded here, the batches are dropped and `compression` says which codec it was.
void DecodeBody(const uint8_t* bytes, Layout& layout) {
  for (const BatchLayout& batch : layout.batches) {
    if (batch.codec == kRaw) continue;
    const char* name = CodecName(batch.codec);
    layout.compression = name != nullptr ? name : "codec " + std::to_string(batch.codec);
    if (!CodecProblem(batch.codec).empty()) {
      layout.batches.clear();
      return;
    }
  }
  std::vector<DecodeJob> jobs;
  std::vector<double*> places;  // each job's [offset, length] pair in its batch's columns
  size_t total = 0;
  for (BatchLayout& batch : layout.batches) {
    for (size_t j = 0; j < batch.types.size(); j++) {
      double* column = batch.columns.data() + 8 * j;
      for (int k = 0; k < batch.types[j].first->buffers; k++) {
        double* place = column + 2 + 2 * k;
        const auto at = static_cast<size_t>(place[0]);
        const auto stored = static_cast<size_t>(place[1]);
        DecodeJob job{bytes + at, stored, kRaw, nullptr, stored, batch.types[j].second};
        // Empty buffers carry no length prefix; the others start with their decoded length.
        if (batch.codec != kRaw && stored > 0) {
          if (stored < 8) throw Malformed("a compressed buffer of column '" + *batch.types[j].second + "' is shorter than its length prefix");
          const int64_t length = Load<int64_t>(bytes + at);
          job.source = bytes + at + 8;
          job.sourceLength = stored - 8;
          if (length != -1) {
            // No frame decodes to more than ~32,768x its size (a ZSTD RLE block; LZ4 ~255x): a
            // larger prefix is damage, not data, and must not size an allocation.
            if (length < 0 || static_cast<uint64_t>(length) > uint64_t{32768} * job.sourceLength + 4096) {
              throw Malformed("a compressed buffer of column '" + *batch.types[j].second + "' states an impossible decoded length (" + std::to_string(length) + ")");
            }
            job.codec = batch.codec;
            job.length = static_cast<size_t>(length);
          } else {
            job.length = job.sourceLength;
          }
        }
        total = (total + 7) & ~size_t{7};
        job.target = reinterpret_cast<uint8_t*>(total);  // an offset until the block exists
        total += job.length;
        jobs.push_back(job);
        places.push_back(place);
      }
    }
  }
  void* memory = nullptr;
  layout.body.block = huge_pages::Allocate(total, memory);
  auto* base = static_cast<uint8_t*>(memory);
  for (size_t k = 0; k < jobs.size(); k++) {
    const auto offset = reinterpret_cast<size_t>(jobs[k].target);
    jobs[k].target = base + offset;
    places[k][0] = static_cast<double>(offset);
    places[k][1] = static_cast<double>(jobs[k].length);
  }
  Decode(jobs);
  layout.body.data = base;
  layout.body.size = total;
  layout.decoded = true;
}

// Checks every batch's buffers against its columns' rows (string offsets included) in the final
// bytes: the file's, or the decoded body's.
void CheckBatches(const uint8_t* bytes, const Layout& layout) {
  for (const BatchLayout& batch : layout.batches) {
    for (size_t j = 0; j < batch.types.size(); j++) {
      const double* column = batch.columns.data() + 8 * j;
      CheckColumn(bytes, *batch.types[j].first, static_cast<int64_t>(column[0]), static_cast<int64_t>(column[1]), column + 2, *batch.types[j].second);
    }
  }
}

// Reads the schema and lays out every batch (the buffers as stored in the file).
void ReadMessages(const uint8_t* bytes, size_t size, Layout& layout) {
  static const char kMagic[] = "ARROW1";
  const bool file = size >= 12 && std::memcmp(bytes, kMagic, 6) == 0;
  if (file) {
    // ARROW1 + padding, messages, footer, int32 footer length, ARROW1.
    if (std::memcmp(bytes + size - 6, kMagic, 6) != 0) throw Malformed("it starts with ARROW1 but does not end with it (a truncated file?)");
    const int32_t footerLength = Load<int32_t>(bytes + size - 10);
    if (footerLength < 4 || static_cast<size_t>(footerLength) > size - 18) throw Malformed("its footer length is out of range");
    const size_t footerAt = size - 10 - static_cast<size_t>(footerLength);
    const uint8_t* fb = bytes + footerAt;
    const uint32_t root = Load<uint32_t>(fb);
    if (root >= static_cast<uint32_t>(footerLength)) throw Malformed("its footer's root offset is out of range");
    const FbTable footer(fb, static_cast<size_t>(footerLength), root, "footer");
    layout.fields = ReadSchema(footer.Table(1, "schema"), layout.bigEndian);
    if (!AllSupported(layout)) return;
    // Blocks: struct { offset: long; metaDataLength: int; (pad); bodyLength: long } = 24 bytes.
    for (const int vector : {2, 3}) {
      const auto [elements, count] = footer.Vector(vector, 24);
      for (size_t k = 0; k < count; k++) {
        const int64_t offset = Load<int64_t>(fb + elements + 24 * k);
        if (offset < 8 || static_cast<uint64_t>(offset) >= footerAt) throw Malformed("a block offset of its footer is out of range");
        Message message;
        if (!ReadMessage(bytes, footerAt, static_cast<size_t>(offset), message)) throw Malformed("a block of its footer points at no message");
        if (vector == 2 && message.headerType != kDictionaryBatch) throw Malformed("a dictionary block of its footer holds another message");
        if (vector == 3 && message.headerType != kRecordBatch) throw Malformed("a record batch block of its footer holds another message");
        LayOut(message, layout);
      }
    }
    return;
  }
  layout.stream = true;
  Message message;
  if (!ReadMessage(bytes, size, 0, message) || message.headerType != kSchema) throw Malformed("it does not start with ARROW1 (file) or a schema message (stream)");
  layout.fields = ReadSchema(message.header, layout.bigEndian);
  if (!AllSupported(layout)) return;
  size_t at = message.next;
  while (ReadMessage(bytes, size, at, message)) {
    LayOut(message, layout);
    at = message.next;
  }
  return;
}

Layout Parse(const uint8_t* bytes, size_t size) {
  Layout layout;
  ReadMessages(bytes, size, layout);
  const bool compressed = std::any_of(layout.batches.begin(), layout.batches.end(), [](const BatchLayout& batch) { return batch.codec != kRaw; });
  if (compressed) DecodeBody(bytes, layout);
  CheckBatches(layout.decoded ? layout.body.data : bytes, layout);
  return layout;
}

// What readArrowIpc(path, true) builds itself: number, date and timestamp columns as float64
// values, Utf8/LargeUtf8 columns as codes + texts. The rest (booleans, decimals, half floats,
// dictionary-typed texts, the null type) JavaScript builds from the layout.
enum class Built { kNone, kFloat64, kText };

Built BuiltAs(const FieldInfo& field) {
  if (field.dictionaryId >= 0 || !field.type.supported) return Built::kNone;
  const ColumnType& type = field.type;
  if (type.kind == "int" || type.kind == "date" || type.kind == "timestamp" || (type.kind == "float" && type.precision > 0)) return Built::kFloat64;
  if (type.kind == "utf8" || type.kind == "largeUtf8") return Built::kText;
  return Built::kNone;
}

template <class T>
void CopyAs(const uint8_t* values, size_t rows, double* out) {
  for (size_t i = 0; i < rows; i++) out[i] = static_cast<double>(Load<T>(values + sizeof(T) * i));
}

// One record batch's rows of a float64-built column, with the arithmetic of table/arrow.ts (and
// copyInt64): integers and floats as they are, int64 beyond +-2^53 reported (`unsafe`: the first
// such row's value, as text), dates in epoch milliseconds, timestamps `ticks * multiply / divide`;
// NULL rows NaN.
void BuildFloat64(const uint8_t* base, const ColumnType& type, const double* column, double* out, std::string& unsafe) {
  const auto rows = static_cast<size_t>(column[0]);
  const uint8_t* values = base + static_cast<size_t>(column[4]);
  if (type.kind == "int" && type.bitWidth == 64) {
    constexpr uint64_t kSafe = uint64_t{1} << 53;
    for (size_t i = 0; i < rows; i++) {
      const uint64_t word = Load<uint64_t>(values + 8 * i);
      const bool beyond = type.isSigned ? (static_cast<int64_t>(word) > static_cast<int64_t>(kSafe) || static_cast<int64_t>(word) < -static_cast<int64_t>(kSafe)) : word > kSafe;
      // NULL rows may hold anything: they are checked after the validity below.
      out[i] = type.isSigned ? static_cast<double>(static_cast<int64_t>(word)) : static_cast<double>(word);
      if (beyond && unsafe.empty()) {
        const auto validityAt = column[2];
        const bool present = column[1] == 0 || ((base[static_cast<size_t>(validityAt) + (i >> 3)] >> (i & 7)) & 1) != 0;
        if (present) unsafe = type.isSigned ? std::to_string(static_cast<int64_t>(word)) : std::to_string(word);
      }
    }
  } else if (type.kind == "int") {
    switch (type.bitWidth * (type.isSigned ? 1 : -1)) {
      case 8: CopyAs<int8_t>(values, rows, out); break;
      case -8: CopyAs<uint8_t>(values, rows, out); break;
      case 16: CopyAs<int16_t>(values, rows, out); break;
      case -16: CopyAs<uint16_t>(values, rows, out); break;
      case 32: CopyAs<int32_t>(values, rows, out); break;
      default: CopyAs<uint32_t>(values, rows, out); break;
    }
  } else if (type.kind == "float") {
    if (type.precision == 1) {
      CopyAs<float>(values, rows, out);
    } else {
      std::memcpy(out, values, rows * sizeof(double));
    }
  } else if (type.kind == "date" && type.unit == 0) {
    for (size_t i = 0; i < rows; i++) out[i] = static_cast<double>(Load<int32_t>(values + 4 * i)) * 86'400'000;
  } else {  // date64 (milliseconds) and timestamps: int64 ticks
    const double msPerTick = type.kind == "date" ? 1 : std::array<double, 4>{1000, 1, 1e-3, 1e-6}[static_cast<size_t>(type.unit)];
    const double multiply = msPerTick < 1 ? 1 : msPerTick;
    const double divide = msPerTick < 1 ? 1 / msPerTick : 1;
    for (size_t i = 0; i < rows; i++) out[i] = static_cast<double>(Load<int64_t>(values + 8 * i)) * multiply / divide;
  }
  if (column[1] > 0) {
    const uint8_t* validity = base + static_cast<size_t>(column[2]);
    for (size_t i = 0; i < rows; i++) {
      if (((validity[i >> 3] >> (i & 7)) & 1) == 0) out[i] = std::numeric_limits<double>::quiet_NaN();
    }
  }
}

// Per field, its built column ({ values } or { unsafe }, { codes, texts }) or null: the float64
// columns side by side in one block (huge pages from 1 MB on), the text columns encoded on threads
// while this thread copies the numbers.
Napi::Array BuildColumns(Napi::Env env, const Layout& layout, const uint8_t* base) {
  size_t rows = 0;
  for (const BatchLayout& batch : layout.batches) {
    if (batch.dictionaryId < 0) rows += static_cast<size_t>(batch.rows);
  }
  std::vector<size_t> numbers, texts;
  for (size_t j = 0; j < layout.fields.size(); j++) {
    const Built built = BuiltAs(layout.fields[j]);
    if (built == Built::kFloat64) numbers.push_back(j);
    if (built == Built::kText) texts.push_back(j);
  }
  const size_t bytes = std::max<size_t>(1, numbers.size() * rows) * sizeof(double);
  Napi::ArrayBuffer block = huge_pages::NewArrayBuffer(env, bytes);
  auto* values = static_cast<double*>(block.Data());
  std::vector<std::string> unsafe(numbers.size());
  const auto copyNumbers = [&]() {
    for (size_t n = 0; n < numbers.size(); n++) {
      double* out = values + n * rows;
      for (const BatchLayout& batch : layout.batches) {
        if (batch.dictionaryId >= 0) continue;
        BuildFloat64(base, layout.fields[numbers[n]].type, batch.columns.data() + 8 * numbers[n], out, unsafe[n]);
        out += static_cast<size_t>(batch.rows);
      }
    }
  };
  std::vector<std::vector<TextChunk>> chunks(texts.size());
  for (size_t t = 0; t < texts.size(); t++) {
    const bool wide = layout.fields[texts[t]].type.kind == "largeUtf8";
    for (const BatchLayout& batch : layout.batches) {
      const double* c = batch.columns.data() + 8 * texts[t];
      if (batch.dictionaryId >= 0 || batch.rows == 0) continue;
      chunks[t].push_back(TextChunk{base + static_cast<size_t>(c[6]), static_cast<size_t>(c[7]), base + static_cast<size_t>(c[4]), wide, 0, static_cast<size_t>(batch.rows),
                                    c[1] > 0 ? base + static_cast<size_t>(c[2]) : nullptr});
    }
  }
  const Napi::Array encoded = EncodeTexts(env, std::move(chunks), rows, copyNumbers);
  Napi::Array out = Napi::Array::New(env, layout.fields.size());
  for (size_t j = 0; j < layout.fields.size(); j++) out.Set(static_cast<uint32_t>(j), env.Null());
  for (size_t n = 0; n < numbers.size(); n++) {
    Napi::Object column = Napi::Object::New(env);
    if (unsafe[n].empty()) {
      column.Set("values", Napi::Float64Array::New(env, rows, block, n * rows * sizeof(double)));
    } else {
      column.Set("unsafe", unsafe[n]);
    }
    out.Set(static_cast<uint32_t>(numbers[n]), column);
  }
  for (size_t t = 0; t < texts.size(); t++) out.Set(static_cast<uint32_t>(texts[t]), encoded.Get(static_cast<uint32_t>(t)));
  return out;
}

Napi::Object TypeObject(Napi::Env env, const ColumnType& type) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("kind", type.kind);
  out.Set("bitWidth", type.bitWidth);
  out.Set("signed", type.isSigned);
  out.Set("precision", type.precision);
  out.Set("scale", type.scale);
  out.Set("unit", type.unit);
  out.Set("timezone", type.hasTimezone ? Napi::Value(Napi::String::New(env, type.timezone)) : env.Null());
  return out;
}

}  // namespace

// readArrowIpc(path: string, build?: boolean): { bytes, stream, bigEndian, supported, compression, decoded, fields, batches, columns }
// (binding.ts documents the shape). Malformed metadata throws an Error saying what is wrong.
Napi::Value ReadArrowIpc(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const std::string path = kdap::ReadString(info, 0, "path");
    Napi::Env env = info.Env();
    huge_pages::Owned file;
    std::tie(file.data, file.size) = huge_pages::ReadWholeFile(path, file.block);
    Layout layout = Parse(file.data, file.size);
    // A compressed file's batches point into its decoded body; the file itself is then let go.
    huge_pages::Owned& bytes = layout.decoded ? layout.body : file;
    const size_t size = bytes.size;
    uint8_t* data = bytes.data;
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, data, std::max<size_t>(size, 1), huge_pages::Free, bytes.block);
    bytes.block = nullptr;  // the ArrayBuffer's now
    Napi::Object out = Napi::Object::New(env);
    out.Set("bytes", Napi::Uint8Array::New(env, size, buffer, 0));
    out.Set("stream", layout.stream);
    out.Set("bigEndian", layout.bigEndian);
    out.Set("supported", AllSupported(layout));
    out.Set("compression", layout.compression.empty() ? env.Null() : Napi::Value(Napi::String::New(env, layout.compression)));
    out.Set("decoded", layout.decoded);
    Napi::Array fields = Napi::Array::New(env, layout.fields.size());
    for (size_t j = 0; j < layout.fields.size(); j++) {
      const FieldInfo& field = layout.fields[j];
      Napi::Object f = Napi::Object::New(env);
      f.Set("name", field.name);
      f.Set("nullable", field.nullable);
      f.Set("type", TypeObject(env, field.type));
      f.Set("dictionaryId", static_cast<double>(field.dictionaryId));
      f.Set("index", field.dictionaryId >= 0 ? Napi::Value(TypeObject(env, field.index)) : env.Null());
      f.Set("supported", field.supported());
      fields.Set(static_cast<uint32_t>(j), f);
    }
    out.Set("fields", fields);
    Napi::Array batches = Napi::Array::New(env, layout.batches.size());
    for (size_t b = 0; b < layout.batches.size(); b++) {
      const BatchLayout& batch = layout.batches[b];
      Napi::Object o = Napi::Object::New(env);
      o.Set("dictionaryId", static_cast<double>(batch.dictionaryId));
      o.Set("delta", batch.delta);
      o.Set("rows", static_cast<double>(batch.rows));
      Napi::Float64Array columns = Napi::Float64Array::New(env, batch.columns.size());
      if (!batch.columns.empty()) std::memcpy(columns.Data(), batch.columns.data(), batch.columns.size() * sizeof(double));
      o.Set("columns", columns);
      batches.Set(static_cast<uint32_t>(b), o);
    }
    out.Set("batches", batches);
    const bool build = info.Length() > 1 && info[1].ToBoolean().Value();
    out.Set("columns", build && AllSupported(layout) && !(layout.compression.size() > 0 && !layout.decoded) ? Napi::Value(BuildColumns(env, layout, data)) : env.Null());
    return out;
  });
}

}  // namespace arrow_ipc

