// Decoding of compressed Arrow IPC buffers (arrow_ipc_codecs.h): LZ4 frames (the format pandas'
// and pyarrow's `to_feather` write by default) parsed here, their blocks decoded by libduckdb's
// LZ4 block decoder; ZSTD frames by libduckdb's ZSTD. Every length is checked before a byte is
// written: a damaged buffer is an error, never a write past its target.
#include "arrow_ipc_codecs.h"

#include "libduckdb_codecs.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace arrow_ipc {
namespace {

using Codecs = duckdb_vectors::LibduckdbCodecs;

uint32_t Load32(const uint8_t* p) {
  uint32_t value;
  std::memcpy(&value, p, 4);
  return value;
}

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr uint32_t kLz4Magic = 0x184D2204;
constexpr size_t kLz4Window = 64 * 1024;  // how far back a linked block's matches may reach

// Decodes the LZ4 frame(s) in source into exactly `length` bytes at target.
void DecodeLz4Frames(const Codecs& c, const uint8_t* source, size_t n, uint8_t* target, size_t length) {
  size_t p = 0;
  size_t out = 0;
  const auto need = [&](size_t bytes, const char* what) {
    if (bytes > n - p) throw Failure(std::string("its LZ4 frame ends inside ") + what);
  };
  while (p < n) {
    need(4, "a frame's magic number");
    const uint32_t magic = Load32(source + p);
    if ((magic & 0xFFFFFFF0u) == 0x184D2A50u) {  // a skippable frame: its size, then that many bytes
      p += 4;
      need(4, "a skippable frame's size");
      const uint32_t size = Load32(source + p);
      p += 4;
      need(size, "a skippable frame");
      p += size;
      continue;
    }
    if (magic != kLz4Magic) throw Failure("it is not an LZ4 frame (magic number " + std::to_string(magic) + ")");
    p += 4;
    const size_t descriptor = p;
    need(3, "its frame descriptor");
    const uint8_t flags = source[p];
    const uint8_t blockByte = source[p + 1];
    if ((flags >> 6) != 1 || (flags & 0x02) != 0 || (blockByte & 0x8F) != 0) throw Failure("its LZ4 frame descriptor has an unknown version or reserved bits set");
    const int sizeId = (blockByte >> 4) & 7;
    if (sizeId < 4) throw Failure("its LZ4 frame descriptor has an unknown block size");
    const size_t blockMax = size_t{1} << (8 + 2 * sizeId);  // 4: 64 KB .. 7: 4 MB
    const bool linked = (flags & 0x20) == 0;
    const bool blockChecksums = (flags & 0x10) != 0;
    const bool hasContentSize = (flags & 0x08) != 0;
    const bool contentChecksum = (flags & 0x04) != 0;
    if ((flags & 0x01) != 0) throw Failure("its LZ4 frame needs a dictionary (a dictionary id is set), which Arrow never writes");
    p += 2;
    uint64_t contentSize = 0;
    if (hasContentSize) {
      need(8, "its frame descriptor");
      std::memcpy(&contentSize, source + p, 8);
      p += 8;
    }
    need(1, "its frame descriptor");
    if (((c.xxh32(source + descriptor, p - descriptor, 0) >> 8) & 0xFF) != source[p]) throw Failure("its LZ4 frame descriptor fails its checksum");
    p += 1;
    const size_t frameStart = out;
    for (;;) {
      need(4, "a block size");
      const uint32_t word = Load32(source + p);
      p += 4;
      if (word == 0) break;  // end mark
      const size_t size = word & 0x7FFFFFFFu;
      if (size > blockMax) throw Failure("an LZ4 block is larger than its frame's block size");
      need(size, "a block");
      if (blockChecksums) {
        if (4 > n - p - size) throw Failure("its LZ4 frame ends inside a block checksum");
        if (c.xxh32(source + p, size, 0) != Load32(source + p + size)) throw Failure("an LZ4 block fails its checksum");
      }
      const size_t room = std::min(blockMax, length - out);
      if ((word & 0x80000000u) != 0) {  // stored uncompressed
        if (size > room) throw Failure("its LZ4 blocks hold more bytes than the buffer's stated length");
        std::memcpy(target + out, source + p, size);
        out += size;
      } else {
        const size_t prefix = linked ? std::min(kLz4Window, out - frameStart) : 0;
        const int got = prefix == 0 ? c.lz4Decode(reinterpret_cast<const char*>(source + p), reinterpret_cast<char*>(target + out), static_cast<int>(size), static_cast<int>(room))
                                    : c.lz4DecodeWithPrefix(reinterpret_cast<const char*>(source + p), reinterpret_cast<char*>(target + out), static_cast<int>(size), static_cast<int>(room),
                                                            reinterpret_cast<const char*>(target + out - prefix), static_cast<int>(prefix));
        if (got < 0) throw Failure("an LZ4 block is corrupt or decodes to more bytes than the buffer's stated length");
        out += static_cast<size_t>(got);
      }
      p += size + (blockChecksums ? 4 : 0);
    }
    if (hasContentSize && contentSize != out - frameStart) throw Failure("its LZ4 frame decodes to another size than its header states");
    if (contentChecksum) {
      need(4, "its content checksum");
      if (c.xxh32(target + frameStart, out - frameStart, 0) != Load32(source + p)) throw Failure("its LZ4 frame fails its content checksum");
      p += 4;
    }
  }
  if (out != length) throw Failure("it decodes to " + std::to_string(out) + " bytes, not the " + std::to_string(length) + " its length prefix states");
}

void DecodeZstd(const Codecs& c, void*& context, const uint8_t* source, size_t n, uint8_t* target, size_t length) {
  if (context == nullptr) context = c.zstdCreate();
  if (context == nullptr) throw std::bad_alloc();
  const size_t got = c.zstdDecompress(context, target, length, source, n);
  if (c.zstdIsError(got) != 0) throw Failure("its ZSTD frame is corrupt or decodes to more bytes than its length prefix states");
  if (got != length) throw Failure("it decodes to " + std::to_string(got) + " bytes, not the " + std::to_string(length) + " its length prefix states");
}

constexpr size_t kThreadFrom = size_t{4} << 20;  // decoded bytes from which threads pay for themselves

}  // namespace

