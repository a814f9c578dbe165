// The XGBoost thread: every XGBoost call runs on napi-common's executor with XGBoost's per-thread
// setup (log callback, global configuration) applied first.
#pragma once

#include <xgboost/c_api.h>

#include <kdap/napi_common.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace xgbnode {

/**
 * XGBoost 1.x keeps its global configuration (verbosity, ...) per thread. The binding keeps the
 * full configuration last set through it and applies it on any thread before that thread's next
 * XGBoost call, so `setGlobalConfig` means the same on the XGBoost thread and the libuv pool.
 */
class GlobalConfig {
 public:
  static GlobalConfig& Get() {
    static GlobalConfig* instance = new GlobalConfig();
    return *instance;
  }

  void Store(std::string json) {
    std::lock_guard<std::mutex> lock(mu_);
    json_ = std::move(json);
    version_.fetch_add(1);
  }

  /** Applies the stored configuration on this thread if it has not seen the latest one. */
  void Sync() {
    thread_local uint64_t applied = 0;
    uint64_t v = version_.load();
    if (v == applied) return;
    std::string json;
    {
      std::lock_guard<std::mutex> lock(mu_);
      json = json_;
      v = version_.load();
    }
    XGBSetGlobalConfig(json.c_str());  // accepted on the thread that set it
    applied = v;
  }

 private:
  std::mutex mu_;
  std::string json_;
  std::atomic<uint64_t> version_{0};
};

/**
 * XGBoost's log lines (LOG(INFO), warnings) go to the JS logger set with setLogger, or nowhere:
 * never to the process's stderr. XGBoost keeps the callback per thread; every XGBoost call runs
 * on the XGBoost thread below, which registers it. The logger is process-wide (the latest
 * setLogger wins) because that thread serves every environment.
 */
using kdap::LogSink;
extern std::mutex gLogMu;
extern std::shared_ptr<LogSink> gLogSink;

void OnXGBoostLog(const char* msg);

/**
 * The one thread that runs every XGBoost call: napi-common's executor (kdap::Executor), which the
 * async workers already run on, with XGBoost's per-thread setup.
 *
 * XGBoost keeps state per thread: the log callback, the global configuration (verbosity, ...) and,
 * in 1.x, a booster's prediction cache (which also tells a new booster its number of features),
 * cleared only on the thread that frees the booster. So creation, parameters, training,
 * evaluation, prediction, model I/O and free all run on this one thread; sync callers and async
 * workers wait for their task (an async worker's task runs there directly). In-place prediction
 * needs no cache, but it runs here too: its OpenMP loops would otherwise start a second thread
 * team, which makes libgomp throttle the spinning of the training team (napi-common openmp.ts).
 */
class XGBoostThread {
 public:
  static XGBoostThread& Get() {
    static XGBoostThread* instance = new XGBoostThread();  // never destroyed, like the executor
    return *instance;
  }

  /** Runs `f` on the XGBoost thread and returns its result; its exceptions are rethrown here. */
  template <class F>
  auto Run(F&& f) -> decltype(f()) {
    return kdap::Executor::Instance().Call([&]() {
      GlobalConfig::Get().Sync();
      return f();
    });
  }

  /** Queues `f` without waiting (frees, training rounds). */
  void Post(std::function<void()> f) {
    kdap::Executor::Instance().Post([f = std::move(f)]() {
      GlobalConfig::Get().Sync();
      f();
    });
  }

 private:
  // Constructed when the module loads (Module() in addon.cc), before any task is queued.
  XGBoostThread() {
    kdap::Executor::Instance().SetThreadInit([]() { XGBRegisterLogCallback(&OnXGBoostLog); });
  }
};

template <class F>
auto OnXGBoostThread(F&& f) -> decltype(f()) {
  return XGBoostThread::Get().Run(std::forward<F>(f));
}

/** Registers the log callback and applies the global configuration on a caller's thread. */
void PrepareCallerThread();

/** Checks that need a lock run on the worker; their ArgError rejects the Promise as a ParameterError. */
kdap::PromiseWorker* NewWorker(Napi::Env env, std::function<void()> work, kdap::PromiseWorker::Done done);

}  // namespace xgbnode
