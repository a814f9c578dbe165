// tokenizeCsv: a plain CSV file's data lines into columns without DuckDB (csv_tokenizer.cc).
#pragma once

#include <napi.h>

namespace csv_tokenizer {

// tokenizeCsv(source: Uint8Array | path, start, width, delimiter, maxRows, missing?):
// Promise<{ rows, kinds, values, codes, texts, numbers } | null>, the work off the JavaScript thread
Napi::Value TokenizeCsv(const Napi::CallbackInfo& info);

}  // namespace csv_tokenizer
