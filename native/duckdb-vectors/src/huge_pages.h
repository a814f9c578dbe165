// Memory for a read's large buffers: anonymous mappings advised for transparent huge pages.
//
// Measured on this project's 2-core Firecracker VM (THP "madvise"): the first touch of 10.8 MB of
// malloc'ed (or V8-allocated) memory costs 15-27 ms, a page fault per 4 KB; of huge-page-advised
// memory 1.6-1.8 ms; a warm copy of it 1.3 ms. pandas' readers allocate through pyarrow's pool,
// which uses huge pages, so a file's buffer and a Table's output columns come from here.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <napi.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace huge_pages {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugeFrom = size_t{1} << 20;  // smaller blocks gain nothing from a 2 MB page

struct Block {
  void* mapping;
  size_t mapped;
};

// An ArrayBuffer finalizer (env and data unused).
inline void Free(Napi::Env, void*, Block* block) {
  ::munmap(block->mapping, block->mapped);
  delete block;
}

// A block not handed to JavaScript yet: unmapped when this goes out of scope (an error on the way),
// unless `block` was given to an ArrayBuffer and set to nullptr.
struct Owned {
  Block* block = nullptr;
  uint8_t* data = nullptr;
  size_t size = 0;

  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  Owned(Owned&& other) noexcept : block(other.block), data(other.data), size(other.size) { other.block = nullptr; }
  Owned& operator=(Owned&& other) noexcept {
    std::swap(block, other.block);
    std::swap(data, other.data);
    std::swap(size, other.size);
    return *this;
  }
  ~Owned() {
    if (block != nullptr) {
      ::munmap(block->mapping, block->mapped);
      delete block;
    }
  }
};

// `bytes` (at least 1) of zeroed memory in *data. From kHugeFrom on it is 2 MB-aligned and advised
// as whole huge pages (the last may be up to half unused: RSS counts it, at most 1 MB per block).
inline Block* Allocate(size_t bytes, void*& data) {
  bytes = std::max<size_t>(bytes, 1);
  const bool huge = bytes >= kHugeFrom;
  const size_t rounded = huge ? (bytes + kHugePage - 1) & ~(kHugePage - 1) : bytes;
  const size_t mapped = huge ? rounded + kHugePage : bytes;
  void* mapping = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) throw std::bad_alloc();
  auto* at = static_cast<uint8_t*>(mapping);
  if (huge) {
    at = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(at) + kHugePage - 1) & ~(kHugePage - 1));
    ::madvise(at, rounded, MADV_HUGEPAGE);  // advice only: without THP the memory works the same
  }
  data = at;
  return new Block{mapping, mapped};
}

// A zeroed ArrayBuffer of `bytes`: V8's own below kHugeFrom, else an external one from Allocate.
inline Napi::ArrayBuffer NewArrayBuffer(Napi::Env env, size_t bytes) {
  if (bytes < kHugeFrom) return Napi::ArrayBuffer::New(env, bytes);
  void* data = nullptr;
  Block* block = Allocate(bytes, data);
  return Napi::ArrayBuffer::New(env, data, bytes, Free, block);
}

// The whole file at `path` in one block (one read per 1 GB); *block owns it.
inline std::pair<uint8_t*, size_t> ReadWholeFile(const std::string& path, Block*& block) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open it: " + std::string(std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    throw std::runtime_error("cannot stat it: " + std::string(std::strerror(error)));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* memory = nullptr;
  try {
    block = Allocate(size, memory);
  } catch (...) {
    ::close(fd);
    throw;
  }
  auto* data = static_cast<uint8_t*>(memory);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, std::min<size_t>(size - done, size_t{1} << 30), static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : 0;
      ::close(fd);
      ::munmap(block->mapping, block->mapped);
      delete block;
      throw std::runtime_error(error != 0 ? "cannot read it: " + std::string(std::strerror(error)) : "it shrank while being read");
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return {data, size};
}

// readFile(path): Uint8Array, the whole file in one huge-page block.
Napi::Value ReadFile(const Napi::CallbackInfo& info);
// allocateFloat64(length): a zeroed Float64Array in a block from Allocate.
Napi::Value AllocateFloat64(const Napi::CallbackInfo& info);

}  // namespace huge_pages
