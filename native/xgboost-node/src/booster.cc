// Booster bindings: creation, parameters, rounds and features, importance, slicing, attributes,
// feature info, free.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "state.h"

namespace xgbnode {

// ---------------------------------------------------------------------------------------------
// Booster
// ---------------------------------------------------------------------------------------------

// int XGBoosterCreate(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle *out);
// XGBoost caches predictions per DMatrix through weak references, so the booster does not keep
// these matrices alive (as in the Python package); workers hold what they use while they run.
Napi::Value BoosterCreate(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dmats = ReadDMatrixArray(info, 0, "dmats");
    auto box = OnXGBoostThread([&]() {
      std::vector<DMatrixHandle> raw;
      std::vector<DMatrixBox*> boxes;
      for (auto& d : dmats) {
        raw.push_back(d->raw);
        boxes.push_back(d.get());
      }
      DMatrixLocks locks(boxes);
      BoosterHandle out = nullptr;
      Check(XGBoosterCreate(raw.empty() ? nullptr : raw.data(), static_cast<bst_ulong>(raw.size()), &out), "XGBoosterCreate");
      return NewBoosterState(out, false);
    });
    return WrapBooster(info.Env(), box);
  });
}

// int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value);
Napi::Value BoosterSetParam(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string name = kdap::ReadString(info, 1, "name");
    std::string value = kdap::ReadString(info, 2, "value");
    if (name.empty()) throw ArgError{ArgError::Range, "'name' must not be empty"};
    OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      b->CheckUsable();
      b->Check(XGBoosterSetParam(b->raw, name.c_str(), value.c_str()), "XGBoosterSetParam");
    });
    return info.Env().Undefined();
  });
}

// int XGBoosterBoostedRounds(BoosterHandle handle, int* out);
Napi::Value BoosterBoostedRounds(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    int rounds = OnXGBoostThread([&]() {
      std::shared_lock<std::shared_mutex> lock(b->rw);
      return Rounds(b.get());
    });
    return Napi::Number::New(info.Env(), rounds);
  });
}

// int XGBoosterGetNumFeature(BoosterHandle handle, bst_ulong *out);
Napi::Value BoosterGetNumFeature(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    uint64_t n = OnXGBoostThread([&]() {
      std::shared_lock<std::shared_mutex> lock(b->rw);
      return NumFeature(b.get());
    });
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
}

// int XGBoosterFeatureScore(BoosterHandle handle, const char *config, bst_ulong *out_n_features,
//     char const ***out_features, bst_ulong *out_dim, bst_ulong const **out_shape,
//     float const **out_scores);
// JS: (booster, importanceType) => { features, shape, values }.
Napi::Value BoosterFeatureScore(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string type = kdap::ReadString(info, 1, "importanceType");
    if (type != "weight" && type != "gain" && type != "cover" && type != "total_gain" && type != "total_cover") {
      throw ArgError{ArgError::Range, "'importanceType' must be one of weight, gain, cover, total_gain, total_cover; got '" + type + "'"};
    }
    std::string config = "{\"importance_type\":" + JsonString(type) + "}";
    std::vector<std::string> names;
    Shaped s = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      if (!b->initialized || Rounds(b.get()) == 0) {
        throw ArgError{ArgError::Range, "the Booster has no boosted rounds yet: train or load a model first"};
      }
      bst_ulong nFeatures = 0, dim = 0;
      const char** features = nullptr;
      const bst_ulong* shape = nullptr;
      const float* scores = nullptr;
      b->Check(XGBoosterFeatureScore(b->raw, config.c_str(), &nFeatures, &features, &dim, &shape, &scores), "XGBoosterFeatureScore");
      names = CopyStrings(features, nFeatures);
      return CopyShaped(shape, dim, scores);
    });
    Napi::Object o = ToJs(info.Env(), std::move(s));
    o.Set("features", ToJsArray(info.Env(), names));
    return o;
  });
}

