// Model I/O: saving and loading models (checked by model_check.h first) and the category names a
// model stores.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "model_check.h"
#include "state.h"

namespace xgbnode {

// int XGBoosterGetCategoriesExportToArrow(BoosterHandle handle, char const *config,
//     CategoriesHandle *out, char const **export_out);  int XGBCategoriesFree(CategoriesHandle);
// JS: (booster) => Array<string[] | null>: the category names the model stores for each feature
// (null for a numeric feature); an empty array when the model stores none.
std::vector<std::unique_ptr<std::vector<std::string>>> ReadCategoryExport(const char* text) {
  std::vector<std::unique_ptr<std::vector<std::string>>> out;
  if (text == nullptr) return out;
  kdap_xgb::Doc doc;
  try {
    doc = kdap_xgb::JsonParser(reinterpret_cast<const uint8_t*>(text), std::strlen(text)).Parse();
  } catch (const kdap_xgb::ModelError& e) {
    throw LibFailure{"XGBoosterGetCategoriesExportToArrow", -1, "unreadable category export: " + e.message};
  }
  auto bad = [](const std::string& what) { return LibFailure{"XGBoosterGetCategoriesExportToArrow", -1, "unexpected category export: " + what}; };
  // {"data": [address, readonly], "shape": [n], "typestr": ...}
  auto buffer = [&](const kdap_xgb::Doc* aif, const char* typestr, size_t* n) -> const uint8_t* {
    if (aif == nullptr || aif->kind != kdap_xgb::Doc::Object) throw bad("missing array interface");
    const kdap_xgb::Doc* data = aif->Get("data");
    const kdap_xgb::Doc* shape = aif->Get("shape");
    const kdap_xgb::Doc* type = aif->Get("typestr");
    // Byte order marks vary ('|i1', '<i1'); the kind and size must match (names may be unsigned bytes).
    const std::string want(typestr);
    bool ok = type != nullptr && type->kind == kdap_xgb::Doc::String && type->text.size() == 3 &&
              type->text.substr(1) == want.substr(1);
    if (!ok && want == "|i1") ok = type != nullptr && type->kind == kdap_xgb::Doc::String && type->text.size() == 3 && type->text.substr(1) == "u1";
    if (!ok) throw bad("typestr " + (type && type->kind == kdap_xgb::Doc::String ? type->text : std::string("(missing)")) + ", expected " + want);
    if (shape == nullptr || shape->kind != kdap_xgb::Doc::Numbers || shape->numbers.size() != 1) throw bad("shape");
    *n = static_cast<size_t>(shape->numbers[0]);
    double addr = 0;
    if (data != nullptr && data->kind == kdap_xgb::Doc::Array && !data->items.empty() && data->items[0].kind == kdap_xgb::Doc::Number) {
      addr = data->items[0].number;
    } else if (data != nullptr && data->kind == kdap_xgb::Doc::Numbers && !data->numbers.empty()) {
      addr = data->numbers[0];
    } else {
      throw bad("data");
    }
    return reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(addr));
  };
  if (doc.kind == kdap_xgb::Doc::Null) return out;
  if (doc.kind != kdap_xgb::Doc::Array && doc.kind != kdap_xgb::Doc::Numbers) throw bad("not a list");
  for (const kdap_xgb::Doc& f : doc.items) {
    if (f.kind == kdap_xgb::Doc::Null) {
      out.emplace_back();
      continue;
    }
    const kdap_xgb::Doc* offsets = f.Get("offsets");
    if (offsets == nullptr) throw bad("numeric category names are not supported");
    size_t nOff = 0, nVal = 0;
    const int32_t* off = reinterpret_cast<const int32_t*>(buffer(offsets, "<i4", &nOff));
    const char* val = reinterpret_cast<const char*>(buffer(f.Get("values"), "|i1", &nVal));
    if (nOff > 0 && off == nullptr) throw bad("offsets without data");
    auto names = std::make_unique<std::vector<std::string>>();
    for (size_t i = 0; i + 1 < nOff; i++) {
      int32_t a = off[i], z = off[i + 1];
      if (a < 0 || z < a || static_cast<size_t>(z) > nVal) throw bad("offsets out of range");
      names->emplace_back(val + a, val + z);
    }
    out.push_back(std::move(names));
  }
  return out;
}

Napi::Value BoosterGetCategories(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    auto cats = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      if (!b->initialized) throw ArgError{ArgError::Range, "the Booster has no model yet: train or load one first"};
      CategoriesHandle h = nullptr;
      const char* text = nullptr;
      b->Check(XGBoosterGetCategoriesExportToArrow(b->raw, nullptr, &h, &text), "XGBoosterGetCategoriesExportToArrow");
      try {
        auto parsed = ReadCategoryExport(text);
        XGBCategoriesFree(h);
        return parsed;
      } catch (...) {
        XGBCategoriesFree(h);
        throw;
      }
    });
    Napi::Env env = info.Env();
    Napi::Array arr = Napi::Array::New(env, cats.size());
    for (uint32_t i = 0; i < cats.size(); i++) {
      if (cats[i]) {
        arr.Set(i, ToJsArray(env, *cats[i]));
      } else {
        arr.Set(i, env.Null());
      }
    }
    return arr;
  });
}

// int XGBoosterSaveModelToBuffer(BoosterHandle handle, char const *config, bst_ulong *out_len,
//     char const **out_dptr);
// JS: (booster, format: 'json' | 'ubj') => Uint8Array.
Napi::Value BoosterSaveModelToBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string format = kdap::ReadString(info, 1, "format");
    if (format != "json" && format != "ubj") throw ArgError{ArgError::Range, "'format' must be 'json' or 'ubj', got '" + format + "'"};
    std::string config = "{\"format\":\"" + format + "\"}";
    std::vector<char> bytes = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      bst_ulong len = 0;
      const char* data = nullptr;
      b->Check(XGBoosterSaveModelToBuffer(b->raw, config.c_str(), &len, &data), "XGBoosterSaveModelToBuffer");
      return data == nullptr ? std::vector<char>() : std::vector<char>(data, data + len);
    });
    auto out = Napi::Uint8Array::New(info.Env(), bytes.size());
    if (!bytes.empty()) std::memcpy(out.Data(), bytes.data(), bytes.size());
    return out;
  });
}

// int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const void *buf, bst_ulong len);
// JSON or UBJSON (XGBoost tells them apart by the first bytes); checked by model_check.h first.
Napi::Value BoosterLoadModelFromBuffer(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    ArrayView buf = kdap::ReadTypedArray(info, 1, "buf", {napi_uint8_array});
    if (buf.length < 2) throw ArgError{ArgError::Range, "'buf' must hold a saved model, got " + std::to_string(buf.length) + " bytes"};
    // XGBoost 1.7 crashes on truncated or corrupted models: check the structure it relies on first.
    try {
      kdap_xgb::CheckModel(static_cast<const uint8_t*>(buf.data), buf.length);
    } catch (const kdap_xgb::ModelError& e) {
      throw ArgError{ArgError::Range, "'buf' is " + e.message};
    }
    OnXGBoostThread([&]() {  // the JS thread waits, so the buffer stays put
      ModelWriteLock lock(b.get());
      b->Check(XGBoosterLoadModelFromBuffer(b->raw, buf.data, static_cast<bst_ulong>(buf.length)), "XGBoosterLoadModelFromBuffer");
      b->initialized = true;
    });
    return info.Env().Undefined();
  });
}

}  // namespace xgbnode
