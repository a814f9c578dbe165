// The binding functions addon.cc registers, one declaration per export, grouped by the file that
// defines them.
#pragma once

#include <kdap/napi_common.h>

#include <atomic>
#include <cstdint>

namespace xgbnode {

// library.cc
Napi::Value SetLogger(const Napi::CallbackInfo& info);
Napi::Value Version(const Napi::CallbackInfo& info);
Napi::Value BuildInfo(const Napi::CallbackInfo& info);
Napi::Value SetGlobalConfig(const Napi::CallbackInfo& info);
Napi::Value GetGlobalConfig(const Napi::CallbackInfo& info);

// dmatrix.cc
Napi::Value DMatrixCreateFromDense(const Napi::CallbackInfo& info);
Napi::Value DMatrixCreateFromDenseAsync(const Napi::CallbackInfo& info);
Napi::Value DMatrixCreateFromColumns(const Napi::CallbackInfo& info);
Napi::Value DMatrixCreateFromColumnsAsync(const Napi::CallbackInfo& info);
Napi::Value DMatrixSetInfoFromInterface(const Napi::CallbackInfo& info);
Napi::Value DMatrixGetFloatInfo(const Napi::CallbackInfo& info);
Napi::Value DMatrixSetStrFeatureInfo(const Napi::CallbackInfo& info);
Napi::Value DMatrixGetStrFeatureInfo(const Napi::CallbackInfo& info);
Napi::Value DMatrixNumRow(const Napi::CallbackInfo& info);
Napi::Value DMatrixNumCol(const Napi::CallbackInfo& info);
Napi::Value DMatrixFree(const Napi::CallbackInfo& info);

// booster.cc
Napi::Value BoosterCreate(const Napi::CallbackInfo& info);
Napi::Value BoosterSetParam(const Napi::CallbackInfo& info);
Napi::Value BoosterBoostedRounds(const Napi::CallbackInfo& info);
Napi::Value BoosterGetNumFeature(const Napi::CallbackInfo& info);
Napi::Value BoosterFeatureScore(const Napi::CallbackInfo& info);
Napi::Value BoosterSlice(const Napi::CallbackInfo& info);
Napi::Value BoosterSetAttr(const Napi::CallbackInfo& info);
Napi::Value BoosterGetAttr(const Napi::CallbackInfo& info);
Napi::Value BoosterSetStrFeatureInfo(const Napi::CallbackInfo& info);
Napi::Value BoosterGetStrFeatureInfo(const Napi::CallbackInfo& info);
Napi::Value BoosterFree(const Napi::CallbackInfo& info);

// train.cc
Napi::Value BoosterUpdateOneIter(const Napi::CallbackInfo& info);
Napi::Value BoosterUpdateOneIterAsync(const Napi::CallbackInfo& info);
Napi::Value BoosterEvalOneIter(const Napi::CallbackInfo& info);
Napi::Value BoosterEvalOneIterAsync(const Napi::CallbackInfo& info);
Napi::Value BoosterTrainAsync(const Napi::CallbackInfo& info);

// predict.cc
Napi::Value BoosterPredictFromDense(const Napi::CallbackInfo& info);
Napi::Value BoosterPredictFromDenseAsync(const Napi::CallbackInfo& info);
Napi::Value BoosterPredictFromColumns(const Napi::CallbackInfo& info);
Napi::Value BoosterPredictFromColumnsAsync(const Napi::CallbackInfo& info);
Napi::Value BoosterPredictFromDMatrix(const Napi::CallbackInfo& info);
Napi::Value BoosterPredictFromDMatrixAsync(const Napi::CallbackInfo& info);

// model_io.cc
Napi::Value BoosterGetCategories(const Napi::CallbackInfo& info);
Napi::Value BoosterSaveModelToBuffer(const Napi::CallbackInfo& info);
Napi::Value BoosterLoadModelFromBuffer(const Napi::CallbackInfo& info);

/** Copies of models made for small batches (a debug counter for tests, like liveHandles; predict.cc). */
extern std::atomic<int64_t> gSmallBatchCopies;

/** Evaluation sets whose AUC the training loop computed itself (binary_auc.h; a debug counter for tests; train.cc). */
extern std::atomic<int64_t> gNativeAucEvaluations;

}  // namespace xgbnode
