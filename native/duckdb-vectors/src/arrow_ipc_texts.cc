// encodeTextColumns: an Arrow file's Utf8/LargeUtf8 columns dictionary-encoded by their bytes, the
// columns at once on the machine's threads, their codes written into one huge-page block.
//
// Why: encoded one column per call (one thread, V8-allocated codes, as before), the two 230-code
// text columns of a 200,000-row file took ~5 ms each of a ~20 ms read (docs/benchmarks.md, issue
// 14); pandas' pyarrow reader converts columns on a thread pool. Each column keeps its own
// Dictionary (no shared state between threads); the texts are sorted into JavaScript's string
// order on the column's thread too (SortDictionary), so JavaScript gets sorted categories and no
// remap of the codes is left for it to do.
#include "arrow_ipc.h"
#include "arrow_ipc_texts.h"

#include "huge_pages.h"
#include "scan_columns.h"

#include <kdap/napi_common.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace arrow_ipc {
namespace {

using kdap::ArgError;

constexpr size_t kThreadFrom = 16384;  // rows per column from which columns get threads of their own

struct EncodedColumn {
  std::vector<TextChunk> chunks;
  int32_t* codes = nullptr;  // `total` codes inside the shared block
  duckdb_vectors::Dictionary dictionary;
  duckdb_vectors::SortedTexts sorted;
  bool isSorted = false;
  std::string error;  // set by the column's thread instead of throwing across it
};

struct TypedView {
  napi_typedarray_type type;
  size_t length;
  const uint8_t* data;
};

TypedView ViewOf(Napi::Value value, const std::string& what) {
  if (!value.IsTypedArray()) throw ArgError{ArgError::Type, what + " must be a typed array, got " + kdap::Describe(value)};
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  return TypedView{array.TypedArrayType(), array.ElementLength(), static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset()};
}

// Reads column `j`'s chunks ([bytes, offsets, first, rows, validity] each) and checks that their
// rows add up to `total`; the offsets themselves are checked on the column's thread.
std::vector<TextChunk> ReadChunks(Napi::Value value, size_t j, size_t total) {
  const std::string column = "column " + std::to_string(j);
  if (!value.IsArray()) throw ArgError{ArgError::Type, "'columns' must hold an array of chunks per column; " + column + " is " + kdap::Describe(value)};
  Napi::Array chunks = value.As<Napi::Array>();
  std::vector<TextChunk> out;
  size_t rows = 0;
  for (uint32_t p = 0; p < chunks.Length(); p++) {
    Napi::Value chunkValue = chunks.Get(p);
    if (!chunkValue.IsArray()) throw ArgError{ArgError::Type, "chunk " + std::to_string(p) + " of " + column + " must be an array [bytes, offsets, first, rows, validity]"};
    Napi::Array chunk = chunkValue.As<Napi::Array>();
    const TypedView bytes = ViewOf(chunk.Get(0u), "'bytes' of chunk " + std::to_string(p) + " of " + column);
    const TypedView offsets = ViewOf(chunk.Get(1u), "'offsets' of chunk " + std::to_string(p) + " of " + column);
    if (bytes.type != napi_uint8_array) throw ArgError{ArgError::Type, "'bytes' of chunk " + std::to_string(p) + " of " + column + " must be a Uint8Array"};
    if (offsets.type != napi_int32_array && offsets.type != napi_bigint64_array) {
      throw ArgError{ArgError::Type, "'offsets' of chunk " + std::to_string(p) + " of " + column + " must be an Int32Array or BigInt64Array"};
    }
    const double first = chunk.Get(2u).ToNumber().DoubleValue();
    const double count = chunk.Get(3u).ToNumber().DoubleValue();
    if (!(first >= 0) || !(count >= 0) || first != static_cast<double>(static_cast<size_t>(first)) || count != static_cast<double>(static_cast<size_t>(count)) ||
        first + count + 1 > static_cast<double>(offsets.length) || static_cast<double>(rows) + count > static_cast<double>(total)) {
      throw ArgError{ArgError::Range, "chunk " + std::to_string(p) + " of " + column + ": first/rows do not fit its offsets or 'total'"};
    }
    TextChunk text{bytes.data, bytes.length, offsets.data, offsets.type == napi_bigint64_array, static_cast<size_t>(first), static_cast<size_t>(count), nullptr};
    Napi::Value validity = chunk.Get(4u);
    if (!validity.IsNull() && !validity.IsUndefined()) {
      const TypedView bits = ViewOf(validity, "'validity' of chunk " + std::to_string(p) + " of " + column);
      if (bits.type != napi_uint8_array || bits.length * 8 < text.first + text.rows) {
        throw ArgError{ArgError::Range, "'validity' of chunk " + std::to_string(p) + " of " + column + " must be a Uint8Array with a bit per row"};
      }
      text.validity = bits.data;
    }
    rows += text.rows;
    out.push_back(text);
  }
  if (rows != total) throw ArgError{ArgError::Range, column + " holds " + std::to_string(rows) + " rows, not 'total' (" + std::to_string(total) + ")"};
  return out;
}

// Codes of texts of up to 8 bytes by their bytes read as one 64-bit word, in front of the
// column's Dictionary. Why: Dictionary::Code builds a 16-byte key image with a variable-length
// memcpy and loads it back, a store-forwarding stall on every row (perf: ~37% of the encoding,
// ~30 ns a row on the 200,000-row file's 3-letter codes); a hit here is a masked load, a multiply
// and a compare (~3-5 ns). Direct-mapped: a slot taken by another text is a miss that asks the
// Dictionary and takes the slot.
class ShortTextCache {
 public:
  ShortTextCache() : slots_(kSlots) {}

