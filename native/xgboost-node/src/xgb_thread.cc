// The XGBoost thread's log routing, caller-thread setup and the async worker of every binding.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <functional>
#include <memory>
#include <mutex>

#include "xgb_thread.h"

namespace xgbnode {

using kdap::ArgError;

std::mutex gLogMu;
std::shared_ptr<LogSink> gLogSink;

void OnXGBoostLog(const char* msg) {
  std::shared_ptr<LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(gLogMu);
    sink = gLogSink;
  }
  if (msg != nullptr) kdap::EmitLogLine(sink, msg);
}

/** Registers the log callback and applies the global configuration on a caller's thread. */
void PrepareCallerThread() {
  thread_local bool registered = false;
  if (!registered) {
    XGBRegisterLogCallback(&OnXGBoostLog);
    registered = true;
  }
  GlobalConfig::Get().Sync();
}

/** Checks that need a lock run on the worker; their ArgError rejects the Promise as a ParameterError. */
kdap::PromiseWorker* NewWorker(Napi::Env env, std::function<void()> work, kdap::PromiseWorker::Done done) {
  auto argError = std::make_shared<std::unique_ptr<ArgError>>();
  return new kdap::PromiseWorker(
      env,
      [work = std::move(work), argError]() {
        try {
          work();
        } catch (const ArgError& e) {
          *argError = std::make_unique<ArgError>(e);
        }
      },
      [done = std::move(done), argError](Napi::Env env) -> Napi::Value {
        if (*argError) throw kdap::MakeArgError(env, **argError);
        return done(env);
      });
}

}  // namespace xgbnode