// int XGBoosterSlice(BoosterHandle handle, int begin_layer, int end_layer, int step, BoosterHandle *out);
Napi::Value BoosterSlice(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    int begin = static_cast<int>(kdap::ReadInt(info, 1, "beginLayer", 0, INT32_MAX));
    int end = static_cast<int>(kdap::ReadInt(info, 2, "endLayer", 0, INT32_MAX));
    int step = static_cast<int>(kdap::ReadInt(info, 3, "step", 1, INT32_MAX));
    auto sliced = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      int rounds = b->initialized ? Rounds(b.get()) : 0;
      if (rounds == 0) throw ArgError{ArgError::Range, "the Booster has no boosted rounds to slice"};
      int effectiveEnd = end == 0 ? rounds : end;
      if (effectiveEnd > rounds) {
        throw ArgError{ArgError::Range, "'endLayer' must be at most the number of boosted rounds (" + std::to_string(rounds) +
                                            "), got " + std::to_string(end)};
      }
      if (begin >= effectiveEnd) {
        throw ArgError{ArgError::Range, "'beginLayer' must be less than the end of the slice (" + std::to_string(effectiveEnd) +
                                            "), got " + std::to_string(begin)};
      }
      BoosterHandle out = nullptr;
      b->Check(XGBoosterSlice(b->raw, begin, end, step, &out), "XGBoosterSlice");
      return NewBoosterState(out, true);
    });
    return WrapBooster(info.Env(), sliced);
  });
}

// int XGBoosterSetAttr(BoosterHandle handle, const char* key, const char* value);
// JS: (booster, key, value | null); null deletes the attribute.
Napi::Value BoosterSetAttr(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string key = kdap::ReadString(info, 1, "key");
    bool remove = kdap::Arg(info, 2).IsNull();
    std::string value = remove ? std::string() : kdap::ReadString(info, 2, "value");
    OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      b->Check(XGBoosterSetAttr(b->raw, key.c_str(), remove ? nullptr : value.c_str()), "XGBoosterSetAttr");
    });
    return info.Env().Undefined();
  });
}

// int XGBoosterGetAttr(BoosterHandle handle, const char* key, const char** out, int *success);
Napi::Value BoosterGetAttr(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string key = kdap::ReadString(info, 1, "key");
    std::unique_ptr<std::string> value = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      const char* out = nullptr;
      int success = 0;
      b->Check(XGBoosterGetAttr(b->raw, key.c_str(), &out, &success), "XGBoosterGetAttr");
      return success && out != nullptr ? std::make_unique<std::string>(out) : std::unique_ptr<std::string>();
    });
    if (!value) return info.Env().Null();
    return Napi::String::New(info.Env(), *value);
  });
}

// int XGBoosterSetStrFeatureInfo(BoosterHandle handle, const char *field, const char **features,
//     const bst_ulong size);
Napi::Value BoosterSetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    auto strs = kdap::ReadStringArray(info, 2, "features");
    if (field == "feature_type") CheckFeatureTypes(strs);
    OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      if (b->initialized && Rounds(b.get()) > 0) {
        uint64_t nfeat = NumFeature(b.get());
        if (strs.size() != nfeat) {
          throw ArgError{ArgError::Range, "'features' must have one entry per model feature (" + std::to_string(nfeat) +
                                              "), got " + std::to_string(strs.size())};
        }
      }
      auto ptrs = Pointers(strs);
      b->Check(XGBoosterSetStrFeatureInfo(b->raw, field.c_str(), ptrs.data(), static_cast<bst_ulong>(ptrs.size())),
               "XGBoosterSetStrFeatureInfo");
    });
    return info.Env().Undefined();
  });
}

// int XGBoosterGetStrFeatureInfo(BoosterHandle handle, const char *field, bst_ulong *len,
//     const char ***out_features);
Napi::Value BoosterGetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto b = ReadBooster(info, 0, "booster");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    auto names = OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      bst_ulong n = 0;
      const char** strs = nullptr;
      b->Check(XGBoosterGetStrFeatureInfo(b->raw, field.c_str(), &n, &strs), "XGBoosterGetStrFeatureInfo");
      return CopyStrings(strs, n);
    });
    return ToJsArray(info.Env(), names);
  });
}

// int XGBoosterFree(BoosterHandle handle);  -- on the XGBoost thread, once no worker uses it.
Napi::Value BoosterFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<BoosterTraits>(info, 0, "booster"));
  });
}

}  // namespace xgbnode
