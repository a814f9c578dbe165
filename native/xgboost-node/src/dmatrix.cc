// DMatrix bindings: creation from dense and columnar data, meta info, feature info, shape, free.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "state.h"

namespace xgbnode {

// ---------------------------------------------------------------------------------------------
// DMatrix
// ---------------------------------------------------------------------------------------------

// int XGDMatrixCreateFromDense(char const *data, char const *config, DMatrixHandle *out);
// JS: (data, nrow, ncol, missing, nthread). XGBoost copies the values, so the DMatrix does not
// borrow the JS buffer.
struct CreateArgs {
  Matrix m;
  double missing;
  int nthread;
};

CreateArgs ReadCreateArgs(const Napi::CallbackInfo& info) {
  Matrix m = ReadMatrix(info, 0, 1, 2);
  double missing = ReadMissing(info, 3);
  int nthread = static_cast<int>(kdap::ReadInt(info, 4, "nthread", -1, 4096));
  return CreateArgs{m, missing, nthread};
}

// The config of XGDMatrixCreateFromDense and XGDMatrixCreateFromColumnar.
std::string CreateConfig(double missing, int nthread) {
  return "{\"missing\":" + JsonNumber(missing) + ",\"nthread\":" + std::to_string(nthread) + "}";
}

// Owns a DMatrix XGBoost just created, with its shape (read once: the JS side checks inputs against it).
std::shared_ptr<DMatrixState> BoxNewDMatrix(DMatrixHandle out) {
  auto box = std::make_shared<DMatrixState>(out);
  bst_ulong rows = 0, cols = 0;
  Check(XGDMatrixNumRow(out, &rows), "XGDMatrixNumRow");
  Check(XGDMatrixNumCol(out, &cols), "XGDMatrixNumCol");
  box->rows = rows;
  box->cols = cols;
  return box;
}

std::shared_ptr<DMatrixState> CreateDMatrix(const void* data, const CreateArgs& a) {
  GlobalConfig::Get().Sync();
  std::string iface = ArrayInterface(data, TypeStr(a.m.view), {a.m.rows, a.m.cols});
  DMatrixHandle out = nullptr;
  Check(XGDMatrixCreateFromDense(iface.c_str(), CreateConfig(a.missing, a.nthread).c_str(), &out), "XGDMatrixCreateFromDense");
  return BoxNewDMatrix(out);
}

Napi::Value WrapDMatrix(Napi::Env env, const std::shared_ptr<DMatrixState>& box) {
  return kdap::WrapHandle<DMatrixTraits>(env, std::static_pointer_cast<DMatrixBox>(box));
}

Napi::Value DMatrixCreateFromDense(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    CreateArgs a = ReadCreateArgs(info);
    // On the XGBoost thread: XGBoost copies the values in OpenMP loops, and an OpenMP team on the
    // JS thread would make libgomp throttle the spinning of the training team (napi-common openmp.ts).
    auto box = XGBoostThread::Get().Run([&]() { return CreateDMatrix(a.m.view.data, a); });
    return WrapDMatrix(info.Env(), box);
  });
}

Napi::Value DMatrixCreateFromDenseAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<CreateArgs>(ReadCreateArgs(info));
    auto bytes = kdap::CopyInput(a->m.view);
    auto result = std::make_shared<std::shared_ptr<DMatrixState>>();
    auto* w = NewWorker(
        info.Env(), [a, bytes, result]() { *result = XGBoostThread::Get().Run([&]() { return CreateDMatrix(bytes->data(), *a); }); },
        [result](Napi::Env env) -> Napi::Value { return WrapDMatrix(env, *result); });
    return kdap::Queue(w);
  });
}

// int XGDMatrixCreateFromColumnar(char const *data, char const *config, DMatrixHandle *out);
// JS: (columns, nrow, missing, nthread); see ReadColumnar. XGBoost copies the values and keeps the
// category names with the matrix (a Booster trained on it stores them in the model).
struct ColumnarArgs {
  std::shared_ptr<Columnar> cols;
  double missing;
  int nthread;
};

ColumnarArgs ReadColumnarArgs(const Napi::CallbackInfo& info) {
  auto cols = ReadColumnar(info, 0, 1);
  double missing = ReadMissing(info, 2);
  int nthread = static_cast<int>(kdap::ReadInt(info, 3, "nthread", -1, 4096));
  return ColumnarArgs{std::move(cols), missing, nthread};
}

std::shared_ptr<DMatrixState> CreateDMatrixColumnar(const ColumnarArgs& a) {
  GlobalConfig::Get().Sync();
  std::string iface = a.cols->Interface();
  DMatrixHandle out = nullptr;
  Check(XGDMatrixCreateFromColumnar(iface.c_str(), CreateConfig(a.missing, a.nthread).c_str(), &out), "XGDMatrixCreateFromColumnar");
  return BoxNewDMatrix(out);
}

Napi::Value DMatrixCreateFromColumns(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    ColumnarArgs a = ReadColumnarArgs(info);
    auto box = XGBoostThread::Get().Run([&]() { return CreateDMatrixColumnar(a); });
    return WrapDMatrix(info.Env(), box);
  });
}

Napi::Value DMatrixCreateFromColumnsAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<ColumnarArgs>(ReadColumnarArgs(info));
    auto result = std::make_shared<std::shared_ptr<DMatrixState>>();
    auto* w = NewWorker(
        info.Env(), [a, result]() { *result = XGBoostThread::Get().Run([&]() { return CreateDMatrixColumnar(*a); }); },
        [result](Napi::Env env) -> Napi::Value { return WrapDMatrix(env, *result); });
    return kdap::Queue(w);
  });
}

