// The addon's huge-page allocations as JavaScript sees them (huge_pages.h says why).
#include "huge_pages.h"

#include <kdap/napi_common.h>

namespace huge_pages {

Napi::Value ReadFile(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const std::string path = kdap::ReadString(info, 0, "path");
    Block* block = nullptr;
    const auto [data, size] = ReadWholeFile(path, block);
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(info.Env(), data, std::max<size_t>(size, 1), Free, block);
    return Napi::Uint8Array::New(info.Env(), size, buffer, 0);
  });
}

Napi::Value AllocateFloat64(const Napi::CallbackInfo& info) {
  return kdap::Guard(info, [&]() -> Napi::Value {
    const int64_t length = kdap::ReadInt(info, 0, "length", 0, int64_t{1} << 40);
    const size_t bytes = static_cast<size_t>(length) * sizeof(double);
    void* data = nullptr;
    Block* block = Allocate(bytes, data);
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(info.Env(), data, std::max<size_t>(bytes, 1), Free, block);
    return Napi::Float64Array::New(info.Env(), static_cast<size_t>(length), buffer, 0);
  });
}

}  // namespace huge_pages
