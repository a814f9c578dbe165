// Training: one round, one evaluation (sync and async) and the native training loop.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <atomic>
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
// Training loop: Python's xgboost.train keeps calling XGBoosterUpdateOneIter (and
// XGBoosterEvalOneIter) from one thread without returning to Python in between. Doing each round
// as its own Promise made every round hop JS -> libuv pool -> executor -> XGBoost thread and
// back; here the rounds run on the XGBoost thread, each queued behind any other XGBoost work, and
// only results travel to JS (through a thread-safe function). The thread is never held while JS
// runs, so a JS callback may itself call the binding synchronously.
// ---------------------------------------------------------------------------------------------

struct TrainRun;

struct TrainEvent {
  enum Kind { Round, Done, Failed } kind = Done;
  int iter = 0;  // Round: the round just trained; Done: rounds trained
  std::string evalText;
  LibFailure failure;
};

void OnTrainEvent(Napi::Env env, Napi::Function onRound, std::shared_ptr<TrainRun>* context, TrainEvent* data);
using TrainEvents = Napi::TypedThreadSafeFunction<std::shared_ptr<TrainRun>, TrainEvent, OnTrainEvent>;

struct TrainRun {
  std::shared_ptr<BoosterState> b;
  std::shared_ptr<DMatrixState> dtrain;
  std::vector<std::shared_ptr<DMatrixState>> dmats;
  std::vector<std::string> names;
  int rounds = 0;
  bool perRound = false;        // onRound given: each round waits for its answer on the JS thread
  std::atomic<bool> stop{false};
  TrainEvents tsfn;
  // Node frees the thread-safe function when its environment goes (worker.terminate()) even if
  // this run still holds it; calls after that would touch freed memory.
  std::mutex tsfnMu;
  bool tsfnGone = false;
  Napi::Promise::Deferred deferred;  // settled on the JS thread only
  bool settled = false;              // JS thread only