// The float info fields of a DMatrix: label, weight or base_margin (else a RangeError).
std::string ReadFloatInfoField(const Napi::CallbackInfo& info, size_t index) {
  std::string field = kdap::ReadString(info, index, "field");
  if (field != "label" && field != "weight" && field != "base_margin") {
    throw ArgError{ArgError::Range, "'field' must be one of label, weight, base_margin; got '" + field + "'"};
  }
  return field;
}

// int XGDMatrixSetInfoFromInterface(DMatrixHandle handle, char const* field, char const* c_interface_str);
// JS: (dmatrix, field, data). label and weight take one value per row, base_margin rows * k
// (one column per output group); label may also have rows * k values for multi-target models.
Napi::Value DMatrixSetInfoFromInterface(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = ReadFloatInfoField(info, 1);
    ArrayView v = kdap::ReadTypedArray(info, 2, "data", {napi_float32_array, napi_float64_array});
    uint64_t rows = dm->rows;
    std::vector<uint64_t> shape;
    if (field == "weight") {
      if (v.length != rows) {
        throw ArgError{ArgError::Range, "'data' for weight must have one value per row (" + std::to_string(rows) +
                                            "), got " + std::to_string(v.length)};
      }
      shape = {rows};
    } else {
      if (rows == 0 || v.length == 0 || v.length % rows != 0) {
        throw ArgError{ArgError::Range, "'data' for " + field + " must have rows * k values (rows = " +
                                            std::to_string(rows) + "), got " + std::to_string(v.length)};
      }
      uint64_t k = v.length / rows;
      shape = k == 1 ? std::vector<uint64_t>{rows} : std::vector<uint64_t>{rows, k};
    }
    std::string iface = ArrayInterface(v.data, TypeStr(v), shape);
    XGBoostThread::Get().Run([&]() {  // OpenMP copy loops: keep them off the JS thread
      std::lock_guard<std::mutex> lock(dm->mu);
      Check(XGDMatrixSetInfoFromInterface(dm->raw, field.c_str(), iface.c_str()), "XGDMatrixSetInfoFromInterface");
    });
    return info.Env().Undefined();
  });
}

// int XGDMatrixGetFloatInfo(const DMatrixHandle handle, const char *field, bst_ulong *out_len,
//     const float **out_dptr);
Napi::Value DMatrixGetFloatInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = ReadFloatInfoField(info, 1);
    std::lock_guard<std::mutex> lock(dm->mu);
    bst_ulong len = 0;
    const float* ptr = nullptr;
    Check(XGDMatrixGetFloatInfo(dm->raw, field.c_str(), &len, &ptr), "XGDMatrixGetFloatInfo");
    auto out = Napi::Float32Array::New(info.Env(), static_cast<size_t>(len));
    if (len > 0 && ptr != nullptr) std::memcpy(out.Data(), ptr, static_cast<size_t>(len) * sizeof(float));
    return out;
  });
}


// int XGDMatrixSetStrFeatureInfo(DMatrixHandle handle, const char *field, const char **features,
//     const bst_ulong size);
Napi::Value DMatrixSetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    auto strs = kdap::ReadStringArray(info, 2, "features");
    if (strs.size() != dm->cols) {
      throw ArgError{ArgError::Range, "'features' must have one entry per column (" + std::to_string(dm->cols) +
                                          "), got " + std::to_string(strs.size())};
    }
    if (field == "feature_type") CheckFeatureTypes(strs);
    auto ptrs = Pointers(strs);
    std::lock_guard<std::mutex> lock(dm->mu);
    Check(XGDMatrixSetStrFeatureInfo(dm->raw, field.c_str(), ptrs.data(), static_cast<bst_ulong>(ptrs.size())),
          "XGDMatrixSetStrFeatureInfo");
    return info.Env().Undefined();
  });
}

// int XGDMatrixGetStrFeatureInfo(DMatrixHandle handle, const char *field, bst_ulong *size,
//     const char ***out_features);
Napi::Value DMatrixGetStrFeatureInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    std::string field = kdap::ReadString(info, 1, "field");
    CheckStrField(field);
    std::lock_guard<std::mutex> lock(dm->mu);
    bst_ulong n = 0;
    const char** strs = nullptr;
    Check(XGDMatrixGetStrFeatureInfo(dm->raw, field.c_str(), &n, &strs), "XGDMatrixGetStrFeatureInfo");
    return ToJsArray(info.Env(), CopyStrings(strs, n));
  });
}

// XGDMatrixNumRow and XGDMatrixNumCol: int (DMatrixHandle handle, bst_ulong *out).
static Napi::Value DMatrixCount(const Napi::CallbackInfo& info, int (*count)(DMatrixHandle, bst_ulong*), const char* function) {
  return Guard(info, [&]() -> Napi::Value {
    auto dm = ReadDMatrix(info, 0, "dmatrix");
    bst_ulong n = 0;
    Check(count(dm->raw, &n), function);
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
}

// int XGDMatrixNumRow(DMatrixHandle handle, bst_ulong *out);
Napi::Value DMatrixNumRow(const Napi::CallbackInfo& info) { return DMatrixCount(info, XGDMatrixNumRow, "XGDMatrixNumRow"); }

// int XGDMatrixNumCol(DMatrixHandle handle, bst_ulong *out);
Napi::Value DMatrixNumCol(const Napi::CallbackInfo& info) { return DMatrixCount(info, XGDMatrixNumCol, "XGDMatrixNumCol"); }

// int XGDMatrixFree(DMatrixHandle handle);  -- deferred until no worker uses it.
Napi::Value DMatrixFree(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), kdap::DisposeHandle<DMatrixTraits>(info, 0, "dmatrix"));
  });
}

}  // namespace xgbnode
