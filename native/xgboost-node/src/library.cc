// Library setup: version and build info, global configuration, the logger (init is napi-common's
// InitErrorClasses).
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <memory>
#include <mutex>
#include <string>

#include "bindings.h"
#include "state.h"

namespace xgbnode {

// ---------------------------------------------------------------------------------------------
// Library setup
// ---------------------------------------------------------------------------------------------

// void XGBoostVersion(int* major, int* minor, int* patch);
Napi::Value Version(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    int major = 0, minor = 0, patch = 0;
    XGBoostVersion(&major, &minor, &patch);
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("major", major);
    o.Set("minor", minor);
    o.Set("patch", patch);
    return o;
  });
}

// int XGBuildInfo(char const **out);
Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    const char* out = nullptr;
    Check(XGBuildInfo(&out), "XGBuildInfo");
    return Napi::String::New(info.Env(), out ? out : "{}");
  });
}

// const char* XGBGetLastError();  -- read inside Check() on the failing thread.

// int XGBSetGlobalConfig(char const *config);
Napi::Value SetGlobalConfig(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    std::string config = kdap::ReadString(info, 0, "config");
    GlobalConfig::Get().Sync();
    Check(XGBSetGlobalConfig(config.c_str()), "XGBSetGlobalConfig");
    // Store the whole resulting configuration for the other threads (the call may set one key).
    const char* full = nullptr;
    Check(XGBGetGlobalConfig(&full), "XGBGetGlobalConfig");
    GlobalConfig::Get().Store(full ? full : "{}");
    GlobalConfig::Get().Sync();
    return info.Env().Undefined();
  });
}

// int XGBGetGlobalConfig(char const **out_config);
Napi::Value GetGlobalConfig(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    GlobalConfig::Get().Sync();
    const char* out = nullptr;
    Check(XGBGetGlobalConfig(&out), "XGBGetGlobalConfig");
    return Napi::String::New(info.Env(), out ? out : "{}");
  });
}

// int XGBRegisterLogCallback(void (*callback)(const char*));  -- registered on the XGBoost thread.
// JS: setLogger(fn | null) routes the lines to fn(line) on the JS thread of the environment that
// set it; null drops them.
Napi::Value SetLogger(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    std::shared_ptr<LogSink> next = kdap::MakeLogSink(env, kdap::Arg(info, 0), "xgboost:log");
    std::shared_ptr<LogSink> prev;
    {
      std::lock_guard<std::mutex> lock(gLogMu);
      prev = std::move(gLogSink);
      gLogSink = std::move(next);
    }
    if (prev) prev->tsfn.Release();
    return env.Undefined();
  });
}

}  // namespace xgbnode
