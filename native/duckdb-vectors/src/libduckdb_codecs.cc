#include "libduckdb_codecs.h"

#include <dlfcn.h>

#include <atomic>

namespace duckdb_vectors {
namespace {

std::atomic<const LibduckdbCodecs*> gCodecs{nullptr};

template <class F>
void Symbol(void* library, const char* name, F*& out) {
  out = reinterpret_cast<F*>(dlsym(library, name));
}

}  // namespace

void AttachLibduckdbCodecs(void* library) {
  if (gCodecs.load() != nullptr) return;
  auto* codecs = new LibduckdbCodecs();  // process lifetime, like the library
  // Mangled names of libduckdb's bundled copies.
  Symbol(library, "_ZN11duckdb_zstd15ZSTD_createDCtxEv", codecs->zstdCreate);
  Symbol(library, "_ZN11duckdb_zstd13ZSTD_freeDCtxEPNS_11ZSTD_DCtx_sE", codecs->zstdFree);
  Symbol(library, "_ZN11duckdb_zstd19ZSTD_decompressDCtxEPNS_11ZSTD_DCtx_sEPvmPKvm", codecs->zstdDecompress);
  Symbol(library, "_ZN11duckdb_zstd12ZSTD_isErrorEm", codecs->zstdIsError);
  Symbol(library, "_ZN11duckdb_zstd5XXH32EPKvmj", codecs->xxh32);
  Symbol(library, "_ZN13duckdb_snappy21GetUncompressedLengthEPKcmPm", codecs->snappyLength);
  Symbol(library, "_ZN13duckdb_snappy13RawUncompressEPKcmPc", codecs->snappyUncompress);
  Symbol(library, "_ZN10duckdb_lz419LZ4_decompress_safeEPKcPcii", codecs->lz4Decode);
  Symbol(library, "_ZN10duckdb_lz429LZ4_decompress_safe_usingDictEPKcPciiS1_i", codecs->lz4DecodeWithPrefix);
  gCodecs.store(codecs);
}

const LibduckdbCodecs* Codecs() { return gCodecs.load(); }

}  // namespace duckdb_vectors
