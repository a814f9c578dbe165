// Text columns of Arrow buffers dictionary-encoded by their bytes (arrow_ipc_texts.cc): what
// encodeTextColumns does for JavaScript's chunks and readArrowIpc for a file's own columns.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace arrow_ipc {

// One chunk of a text column: row i is bytes[offsets[first + i], offsets[first + i + 1]), NULL
// where validity bit first + i is 0. The memory stays alive for the call (it is synchronous).
struct TextChunk {
  const uint8_t* bytes;
  size_t byteLength;
  const uint8_t* offsets;
  bool wide;  // int64 offsets (LargeUtf8), else int32
  size_t first;
  size_t rows;
  const uint8_t* validity;
};

// Encodes each column (its chunks hold `total` rows) on up to as many threads as cores, while
// `alongside` (may be empty) runs on the calling thread: [{ codes, texts }] per column, the codes
// in one block (-1 for NULL), the texts sorted into JavaScript's string order. Offsets that do not
// ascend within their bytes throw kdap::ArgError naming the column and chunk.
Napi::Array EncodeTexts(Napi::Env env, std::vector<std::vector<TextChunk>> chunks, size_t total, const std::function<void()>& alongside);

}  // namespace arrow_ipc