  // The code of bytes[start, start + length), length <= 8, with 8 bytes readable at start.
  int32_t Code(duckdb_vectors::Dictionary& dictionary, const uint8_t* text, uint32_t length) {
    uint64_t word;
    std::memcpy(&word, text, 8);
    word &= length == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * length)) - 1;
    Slot& slot = slots_[((word + length) * 0x9E3779B97F4A7C15ULL) >> (64 - kBits)];
    if (slot.code >= 0 && slot.word == word && slot.length == length) return slot.code;
    const int32_t code = dictionary.Code(reinterpret_cast<const char*>(text), length);
    slot = Slot{word, length, code};
    return code;
  }

 private:
  static constexpr int kBits = 12;
  static constexpr size_t kSlots = size_t{1} << kBits;
  struct Slot {
    uint64_t word = 0;
    uint32_t length = 0;
    int32_t code = -1;
  };
  std::vector<Slot> slots_;
};

// Checks each row's offsets as it goes (ascending, within the chunk's bytes) and writes its code.
template <bool kWide>
void EncodeChunk(const TextChunk& chunk, size_t c, duckdb_vectors::Dictionary& dictionary, ShortTextCache& cache, int32_t*& out) {
  const auto offsetAt = [&](size_t k) -> int64_t {
    if constexpr (kWide) {
      int64_t value;
      std::memcpy(&value, chunk.offsets + k * 8, 8);
      return value;
    } else {
      int32_t value;
      std::memcpy(&value, chunk.offsets + k * 4, 4);
      return value;
    }
  };
  const auto bad = [&](size_t i) {
    return ArgError{ArgError::Range, "the offsets of chunk " + std::to_string(c) + " are not ascending within its bytes (row " + std::to_string(i) + ")"};
  };
  const auto byteLength = static_cast<int64_t>(chunk.byteLength);
  int64_t start = offsetAt(chunk.first);
  if (start < 0 || start > byteLength) throw bad(0);
  for (size_t i = 0; i < chunk.rows; i++) {
    const size_t k = chunk.first + i;
    const int64_t end = offsetAt(k + 1);
    if (end < start || end > byteLength) throw bad(i + 1);
    const int64_t length = end - start;
    if (length > std::numeric_limits<uint32_t>::max()) throw ArgError{ArgError::Range, "a text longer than 4 GB"};
    if (chunk.validity != nullptr && ((chunk.validity[k >> 3] >> (k & 7)) & 1) == 0) {
      *out++ = -1;
    } else if (length <= 8 && start + 8 <= byteLength) {
      *out++ = cache.Code(dictionary, chunk.bytes + start, static_cast<uint32_t>(length));
    } else {
      *out++ = dictionary.Code(reinterpret_cast<const char*>(chunk.bytes + start), static_cast<uint32_t>(length));
    }
    start = end;
  }
}

// On a column's thread: checks the offsets while it encodes, then sorts. Touches only `column`.
void Encode(EncodedColumn& column, size_t total) {
  ShortTextCache cache;
  int32_t* out = column.codes;
  for (size_t c = 0; c < column.chunks.size(); c++) {
    const TextChunk& chunk = column.chunks[c];
    if (chunk.wide) {
      EncodeChunk<true>(chunk, c, column.dictionary, cache, out);
    } else {
      EncodeChunk<false>(chunk, c, column.dictionary, cache, out);
    }
  }
  column.isSorted = duckdb_vectors::SortDictionary(column.dictionary, column.codes, total, column.sorted);
}

void EncodeCaught(EncodedColumn& column, size_t total) {
  try {
    Encode(column, total);
  } catch (const ArgError& e) {
    column.error = e.message;
  } catch (const std::exception& e) {
    column.error = e.what();
  }
}

// The columns of one call and who has taken which; helpers hold it as long as they run.
struct SharedWork {
  explicit SharedWork(size_t count) : columns(count) {}
  std::vector<EncodedColumn> columns;
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::condition_variable finished;
  size_t done = 0;  // columns encoded, under `mutex`
};

