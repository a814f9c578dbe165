// Arguments in, results out: array interfaces, dense and columnar inputs, shaped results.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "convert.h"

namespace xgbnode {

/** A JSON number as XGBoost's parser reads it; NaN is spelled as Python's json module does. */
std::string JsonNumber(double d) {
  if (std::isnan(d)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* TypeStr(const ArrayView& a) { return a.type == napi_float32_array ? "<f4" : "<f8"; }

/** The __array_interface__ document XGBoost reads dense data and meta info from (read-only). */
std::string ArrayInterface(const void* data, const char* typestr, std::vector<uint64_t> shape) {
  std::string s = "{\"data\":[" + std::to_string(reinterpret_cast<uintptr_t>(data)) + ",true],\"shape\":[";
  for (size_t i = 0; i < shape.size(); i++) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "],\"typestr\":\"" + typestr + "\",\"version\":3}";
}

Matrix ReadMatrix(const Napi::CallbackInfo& info, size_t dataIdx, size_t rowsIdx, size_t colsIdx) {
  ArrayView v = kdap::ReadTypedArray(info, dataIdx, "data", {napi_float32_array, napi_float64_array});
  int64_t rows = kdap::ReadInt(info, rowsIdx, "nrow", 1, INT32_MAX);
  int64_t cols = kdap::ReadInt(info, colsIdx, "ncol", 1, INT32_MAX);
  size_t need = kdap::CheckedProduct(rows, cols, "nrow * ncol");
  if (v.length != need) {
    throw ArgError{ArgError::Range, "'data' must hold nrow * ncol = " + std::to_string(rows) + " * " +
                                        std::to_string(cols) + " = " + std::to_string(need) +
                                        " values, got " + std::to_string(v.length)};
  }
  return Matrix{v, static_cast<uint64_t>(rows), static_cast<uint64_t>(cols)};
}

/**
 * JS: columns (an array of Float32Array | Float64Array | { categories: string[], codes: Int32Array })
 * and nrow. Everything is validated and copied here, on the JS thread: category names must be
 * unique, codes in [-1, categories.length).
 */
std::shared_ptr<Columnar> ReadColumnar(const Napi::CallbackInfo& info, size_t colsIdx, size_t rowsIdx) {
  Napi::Value v = kdap::Arg(info, colsIdx);
  int64_t rows = kdap::ReadInt(info, rowsIdx, "nrow", 1, INT32_MAX);
  if (!v.IsArray()) throw ArgError{ArgError::Type, "'columns' must be an array of columns, got " + kdap::Describe(v)};
  Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() == 0) throw ArgError{ArgError::Range, "'columns' must hold at least one column"};
  auto out = std::make_shared<Columnar>();
  out->rows = static_cast<uint64_t>(rows);
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    std::string at = "'columns[" + std::to_string(k) + "]'";
    Columnar::Column col;
    if (e.IsTypedArray()) {
      Napi::TypedArray ta = e.As<Napi::TypedArray>();
      napi_typedarray_type t = ta.TypedArrayType();
      if (t != napi_float32_array && t != napi_float64_array) {
        throw ArgError{ArgError::Type, at + " must be a Float32Array or Float64Array, got a " + kdap::TypedArrayName(t)};
      }
      bool detached = false;
      napi_is_detached_arraybuffer(info.Env(), ta.ArrayBuffer(), &detached);
      if (detached) throw ArgError{ArgError::Type, at + " is backed by a detached ArrayBuffer"};
      if (ta.ElementLength() != out->rows) {
        throw ArgError{ArgError::Range, at + " must have one value per row (" + std::to_string(rows) + "), got " + std::to_string(ta.ElementLength())};
      }
      ArrayView view{t, ta.ElementLength(), static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset()};
      col.type = t;
      col.numeric = kdap::CopyInput(view);
    } else if (e.IsObject() && !e.IsArray()) {
      Napi::Object o = e.As<Napi::Object>();
      Napi::Value cats = o.Get("categories");
      Napi::Value codes = o.Get("codes");
      if (!cats.IsArray()) throw ArgError{ArgError::Type, at + ".categories must be an array of strings, got " + kdap::Describe(cats)};
      if (!codes.IsTypedArray() || codes.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
        throw ArgError{ArgError::Type, at + ".codes must be an Int32Array, got " + kdap::Describe(codes)};
      }
      Napi::Array names = cats.As<Napi::Array>();
      col.categorical = true;
      col.categories = names.Length();
      col.offsets.reserve(names.Length() + 1);
      col.offsets.push_back(0);
      std::vector<std::string> seen;
      seen.reserve(names.Length());
      for (uint32_t c = 0; c < names.Length(); c++) {
        Napi::Value n = names.Get(c);
        if (!n.IsString()) throw ArgError{ArgError::Type, at + ".categories[" + std::to_string(c) + "] must be a string, got " + kdap::Describe(n)};
        std::string name = n.As<Napi::String>().Utf8Value();
        col.names += name;
        if (col.names.size() > static_cast<size_t>(INT32_MAX)) throw ArgError{ArgError::Range, at + ".categories is too large"};
        col.offsets.push_back(static_cast<int32_t>(col.names.size()));
        seen.push_back(std::move(name));
      }
      std::vector<std::string> sorted = seen;
      std::sort(sorted.begin(), sorted.end());
      auto dup = std::adjacent_find(sorted.begin(), sorted.end());
      if (dup != sorted.end()) throw ArgError{ArgError::Range, at + ".categories must be unique, '" + *dup + "' appears twice"};
      Napi::TypedArray ta = codes.As<Napi::TypedArray>();
      bool detached = false;
      napi_is_detached_arraybuffer(info.Env(), ta.ArrayBuffer(), &detached);
      if (detached) throw ArgError{ArgError::Type, at + ".codes is backed by a detached ArrayBuffer"};
      if (ta.ElementLength() != out->rows) {
        throw ArgError{ArgError::Range, at + ".codes must have one code per row (" + std::to_string(rows) + "), got " + std::to_string(ta.ElementLength())};
      }
      const int32_t* p = reinterpret_cast<const int32_t*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
      col.codes.resize(out->rows);
      for (uint64_t r = 0; r < out->rows; r++) {
        int32_t c = p[r];
        if (c < -1 || c >= static_cast<int64_t>(col.categories)) {
          throw ArgError{ArgError::Range, at + ".codes[" + std::to_string(r) + "] must be -1 (missing) or a category index below " +
                                              std::to_string(col.categories) + ", got " + std::to_string(c)};
        }
        col.codes[r] = c < 0 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(c);
      }
      out->anyCategorical = true;
    } else {
      throw ArgError{ArgError::Type, at + " must be a Float32Array, Float64Array or { categories, codes }, got " + kdap::Describe(e)};
    }
    out->cols.push_back(std::move(col));
  }
  return out;
}

/** The value standing for "missing": NaN or a finite number (XGBoost's JSON has no Infinity). */
double ReadMissing(const Napi::CallbackInfo& info, size_t i) {
  double m = kdap::ReadNumber(info, i, "missing");
  if (std::isinf(m)) throw ArgError{ArgError::Range, "'missing' must be NaN or a finite number, got " + kdap::JsNumberText(m)};
  return m;
}

Napi::Array ToJsArray(Napi::Env env, const std::vector<std::string>& names) {
  Napi::Array arr = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); i++) arr.Set(i, names[i]);
  return arr;
}

