// Layer 1: a thin binding of the XGBoost C API. Every function validates its JS arguments before
// any C call, so bad input becomes a ParameterError (@kdap/errors) and never reaches XGBoost. Library
// failures become NativeError with the message from XGBGetLastError read on the failing thread.
//
// Built against XGBoost 3.2 (native/xgboost-node/xgboost.json): the array-interface entry points
// (dense and columnar, with categorical columns given as category names + codes), never the
// deprecated XGDMatrixCreateFromMat / XGBoosterPredict family.
//
// This file registers the module; the bindings live by concern in dmatrix.cc, booster.cc,
// train.cc, predict.cc, model_io.cc and library.cc, on the thread and handle states of
// xgb_thread.h and state.h.
#include <kdap/napi_common.h>

#include <memory>
#include <mutex>

#include "bindings.h"
#include "state.h"

namespace xgbnode {
namespace {

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  XGBoostThread::Get();  // registers the executor's per-thread setup before any call
  auto* st = new kdap::EnvState();
  st->library = "XGBoost";
  env.SetInstanceData<kdap::EnvState>(st);
  // An environment that goes away (a worker thread) takes its logger with it.
  env.AddCleanupHook([e = static_cast<napi_env>(env)]() {
    std::shared_ptr<LogSink> gone;
    {
      std::lock_guard<std::mutex> lock(gLogMu);
      if (gLogSink && gLogSink->env == e) gone = std::move(gLogSink);
    }
    if (gone) gone->tsfn.Abort();
  });

#define EXPORT(name, fn) exports.Set(name, Napi::Function::New(env, fn, name))
  EXPORT("init", kdap::InitErrorClasses);
  exports.Set("smallBatchCopies", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(gSmallBatchCopies.load()));
  }, "smallBatchCopies"));
  exports.Set("nativeAucEvaluations", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(gNativeAucEvaluations.load()));
  }, "nativeAucEvaluations"));
  exports.Set("idleInputBytes", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(kdap::InputBufferPool::Instance().IdleBytes()));
  }, "idleInputBytes"));
  exports.Set("liveHandles", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return kdap::LiveHandles<DMatrixTraits, BoosterTraits>(info.Env());
  }, "liveHandles"));
  EXPORT("setLogger", SetLogger);
  EXPORT("version", Version);
  EXPORT("buildInfo", BuildInfo);
  EXPORT("setGlobalConfig", SetGlobalConfig);
  EXPORT("getGlobalConfig", GetGlobalConfig);
  EXPORT("dmatrixCreateFromDense", DMatrixCreateFromDense);
  EXPORT("dmatrixCreateFromDenseAsync", DMatrixCreateFromDenseAsync);
  EXPORT("dmatrixCreateFromColumns", DMatrixCreateFromColumns);
  EXPORT("dmatrixCreateFromColumnsAsync", DMatrixCreateFromColumnsAsync);
  EXPORT("dmatrixSetInfoFromInterface", DMatrixSetInfoFromInterface);
  EXPORT("dmatrixGetFloatInfo", DMatrixGetFloatInfo);
  EXPORT("dmatrixSetStrFeatureInfo", DMatrixSetStrFeatureInfo);
  EXPORT("dmatrixGetStrFeatureInfo", DMatrixGetStrFeatureInfo);
  EXPORT("dmatrixNumRow", DMatrixNumRow);
  EXPORT("dmatrixNumCol", DMatrixNumCol);
  EXPORT("dmatrixFree", DMatrixFree);
  EXPORT("boosterCreate", BoosterCreate);
  EXPORT("boosterSetParam", BoosterSetParam);
  EXPORT("boosterUpdateOneIter", BoosterUpdateOneIter);
  EXPORT("boosterUpdateOneIterAsync", BoosterUpdateOneIterAsync);
  EXPORT("boosterEvalOneIter", BoosterEvalOneIter);
  EXPORT("boosterEvalOneIterAsync", BoosterEvalOneIterAsync);
  EXPORT("boosterTrainAsync", BoosterTrainAsync);
  EXPORT("boosterBoostedRounds", BoosterBoostedRounds);
  EXPORT("boosterGetNumFeature", BoosterGetNumFeature);
  EXPORT("boosterPredictFromDense", BoosterPredictFromDense);
  EXPORT("boosterPredictFromDenseAsync", BoosterPredictFromDenseAsync);
  EXPORT("boosterPredictFromColumns", BoosterPredictFromColumns);
  EXPORT("boosterPredictFromColumnsAsync", BoosterPredictFromColumnsAsync);
  EXPORT("boosterGetCategories", BoosterGetCategories);
  EXPORT("boosterPredictFromDMatrix", BoosterPredictFromDMatrix);
  EXPORT("boosterPredictFromDMatrixAsync", BoosterPredictFromDMatrixAsync);
  EXPORT("boosterSaveModelToBuffer", BoosterSaveModelToBuffer);
  EXPORT("boosterLoadModelFromBuffer", BoosterLoadModelFromBuffer);
  EXPORT("boosterFeatureScore", BoosterFeatureScore);
  EXPORT("boosterSlice", BoosterSlice);
  EXPORT("boosterSetAttr", BoosterSetAttr);
  EXPORT("boosterGetAttr", BoosterGetAttr);
  EXPORT("boosterSetStrFeatureInfo", BoosterSetStrFeatureInfo);
  EXPORT("boosterGetStrFeatureInfo", BoosterGetStrFeatureInfo);
  EXPORT("boosterFree", BoosterFree);
#undef EXPORT
  return exports;
}

}  // namespace
}  // namespace xgbnode

using xgbnode::Module;  // NODE_API_MODULE pastes the name into identifiers
NODE_API_MODULE(xgboost_node, Module)