  explicit TrainRun(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

void TrainStep(const std::shared_ptr<TrainRun>& run, int iter);

/** Ends a run on the JS thread: settles its promise once and lets the process exit again. */
void Settle(Napi::Env env, TrainRun& run, const std::function<void()>& settle) {
  if (run.settled) return;
  run.settled = true;
  try {
    Napi::HandleScope scope(env);
    settle();
  } catch (...) {
    // The environment is shutting down (worker terminated): no one is left to tell.
  }
  run.tsfn.Release();
}

void OnTrainEvent(Napi::Env env, Napi::Function onRound, std::shared_ptr<TrainRun>* context, TrainEvent* data) {
  std::unique_ptr<TrainEvent> ev(data);
  std::shared_ptr<TrainRun> run = *context;
  if (env == nullptr) {  // torn down with the environment
    run->stop = true;
    return;
  }
  if (ev->kind == TrainEvent::Done) {
    Settle(env, *run, [&]() { run->deferred.Resolve(Napi::Number::New(env, ev->iter)); });
    return;
  }
  if (ev->kind == TrainEvent::Failed) {
    Settle(env, *run, [&]() {
      run->deferred.Reject(kdap::MakeNativeError(env, ev->failure.function, ev->failure.code, ev->failure.message).Value());
    });
    return;
  }
  bool stopHere = false;
  try {
    Napi::HandleScope scope(env);
    Napi::Value answer = onRound.Call({Napi::Number::New(env, ev->iter), Napi::String::New(env, ev->evalText)});
    stopHere = answer.ToBoolean().Value();
  } catch (const Napi::Error& e) {
    Napi::Value error = e.Value();
    Settle(env, *run, [&]() { run->deferred.Reject(error); });
    return;
  }
  if (stopHere || run->stop || ev->iter + 1 >= run->rounds) {
    Settle(env, *run, [&]() { run->deferred.Resolve(Napi::Number::New(env, ev->iter + 1)); });
    return;
  }
  int next = ev->iter + 1;
  XGBoostThread::Get().Post([run, next]() { TrainStep(run, next); });
}

/** Hands an event to the JS thread; false when the environment is gone (the run then stops). */
bool SendTrainEvent(const std::shared_ptr<TrainRun>& run, std::unique_ptr<TrainEvent> ev) {
  std::lock_guard<std::mutex> lock(run->tsfnMu);
  if (run->tsfnGone || run->tsfn.NonBlockingCall(ev.get()) != napi_ok) {
    run->stop = true;
    return false;
  }
  ev.release();
  return true;
}

/** One round on the XGBoost thread; without per-round answers, queues the next one itself. */
void TrainStep(const std::shared_ptr<TrainRun>& run, int iter) {
  auto ev = std::make_unique<TrainEvent>();
  ev->iter = iter;
  if (iter >= run->rounds || run->stop) {
    ev->kind = TrainEvent::Done;
    SendTrainEvent(run, std::move(ev));
    return;
  }
  try {
    UpdateOneIter(UpdateArgs{run->b, iter, run->dtrain});
    if (!run->dmats.empty()) ev->evalText = EvalOneIter(EvalArgs{run->b, iter, run->dmats, run->names});
    ev->kind = TrainEvent::Round;
  } catch (const LibFailure& f) {
    ev->kind = TrainEvent::Failed;
    ev->failure = f;
  } catch (const std::bad_alloc&) {
    ev->kind = TrainEvent::Failed;
    ev->failure = LibFailure{"", -1, "out of memory"};
  } catch (const std::exception& e) {
    ev->kind = TrainEvent::Failed;
    ev->failure = LibFailure{"", -1, e.what()};
  }
  if (ev->kind == TrainEvent::Round && !run->perRound) {
    int next = iter + 1;
    XGBoostThread::Get().Post([run, next]() { TrainStep(run, next); });
    return;
  }
  SendTrainEvent(run, std::move(ev));
}

// JS: (booster, dtrain, rounds, dmats, evnames, onRound | null) -> { done: Promise<number>, stop() }
Napi::Value BoosterTrainAsync(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    auto run = std::make_shared<TrainRun>(env);
    run->b = ReadBooster(info, 0, "booster");
    run->dtrain = ReadDMatrix(info, 1, "dtrain");
    run->rounds = static_cast<int>(kdap::ReadInt(info, 2, "rounds", 0, INT32_MAX));
    run->dmats = ReadDMatrixArray(info, 3, "dmats");
    run->names = kdap::ReadStringArray(info, 4, "evnames");
    if (run->names.size() != run->dmats.size()) {
      throw ArgError{ArgError::Range, "'evnames' must have one name per DMatrix (" + std::to_string(run->dmats.size()) +
                                          "), got " + std::to_string(run->names.size())};
    }
    Napi::Value onRound = kdap::Arg(info, 5);
    if (!onRound.IsFunction() && !onRound.IsNull() && !onRound.IsUndefined()) {
      throw ArgError{ArgError::Type, "'onRound' must be a function or null, got " + kdap::Describe(onRound)};
    }
    run->perRound = onRound.IsFunction();
    Napi::Function fn = run->perRound ? onRound.As<Napi::Function>() : Napi::Function();
    auto* context = new std::shared_ptr<TrainRun>(run);
    run->tsfn = TrainEvents::New(env, fn, "kdap:xgboost-train", 0, 1, context,
                                 [](Napi::Env, void*, std::shared_ptr<TrainRun>* c) {
                                   {
                                     std::lock_guard<std::mutex> lock((*c)->tsfnMu);
                                     (*c)->tsfnGone = true;
                                   }
                                   (*c)->stop = true;  // the run ended, or its environment did: no more rounds
                                   delete c;
                                 });
    // The promise keeps nothing alive by itself; the thread-safe function keeps the loop running.
    Napi::Object result = Napi::Object::New(env);
    result.Set("done", run->deferred.Promise());
    // Weak: a finished run (and the booster it holds) must not wait for this function's GC.
    std::weak_ptr<TrainRun> weak = run;
    result.Set("stop", Napi::Function::New(env, [weak](const Napi::CallbackInfo& i) -> Napi::Value {
                 if (auto r = weak.lock()) r->stop = true;
                 return i.Env().Undefined();
               }, "stop"));
    XGBoostThread::Get().Post([run]() { TrainStep(run, 0); });
    return result;
  });
}

}  // namespace xgbnode