std::string CodecProblem(int codec) {
  const Codecs* c = duckdb_vectors::Codecs();
  if (codec == kRaw) return std::string();
  if (codec != kLz4Frame && codec != kZstd) return "codec " + std::to_string(codec) + " is not one Arrow defines (LZ4_FRAME 0, ZSTD 1)";
  if (c == nullptr) return "the addon is not attached to DuckDB, whose LZ4 and ZSTD it decodes with";
  if (codec == kLz4Frame && (c->lz4Decode == nullptr || c->lz4DecodeWithPrefix == nullptr || c->xxh32 == nullptr)) return "the attached DuckDB library exports no LZ4 decoder";
  if (codec == kZstd && (!c->HasZstd())) return "the attached DuckDB library exports no ZSTD decoder";
  return std::string();
}

void Decode(const std::vector<DecodeJob>& jobs) {
  const Codecs* codecs = duckdb_vectors::Codecs();
  size_t total = 0;
  for (const DecodeJob& job : jobs) {
    const std::string problem = CodecProblem(job.codec);
    if (!problem.empty()) throw std::runtime_error("column '" + *job.column + "' cannot be decoded here: " + problem);
    total += job.length;
  }
  // Helpers may get a core only after this thread has decoded everything (a busy machine): this
  // thread waits for the jobs, not for them, and a late helper finds none left and ends.
  struct Shared {
    explicit Shared(const std::vector<DecodeJob>& given) : jobs(given) {}
    std::vector<DecodeJob> jobs;
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::condition_variable finished;
    size_t done = 0;    // under `mutex`
    std::string error;  // the first failure, under `mutex`
  };
  auto shared = std::make_shared<Shared>(jobs);
  const auto work = [shared, codecs]() {
    void* zstd = nullptr;
    for (size_t k = shared->next++; k < shared->jobs.size(); k = shared->next++) {
      const DecodeJob& job = shared->jobs[k];
      std::string error;
      try {
        if (job.codec == kRaw) {
          if (job.sourceLength != job.length) throw Failure("its uncompressed bytes are not its stated length");
          std::memcpy(job.target, job.source, job.length);
        } else if (job.codec == kLz4Frame) {
          DecodeLz4Frames(*codecs, job.source, job.sourceLength, job.target, job.length);
        } else {
          DecodeZstd(*codecs, zstd, job.source, job.sourceLength, job.target, job.length);
        }
      } catch (const std::exception& e) {
        error = "a compressed buffer of column '" + *job.column + "': " + e.what();
      }
      std::lock_guard<std::mutex> lock(shared->mutex);
      if (shared->error.empty()) shared->error = error;
      if (++shared->done == shared->jobs.size()) shared->finished.notify_all();
    }
    if (zstd != nullptr) codecs->zstdFree(zstd);
  };
  const size_t threads = total < kThreadFrom ? 1 : std::min<size_t>(jobs.size(), std::max<unsigned>(1, std::thread::hardware_concurrency()));
  for (size_t t = 1; t < threads; t++) std::thread(work).detach();
  work();
  std::unique_lock<std::mutex> lock(shared->mutex);
  shared->finished.wait(lock, [&] { return shared->done == shared->jobs.size(); });
  if (!shared->error.empty()) throw std::runtime_error(shared->error);
}

}  // namespace arrow_ipc