napi_value TextString(Napi::Env env, const char* data, size_t length) {
  bool ascii = true;
  for (size_t b = 0; b < length && ascii; b++) ascii = static_cast<uint8_t>(data[b]) < 0x80;
  napi_value text;
  // ASCII is Latin-1: V8 copies it as a one-byte string without decoding UTF-8.
  const napi_status status = ascii ? napi_create_string_latin1(env, data, length, &text) : napi_create_string_utf8(env, data, length, &text);
  if (status != napi_ok) throw std::runtime_error("cannot create a text of " + std::to_string(length) + " bytes");
  return text;
}

}  // namespace

Napi::Value EncodeTextColumns(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    if (!kdap::Arg(info, 0).IsArray()) throw ArgError{ArgError::Type, "'columns' must be an array, got " + kdap::Describe(kdap::Arg(info, 0))};
    const auto total = static_cast<size_t>(kdap::ReadInt(info, 1, "total", 0, (int64_t{1} << 31) - 1));
    Napi::Array given = info[0].As<Napi::Array>();
    std::vector<std::vector<TextChunk>> chunks(given.Length());
    for (size_t j = 0; j < chunks.size(); j++) chunks[j] = ReadChunks(given.Get(static_cast<uint32_t>(j)), j, total);
    return EncodeTexts(info.Env(), std::move(chunks), total, nullptr);
  });
}

Napi::Array EncodeTexts(Napi::Env env, std::vector<std::vector<TextChunk>> chunks, size_t total, const std::function<void()>& alongside) {
  const size_t count = chunks.size();
  // Shared with the helper threads, which may outlive this call (see below).
  auto shared = std::make_shared<SharedWork>(count);
  std::vector<EncodedColumn>& columns = shared->columns;
  for (size_t j = 0; j < count; j++) columns[j].chunks = std::move(chunks[j]);

  // One block for every column's codes; from 1 MB on in huge pages (first writes fault per 2 MB).
  void* memory = nullptr;
  huge_pages::Block* block = huge_pages::Allocate(std::max<size_t>(1, count * total) * sizeof(int32_t), memory);
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, memory, std::max<size_t>(1, count * total) * sizeof(int32_t), huge_pages::Free, block);
  for (size_t j = 0; j < count; j++) columns[j].codes = static_cast<int32_t*>(memory) + j * total;

  // The columns go to the threads in turn; this thread takes its share, so one column uses none.
  // This thread waits for the columns, not for the helpers: on a busy machine a helper may get a
  // core only after this thread has encoded every column (joining it then cost ~10 ms at load 6,
  // more than the column it was meant to take); it then finds no column left and ends.
  const auto work = [shared, total]() {
    for (size_t j = shared->next++; j < shared->columns.size(); j = shared->next++) {
      EncodeCaught(shared->columns[j], total);
      std::lock_guard<std::mutex> lock(shared->mutex);
      if (++shared->done == shared->columns.size()) shared->finished.notify_all();
    }
  };
  // Small columns stay on this thread: a thread's start (tens of microseconds) pays off only
  // against columns of tens of thousands of rows (~5-10 ns a row).
  // `alongside` (other columns' work) runs on this thread meanwhile, so it counts as a column.
  const size_t threads = total < kThreadFrom ? 1 : std::min<size_t>(count + (alongside ? 1 : 0), std::max<unsigned>(1, std::thread::hardware_concurrency()));
  for (size_t t = 1; t < threads; t++) std::thread(work).detach();
  // Nothing may leave before the columns are done: helpers write into `buffer`.
  std::exception_ptr failure;
  try {
    if (alongside) alongside();
  } catch (...) {
    failure = std::current_exception();
  }
  work();
  {
    std::unique_lock<std::mutex> lock(shared->mutex);
    shared->finished.wait(lock, [&] { return shared->done == count; });
  }
  if (failure) std::rethrow_exception(failure);

  Napi::Array out = Napi::Array::New(env, count);
  for (size_t j = 0; j < count; j++) {
    EncodedColumn& column = columns[j];
    if (!column.error.empty()) throw ArgError{ArgError::Range, "column " + std::to_string(j) + ": " + column.error};
    Napi::Object result = Napi::Object::New(env);
    result.Set("codes", Napi::Int32Array::New(env, total, buffer, j * total * sizeof(int32_t)));
    Napi::Array texts;
    if (column.isSorted) {
      const duckdb_vectors::SortedTexts& sorted = column.sorted;
      texts = Napi::Array::New(env, sorted.count);
      for (size_t k = 0; k < sorted.count; k++) {
        const auto at = static_cast<size_t>(sorted.offsets[k]);
        texts.Set(static_cast<uint32_t>(k), Napi::Value(env, TextString(env, reinterpret_cast<const char*>(sorted.bytes + at), static_cast<size_t>(sorted.offsets[k + 1]) - at)));
      }
    } else {
      const auto& values = column.dictionary.values();
      texts = Napi::Array::New(env, values.size());
      for (size_t k = 0; k < values.size(); k++) texts.Set(static_cast<uint32_t>(k), Napi::Value(env, TextString(env, values[k].data(), values[k].size())));
    }
    result.Set("texts", texts);
    out.Set(static_cast<uint32_t>(j), result);
  }
  return out;
}

}  // namespace arrow_ipc
