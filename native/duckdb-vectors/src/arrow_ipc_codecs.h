// Compressed Arrow IPC bodies (BodyCompression, method BUFFER): each buffer is an int64 with its
// uncompressed length (-1: the bytes follow uncompressed) and an LZ4 frame or a ZSTD frame. The
// decoders are the LZ4 and ZSTD that libduckdb carries (its own C++ namespaces), looked up when the
// addon attaches, as the Parquet reader's are: no codec library of our own to build or ship.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace arrow_ipc {

// CompressionType of Message.fbs; kRaw: a buffer stored uncompressed (length prefix -1).
enum Codec : int8_t { kRaw = -1, kLz4Frame = 0, kZstd = 1 };

// Empty when buffers of `codec` can be decoded here, else why not (for the error message).
std::string CodecProblem(int codec);

// One buffer of a compressed body: `source` (after the length prefix) decoded into exactly
// `length` bytes at `target`.
struct DecodeJob {
  const uint8_t* source;
  size_t sourceLength;
  int8_t codec;  // Codec
  uint8_t* target;
  size_t length;
  const std::string* column;  // the buffer's column, for errors
};

// Runs the jobs, on up to as many threads as cores when they hold enough bytes to pay for a
// thread. A frame that is malformed, fails its checksum or decodes to another length than its
// prefix stated throws std::runtime_error naming the buffer's column and what is wrong.
void Decode(const std::vector<DecodeJob>& jobs);

}  // namespace arrow_ipc