std::vector<std::string> CopyStrings(const char** strs, bst_ulong n) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (bst_ulong i = 0; i < n; i++) out.emplace_back(strs[i] ? strs[i] : "");
  return out;
}

Shaped CopyShaped(const bst_ulong* shape, bst_ulong dim, const float* values) {
  Shaped s;
  size_t n = dim == 0 ? 0 : 1;
  for (bst_ulong i = 0; i < dim; i++) {
    s.shape.push_back(static_cast<uint64_t>(shape[i]));
    n *= static_cast<size_t>(shape[i]);
  }
  s.values.assign(values, values + n);
  return s;
}

Napi::Object ToJs(Napi::Env env, Shaped&& s) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array shape = Napi::Array::New(env, s.shape.size());
  for (uint32_t i = 0; i < s.shape.size(); i++) shape.Set(i, Napi::Number::New(env, static_cast<double>(s.shape[i])));
  o.Set("shape", shape);
  o.Set("values", kdap::AdoptVector(env, std::move(s.values)));
  return o;
}

void CheckStrField(const std::string& field) {
  if (field != "feature_name" && field != "feature_type") {
    throw ArgError{ArgError::Range, "'field' must be feature_name or feature_type; got '" + field + "'"};
  }
}

void CheckFeatureTypes(const std::vector<std::string>& types) {
  for (size_t i = 0; i < types.size(); i++) {
    const std::string& t = types[i];
    if (t != "q" && t != "i" && t != "int" && t != "float" && t != "c") {
      throw ArgError{ArgError::Range, "'features[" + std::to_string(i) + "]' must be a feature type (q, i, int, float, c), got '" + t + "'"};
    }
  }
}

std::vector<const char*> Pointers(const std::vector<std::string>& strs) {
  std::vector<const char*> p;
  p.reserve(strs.size());
  for (auto& s : strs) p.push_back(s.c_str());
  return p;
}

}  // namespace xgbnode
