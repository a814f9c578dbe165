// Training: one round, one evaluation (sync and async) and the native training loop.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "state.h"

namespace xgbnode {

// int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain);
struct UpdateArgs {
  std::shared_ptr<BoosterState> b;
  int iter;
  std::shared_ptr<DMatrixState> dtrain;
};

UpdateArgs ReadUpdateArgs(const Napi::CallbackInfo& info) {
  auto b = ReadBooster(info, 0, "booster");
  int iter = static_cast<int>(kdap::ReadInt(info, 1, "iter", 0, INT32_MAX));
  auto dtrain = ReadDMatrix(info, 2, "dtrain");
  return UpdateArgs{std::move(b), iter, std::move(dtrain)};
}

void UpdateOneIter(const UpdateArgs& a) {
  OnXGBoostThread([&]() {
    ModelWriteLock lock(a.b.get());
    a.b->CheckUsable();  // again under the lock: an earlier queued call may have retired it
    std::lock_guard<std::mutex> data(a.dtrain->mu);
    a.b->Check(XGBoosterUpdateOneIter(a.b->raw, a.iter, a.dtrain->raw), "XGBoosterUpdateOneIter");
    a.b->initialized = true;
  });
}

Napi::Value BoosterUpdateOneIter(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    UpdateOneIter(ReadUpdateArgs(info));
    return info.Env().Undefined();
  });
}

/** The same, off the JS thread: the JS thread stays free while an iteration trains. */
Napi::Value BoosterUpdateOneIterAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<UpdateArgs>(ReadUpdateArgs(info));
    auto* w = NewWorker(
        info.Env(), [a]() { UpdateOneIter(*a); }, [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
    return kdap::Queue(w);
  });
}

// int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle dmats[],
//     const char *evnames[], bst_ulong len, const char **out_result);
struct EvalArgs {
  std::shared_ptr<BoosterState> b;
  int iter;
  std::vector<std::shared_ptr<DMatrixState>> dmats;
  std::vector<std::string> names;
};

EvalArgs ReadEvalArgs(const Napi::CallbackInfo& info) {
  auto b = ReadBooster(info, 0, "booster");
  int iter = static_cast<int>(kdap::ReadInt(info, 1, "iter", 0, INT32_MAX));
  auto dmats = ReadDMatrixArray(info, 2, "dmats");
  auto names = kdap::ReadStringArray(info, 3, "evnames");
  if (dmats.empty()) throw ArgError{ArgError::Range, "'dmats' must hold at least one DMatrix"};
  if (names.size() != dmats.size()) {
    throw ArgError{ArgError::Range, "'evnames' must have one name per DMatrix (" + std::to_string(dmats.size()) +
                                        "), got " + std::to_string(names.size())};
  }
  return EvalArgs{std::move(b), iter, std::move(dmats), std::move(names)};
}

std::string EvalOneIter(const EvalArgs& a) {
  return OnXGBoostThread([&]() {
    std::vector<DMatrixHandle> raw;
    std::vector<DMatrixBox*> boxes;
    for (auto& d : a.dmats) {
      raw.push_back(d->raw);
      boxes.push_back(d.get());
    }
    auto namePtrs = Pointers(a.names);
    ModelWriteLock lock(a.b.get());
    a.b->CheckUsable();
    DMatrixLocks locks(boxes);
    const char* out = nullptr;
    a.b->Check(XGBoosterEvalOneIter(a.b->raw, a.iter, raw.data(), namePtrs.data(), static_cast<bst_ulong>(raw.size()), &out),
               "XGBoosterEvalOneIter");
    return std::string(out ? out : "");
  });
}

Napi::Value BoosterEvalOneIter(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value { return Napi::String::New(info.Env(), EvalOneIter(ReadEvalArgs(info))); });
}

/** The same, off the JS thread: evaluating large validation sets does not block the JS thread. */
Napi::Value BoosterEvalOneIterAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    auto a = std::make_shared<EvalArgs>(ReadEvalArgs(info));
    auto result = std::make_shared<std::string>();
    auto* w = NewWorker(
        info.Env(), [a, result]() { *result = EvalOneIter(*a); },
        [result](Napi::Env env) -> Napi::Value { return Napi::String::New(env, *result); });
    return kdap::Queue(w);
  });
}

// ---------------------------------------------------------------------------------------------
// Training loop: napi-common's TrainLoop (shared with LightGBM) over XGBoost's step, one
// XGBoosterUpdateOneIter plus, with evaluation sets, one XGBoosterEvalOneIter. Doing each round
// as its own Promise made every round hop JS -> libuv pool -> executor -> XGBoost thread and back.
// ---------------------------------------------------------------------------------------------

struct TrainStep {
  using Result = std::string;  // XGBoost's evaluation text ("[3]\tvalid-logloss:0.41 ...")
  std::shared_ptr<BoosterState> b;
  std::shared_ptr<DMatrixState> dtrain;
  std::vector<std::shared_ptr<DMatrixState>> dmats;
  std::vector<std::string> names;

  std::string operator()(int iter) {
    UpdateOneIter(UpdateArgs{b, iter, dtrain});
    return dmats.empty() ? std::string() : EvalOneIter(EvalArgs{b, iter, dmats, names});
  }
  static Napi::Value ToJs(Napi::Env env, const std::string& text) { return Napi::String::New(env, text); }
};

// JS: (booster, dtrain, rounds, dmats, evnames, onRound | null) -> { done: Promise<number>, stop() }
Napi::Value BoosterTrainAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    TrainStep step;
    step.b = ReadBooster(info, 0, "booster");
    step.dtrain = ReadDMatrix(info, 1, "dtrain");
    int rounds = static_cast<int>(kdap::ReadInt(info, 2, "rounds", 0, INT32_MAX));
    step.dmats = ReadDMatrixArray(info, 3, "dmats");
    step.names = kdap::ReadStringArray(info, 4, "evnames");
    if (step.names.size() != step.dmats.size()) {
      throw ArgError{ArgError::Range, "'evnames' must have one name per DMatrix (" + std::to_string(step.dmats.size()) +
                                          "), got " + std::to_string(step.names.size())};
    }
    Napi::Value onRound = kdap::Arg(info, 5);
    if (!onRound.IsFunction() && !onRound.IsNull() && !onRound.IsUndefined()) {
      throw ArgError{ArgError::Type, "'onRound' must be a function or null, got " + kdap::Describe(onRound)};
    }
    // Each round waits for JS's answer when JS wants one (evaluations, progress, early stopping).
    kdap::Answers answers = onRound.IsFunction() ? kdap::Answers::Awaited : kdap::Answers::None;
    return kdap::TrainLoop<TrainStep>::Start(
        info.Env(), std::move(step), rounds, answers, onRound,
        [](std::function<void()> task) { XGBoostThread::Get().Post(std::move(task)); }, "kdap:xgboost-train");
  });
}

}  // namespace xgbnode
