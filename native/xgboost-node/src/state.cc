// Handle states: reading Booster and DMatrix handles from arguments, last errors, model queries.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <memory>
#include <string>
#include <vector>

#include "state.h"

namespace xgbnode {

/** XGBoost's message for the last failure on this thread, without the native backtrace it appends. */
std::string LastError() {
  std::string m = XGBGetLastError();
  size_t cut = m.find("\nStack trace:");
  if (cut != std::string::npos) m.erase(cut);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

void Check(int rc, const char* fn) {
  if (rc != 0) throw LibFailure{fn, rc, LastError()};
}

std::shared_ptr<BoosterState> ReadBooster(const Napi::CallbackInfo& info, size_t i, const char* name) {
  // Every Booster box is made by this file as a BoosterState.
  auto b = std::static_pointer_cast<BoosterState>(kdap::ReadHandle<BoosterTraits>(info, i, name));
  b->CheckUsable();
  return b;
}

std::shared_ptr<DMatrixState> ReadDMatrix(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return std::static_pointer_cast<DMatrixState>(kdap::ReadHandle<DMatrixTraits>(info, i, name));
}

/** An array of DMatrix handles, each checked like a single handle argument. */
std::vector<std::shared_ptr<DMatrixState>> ReadDMatrixArray(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = kdap::Arg(info, i);
  if (!v.IsArray()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be an array of DMatrix handles, got " + kdap::Describe(v)};
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<std::shared_ptr<DMatrixState>> out;
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    std::string elem = std::string(name) + "[" + std::to_string(k) + "]";
    if (!e.IsExternal()) throw ArgError{ArgError::Type, "'" + elem + "' must be a DMatrix handle, got " + kdap::Describe(e)};
    auto ext = e.As<Napi::External<kdap::Slot<DMatrixTraits>>>();
    if (!ext.CheckTypeTag(&DMatrixTraits::kTag)) throw ArgError{ArgError::Type, "'" + elem + "' must be a DMatrix handle, got another kind of handle"};
    if (!ext.Data()->box) throw ArgError{ArgError::Disposed, "DMatrix"};
    out.push_back(std::static_pointer_cast<DMatrixState>(ext.Data()->box));
  }
  return out;
}

/** Boosted rounds of a booster whose lock the caller holds. */
int Rounds(BoosterState* b) {
  int rounds = 0;
  b->Check(XGBoosterBoostedRounds(b->raw, &rounds), "XGBoosterBoostedRounds");
  return rounds;
}

uint64_t NumFeature(BoosterState* b) {
  bst_ulong n = 0;
  b->Check(XGBoosterGetNumFeature(b->raw, &n), "XGBoosterGetNumFeature");
  return static_cast<uint64_t>(n);
}

Napi::Value WrapBooster(Napi::Env env, const std::shared_ptr<BoosterState>& box) {
  return kdap::WrapHandle<BoosterTraits>(env, std::static_pointer_cast<BoosterBox>(box));
}

std::shared_ptr<BoosterState> NewBoosterState(BoosterHandle h, bool initialized) {
  auto box = std::make_shared<BoosterState>(h);
  box->initialized = initialized;
  return box;
}

}  // namespace xgbnode
