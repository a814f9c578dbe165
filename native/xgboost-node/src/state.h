// Handle states: the DMatrix and Booster boxes with their locks, and reading them from arguments.
#pragma once

#include <xgboost/c_api.h>

#include <kdap/napi_common.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "xgb_thread.h"

namespace xgbnode {

using kdap::ArgError;
using kdap::ArrayView;
using kdap::Guard;
using kdap::LibFailure;

struct DMatrixTraits {
  using Raw = DMatrixHandle;
  static constexpr const char* kName = "DMatrix";
  static constexpr napi_type_tag kTag = {0x6b646170'7867626fULL, 0x444d6174'72697831ULL};
  static void Free(Raw h) { XGDMatrixFree(h); }
};
struct BoosterTraits {
  using Raw = BoosterHandle;
  static constexpr const char* kName = "Booster";
  static constexpr napi_type_tag kTag = {0x6b646170'7867626fULL, 0x426f6f73'74657231ULL};
  // Posted to the XGBoost thread, where the booster's thread-local caches live.
  static void Free(Raw h) {
    XGBoostThread::Get().Post([h]() { XGBoosterFree(h); });
  }
};

using DMatrixBox = kdap::Box<DMatrixTraits>;
using BoosterBox = kdap::Box<BoosterTraits>;

/** XGBoost's message for the last failure on this thread, without the native backtrace it appends. */
std::string LastError();

void Check(int rc, const char* fn);

// In-place prediction is thread-safe in XGBoost, training and model I/O are not: predictions share
// the booster's lock, everything that changes or serializes the model takes it alone.
//
// XGBoost 1.7 leaves a learner half-configured when its first configuration fails (e.g. a
// parameter value it cannot parse), and the next XGBoosterUpdateOneIter then crashes the process.
// So a library failure before the model is initialized (trained once or loaded) retires the
// booster: every later call is a NativeError instead of a segfault.
struct BoosterState : BoosterBox {
  std::shared_mutex rw;
  std::atomic<bool> initialized{false};
  /** Bumped (under the lock held alone) by every call that may change the model: ModelWriteLock. */
  std::atomic<uint64_t> version{0};
  /**
   * The small-batch fast path's copy of the model (nthread 1), made on the XGBoost thread and used
   * on callers' threads under fastMu; see PredictSmall. Current while fastVersion == version.
   */
  std::mutex fastMu;
  BoosterHandle fast = nullptr;
  DMatrixHandle fastProxy = nullptr;  // reused by every small batch
  uint64_t fastVersion = 0;
  int fastRounds = 0;
  uint64_t fastFeatures = 0;
  using BoosterBox::BoosterBox;
  ~BoosterState() override {
    if (fast != nullptr) BoosterTraits::Free(fast);
    if (fastProxy != nullptr) XGBoostThread::Get().Post([p = fastProxy]() { XGDMatrixFree(p); });
  }

  void Check(int rc, const char* fn) {
    if (rc == 0) return;
    std::string message = LastError();
    if (!initialized) {
      std::lock_guard<std::mutex> lock(retiredMu_);
      if (retiredBy_.function.empty()) retiredBy_ = LibFailure{fn, rc, message};
    }
    throw LibFailure{fn, rc, message};
  }

  /** Throws the failure that retired this booster, if any. */
  void CheckUsable() {
    std::lock_guard<std::mutex> lock(retiredMu_);
    if (retiredBy_.function.empty()) return;
    throw LibFailure{retiredBy_.function, retiredBy_.code,
                     "this Booster is unusable: " + retiredBy_.function + " failed before its model was initialized (" +
                         retiredBy_.message + "). Create a new Booster with corrected parameters or data."};
  }

 private:
  std::mutex retiredMu_;
  LibFailure retiredBy_;
};

/** The booster's lock held alone, by a call that may change the model: bumps its version. */
class ModelWriteLock {
 public:
  explicit ModelWriteLock(BoosterState* b) : lock_(b->rw) { b->version.fetch_add(1); }

 private:
  std::unique_lock<std::shared_mutex> lock_;
};

// A DMatrix remembers its shape so lengths of meta info can be checked without a library call.
struct DMatrixState : DMatrixBox {
  uint64_t rows = 0;
  uint64_t cols = 0;
  using DMatrixBox::DMatrixBox;
};

std::shared_ptr<BoosterState> ReadBooster(const Napi::CallbackInfo& info, size_t i, const char* name);

std::shared_ptr<DMatrixState> ReadDMatrix(const Napi::CallbackInfo& info, size_t i, const char* name);

/** An array of DMatrix handles, each checked like a single handle argument. */
std::vector<std::shared_ptr<DMatrixState>> ReadDMatrixArray(const Napi::CallbackInfo& info, size_t i, const char* name);

/** Locks several DMatrix boxes in address order, each once, so overlapping sets cannot deadlock. */
class DMatrixLocks {
 public:
  explicit DMatrixLocks(std::vector<DMatrixBox*> boxes) {
    std::sort(boxes.begin(), boxes.end());
    boxes.erase(std::unique(boxes.begin(), boxes.end()), boxes.end());
    for (DMatrixBox* b : boxes) locks_.emplace_back(b->mu);
  }

 private:
  std::vector<std::unique_lock<std::mutex>> locks_;
};

/** Boosted rounds of a booster whose lock the caller holds. */
int Rounds(BoosterState* b);

uint64_t NumFeature(BoosterState* b);

Napi::Value WrapBooster(Napi::Env env, const std::shared_ptr<BoosterState>& box);

std::shared_ptr<BoosterState> NewBoosterState(BoosterHandle h, bool initialized);

}  // namespace xgbnode
