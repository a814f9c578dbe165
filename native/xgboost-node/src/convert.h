// Arguments in, results out: array-interface JSON for XGBoost, dense and columnar inputs read and
// checked from JS, shaped results and string lists copied back.
#pragma once

#include <xgboost/c_api.h>

#include <kdap/napi_common.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "state.h"

namespace xgbnode {

/** A JSON number as XGBoost's parser reads it; NaN is spelled as Python's json module does. */
std::string JsonNumber(double d);

std::string JsonString(const std::string& s);

const char* TypeStr(const ArrayView& a);

/** The __array_interface__ document XGBoost reads dense data and meta info from (read-only). */
std::string ArrayInterface(const void* data, const char* typestr, std::vector<uint64_t> shape);

/** A dense row-major matrix argument: rows, cols and data of exactly rows * cols values. */
struct Matrix {
  ArrayView view;
  uint64_t rows;
  uint64_t cols;
};

Matrix ReadMatrix(const Napi::CallbackInfo& info, size_t dataIdx, size_t rowsIdx, size_t colsIdx);

// ---------------------------------------------------------------------------------------------
// Columnar input: one entry per column, a numeric typed array or a categorical column given as its
// category names and one code per row (-1 = missing), XGBoost's arrow-style "dictionary" input
// (XGDMatrixCreateFromColumnar). XGBoost stores the names in the model and, at prediction, re-codes
// the input's categories by name, so codes of one data set need not match another's.
// ---------------------------------------------------------------------------------------------

struct Columnar {
  struct Column {
    bool categorical = false;
    std::shared_ptr<kdap::InputCopy> numeric;  // numeric: a private copy of the values
    napi_typedarray_type type = napi_float32_array;
    std::vector<int32_t> offsets;  // categorical: arrow string offsets into names
    std::string names;             // categorical: the names, concatenated (UTF-8)
    std::vector<float> codes;      // categorical: one code per row, NaN = missing
    uint32_t categories = 0;
  };
  uint64_t rows = 0;
  std::vector<Column> cols;
  bool anyCategorical = false;

  /** The JSON list of array interfaces XGBoost reads (pointers into this object). */
  std::string Interface() const {
    std::string s = "[";
    for (size_t i = 0; i < cols.size(); i++) {
      const Column& c = cols[i];
      if (i) s += ",";
      if (!c.categorical) {
        s += ArrayInterface(c.numeric->data(), c.type == napi_float32_array ? "<f4" : "<f8", {rows});
        continue;
      }
      // An empty names buffer still needs a valid address.
      const void* names = c.names.empty() ? static_cast<const void*>(&c.offsets[0]) : static_cast<const void*>(c.names.data());
      s += "[{\"offsets\":" + ArrayInterface(c.offsets.data(), "<i4", {c.offsets.size()}) +
           ",\"values\":" + ArrayInterface(names, "|i1", {c.names.size()}) + "}," +
           ArrayInterface(c.codes.data(), "<f4", {rows}) + "]";
    }
    return s + "]";
  }
};

/**
 * JS: columns (an array of Float32Array | Float64Array | { categories: string[], codes: Int32Array })
 * and nrow. Everything is validated and copied here, on the JS thread: category names must be
 * unique, codes in [-1, categories.length).
 */
std::shared_ptr<Columnar> ReadColumnar(const Napi::CallbackInfo& info, size_t colsIdx, size_t rowsIdx);

/** The value standing for "missing": NaN or a finite number (XGBoost's JSON has no Infinity). */
double ReadMissing(const Napi::CallbackInfo& info, size_t i);

Napi::Array ToJsArray(Napi::Env env, const std::vector<std::string>& names);

std::vector<std::string> CopyStrings(const char** strs, bst_ulong n);

/** A prediction or score array copied out of XGBoost's thread-local buffer, with its shape. */
struct Shaped {
  std::vector<uint64_t> shape;
  std::vector<float> values;
};

Shaped CopyShaped(const bst_ulong* shape, bst_ulong dim, const float* values);

/** { shape, values }: the values become a Float32Array over s's memory (moved, not copied). */
Napi::Object ToJs(Napi::Env env, Shaped&& s);

void CheckStrField(const std::string& field);

void CheckFeatureTypes(const std::vector<std::string>& types);

std::vector<const char*> Pointers(const std::vector<std::string>& strs);

}  // namespace xgbnode
