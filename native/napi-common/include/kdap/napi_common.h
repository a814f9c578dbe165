// Shared N-API machinery for the KDAP native bindings (LightGBM, XGBoost):
// argument validation that never lets bad JS input reach C, tagged handle boxes with deferred
// free, per-environment state, and a Promise worker that reads the library's last error on the
// thread where the call failed.
#pragma once

#define NAPI_VERSION 8
#include <napi.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <thread>
#include <type_traits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace kdap {

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * Thrown from C++ when argument validation fails. Becomes the kernel's ParameterError (Type,
 * Range) or DisposedError (Disposed; `message` is then what was disposed, e.g. "Booster") once the
 * JS side registered the classes with init(); a TypeError/RangeError before that.
 */
struct ArgError {
  enum Kind { Type, Range, Disposed } kind;
  std::string message;
};

/**
 * Per-environment state: the @kdap/errors classes errors are built from (registered by the JS
 * side at load, so `instanceof KdapError` holds for errors made here) and anything a binding adds.
 */
struct EnvState {
  Napi::FunctionReference nativeErrorClass;
  Napi::FunctionReference parameterErrorClass;
  Napi::FunctionReference disposedErrorClass;
  std::string library;
};

inline EnvState* GetState(Napi::Env env) { return env.GetInstanceData<EnvState>(); }

/** `new cls(args...)` as an Error, or an empty Error when there is no class or it throws. */
inline Napi::Error ConstructError(Napi::Env env, const Napi::FunctionReference& cls,
                                  const std::initializer_list<napi_value>& args) {
  if (cls.IsEmpty()) return Napi::Error();
  try {
    Napi::Value v = cls.New(args);
    if (v.IsObject()) return Napi::Error(env, v);
  } catch (const Napi::Error&) {
    // A registered class that cannot construct falls back to a built-in error.
  }
  return Napi::Error();
}

/** The parameter an ArgError message names first ("The 'nrow' argument must be ..." -> nrow), else "". */
inline std::string ParameterOf(const std::string& message) {
  size_t start = message.rfind("The '", 0) == 0 ? 4 : 0;
  if (message.size() < start + 2 || message[start] != '\'') return std::string();
  size_t end = message.find('\'', start + 1);
  return end == std::string::npos ? std::string() : message.substr(start + 1, end - start - 1);
}

/**
 * The house message shape (shared/STYLE.md) from a check's short form: "'nrow' must be an integer,
 * got 1.5" -> "The 'nrow' argument must be an integer. Got 1.5." The checks stay short to write;
 * every binding's messages come out in one shape.
 */
inline std::string HouseMessage(const std::string& m) {
  std::string out = m;
  for (const char* sep : {", got ", "; got "}) {
    size_t at = out.rfind(sep);
    if (at != std::string::npos) {
      out = out.substr(0, at) + ". Got " + out.substr(at + std::char_traits<char>::length(sep));
      break;
    }
  }
  if (!out.empty() && out[0] == '\'') {
    size_t end = out.find('\'', 1);
    if (end != std::string::npos) out = "The " + out.substr(0, end + 1) + " argument" + out.substr(end + 1);
  }
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  if (!out.empty() && out.back() != '.') out += '.';
  return out;
}

inline Napi::Error MakeArgError(Napi::Env env, const ArgError& raw) {
  const ArgError e{raw.kind, raw.kind == ArgError::Disposed ? raw.message : HouseMessage(raw.message)};
  EnvState* st = GetState(env);
  if (st != nullptr) {
    Napi::Error made =
        e.kind == ArgError::Disposed
            ? ConstructError(env, st->disposedErrorClass, {Napi::String::New(env, e.message)})
            : ConstructError(env, st->parameterErrorClass,
                             {Napi::String::New(env, ParameterOf(e.message)), Napi::String::New(env, e.message)});
    if (!made.IsEmpty()) return made;
  }
  if (e.kind == ArgError::Disposed) {
    Napi::Error err = Napi::Error::New(env, e.message + " has been disposed");
    err.Set("code", Napi::String::New(env, "ERR_KDAP_DISPOSED"));
    return err;
  }
  Napi::Error err = e.kind == ArgError::Type ? Napi::Error(Napi::TypeError::New(env, e.message))
                                             : Napi::Error(Napi::RangeError::New(env, e.message));
  err.Set("code", Napi::String::New(env, e.kind == ArgError::Type ? "ERR_INVALID_ARG_TYPE"
                                                                   : "ERR_OUT_OF_RANGE"));
  return err;
}

/**
 * An error reported by the native library. Built as `new NativeError(message, {library,
 * returnCode, function})` when the JS side registered the class, else a plain Error with those
 * properties.
 */
inline Napi::Error MakeNativeError(Napi::Env env, const std::string& fn, int code,
                                   const std::string& message) {
  EnvState* st = GetState(env);
  const std::string lib = st ? st->library : std::string("native");
  Napi::Object opts = Napi::Object::New(env);
  opts.Set("library", Napi::String::New(env, lib));
  opts.Set("returnCode", Napi::Number::New(env, code));
  opts.Set("function", Napi::String::New(env, fn));
  if (st != nullptr) {
    Napi::Error made = ConstructError(env, st->nativeErrorClass, {Napi::String::New(env, message), opts});
    if (!made.IsEmpty()) return made;
  }
  Napi::Error err = Napi::Error::New(env, lib + " " + fn + ": " + message);
  err.Set("library", Napi::String::New(env, lib));
  err.Set("returnCode", Napi::Number::New(env, code));
  return err;
}

/**
 * init({NativeError, ParameterError, DisposedError}): stores the @kdap/errors classes for this
 * environment. Called once by the JS loader; error paths only read them, hot paths never.
 */
inline void RegisterErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value arg = 0 < info.Length() ? info[0] : env.Undefined();
  EnvState* st = GetState(env);
  if (st == nullptr || !arg.IsObject()) {
    throw ArgError{ArgError::Type, "'classes' must be an object {NativeError, ParameterError, DisposedError}"};
  }
  Napi::Object classes = arg.As<Napi::Object>();
  const char* names[] = {"NativeError", "ParameterError", "DisposedError"};
  Napi::FunctionReference* refs[] = {&st->nativeErrorClass, &st->parameterErrorClass, &st->disposedErrorClass};
  Napi::Function found[3];
  for (int k = 0; k < 3; k++) {  // all or nothing: a bad argument leaves the registered classes
    Napi::Value cls = classes.Get(names[k]);
    if (!cls.IsFunction()) throw ArgError{ArgError::Type, std::string("'classes.") + names[k] + "' must be a class"};
    found[k] = cls.As<Napi::Function>();
  }
  for (int k = 0; k < 3; k++) *refs[k] = Napi::Persistent(found[k]);
}

// ---------------------------------------------------------------------------------------------
// Argument readers. Each names the parameter in its message and throws ArgError.
// ---------------------------------------------------------------------------------------------

inline std::string Describe(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_bigint: return "a bigint";
    case napi_object:
      if (v.IsTypedArray()) return "a typed array";
      if (v.IsArray()) return "an array";
      if (v.IsArrayBuffer()) return "an ArrayBuffer";
      return "an object";
  }
  return "an unknown value";
}

/** A number as JavaScript prints it (1.5, NaN, Infinity), for messages. */
inline std::string JsNumberText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  for (int precision = 15; precision <= 17; precision++) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

inline Napi::Value Arg(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() ? info[i] : info.Env().Undefined();
}

inline double ReadNumber(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = Arg(info, i);
  if (!v.IsNumber()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be a number, got " + Describe(v)};
  return v.As<Napi::Number>().DoubleValue();
}

inline int64_t ReadInt(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min,
                       int64_t max) {
  double d = ReadNumber(info, i, name);
  if (!std::isfinite(d) || std::floor(d) != d) {
    throw ArgError{ArgError::Type, std::string("'") + name + "' must be an integer, got " + JsNumberText(d)};
  }
  if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
    throw ArgError{ArgError::Range, std::string("'") + name + "' must be between " + std::to_string(min) +
                                        " and " + std::to_string(max) + ", got " + std::to_string(static_cast<int64_t>(d))};
  }
  return static_cast<int64_t>(d);
}

inline bool ReadBool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = Arg(info, i);
  if (!v.IsBoolean()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be a boolean, got " + Describe(v)};
  return v.As<Napi::Boolean>().Value();
}

inline std::string ReadString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = Arg(info, i);
  if (!v.IsString()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be a string, got " + Describe(v)};
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) {
    throw ArgError{ArgError::Type, std::string("'") + name + "' must not contain NUL characters"};
  }
  return s;
}

inline std::vector<std::string> ReadStringArray(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = Arg(info, i);
  if (!v.IsArray()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be an array of strings, got " + Describe(v)};
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    if (!e.IsString()) throw ArgError{ArgError::Type, std::string("'") + name + "[" + std::to_string(k) + "]' must be a string, got " + Describe(e)};
    std::string s = e.As<Napi::String>().Utf8Value();
    if (s.find('\0') != std::string::npos) throw ArgError{ArgError::Type, std::string("'") + name + "' entries must not contain NUL characters"};
    out.push_back(std::move(s));
  }
  return out;
}

/** A typed array argument: its element type, element count and data pointer. */
struct ArrayView {
  napi_typedarray_type type;
  size_t length;
  void* data;
};

inline const char* TypedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_int8_array: return "Int8Array";
    case napi_bigint64_array: return "BigInt64Array";
    default: return "another typed array";
  }
}

inline ArrayView ReadTypedArray(const Napi::CallbackInfo& info, size_t i, const char* name,
                                std::initializer_list<napi_typedarray_type> allowed) {
  Napi::Value v = Arg(info, i);
  std::string want;
  for (auto t : allowed) want += (want.empty() ? "" : " or ") + std::string(TypedArrayName(t));
  if (!v.IsTypedArray()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be a " + want + ", got " + Describe(v)};
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  napi_typedarray_type t = ta.TypedArrayType();
  bool ok = false;
  for (auto a : allowed) ok = ok || a == t;
  if (!ok) throw ArgError{ArgError::Type, std::string("'") + name + "' must be a " + want + ", got a " + TypedArrayName(t)};
  Napi::ArrayBuffer buf = ta.ArrayBuffer();
  bool detached = false;
  napi_is_detached_arraybuffer(info.Env(), buf, &detached);
  if (detached) throw ArgError{ArgError::Type, std::string("'") + name + "' is backed by a detached ArrayBuffer"};
  size_t len = ta.ElementLength();
  void* data = static_cast<uint8_t*>(buf.Data()) + ta.ByteOffset();
  return ArrayView{t, len, len == 0 ? nullptr : data};
}

inline size_t ElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

/**
 * Large buffers for the input copies of async calls, kept for reuse after the call. A fresh
 * 2 MiB-aligned buffer is zeroed by the kernel page by page as the copy first touches it: copying
 * a 24 MB input measured 13.3 ms into a fresh buffer against 8.2 ms into a reused one (median of
 * 30 each, alternating, this 2-core machine), i.e. 1.3% of XGBoost's 0.38 s batch prediction of
 * those rows. Idle buffers are kept up to kIdleLimit bytes in all (oldest freed first); a buffer
 * serves a request of at least half its size, so a small input never pins a large buffer.
 */
class InputBufferPool {
 public:
  static constexpr size_t kHuge = size_t{2} << 20;
  static constexpr size_t kIdleLimit = size_t{64} << 20;

  static InputBufferPool& Instance() {
    static InputBufferPool* instance = new InputBufferPool();  // never destroyed: buffers may return late
    return *instance;
  }

  /** A buffer of at least `size` bytes (size >= 2 * kHuge), 2 MiB-aligned; its capacity in *capacity. */
  uint8_t* Take(size_t size, size_t* capacity) {
    size_t rounded = (size + kHuge - 1) / kHuge * kHuge;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto best = idle_.end();
      for (auto it = idle_.begin(); it != idle_.end(); ++it) {
        if (it->second >= rounded && it->second / 2 <= rounded && (best == idle_.end() || it->second < best->second)) best = it;
      }
      if (best != idle_.end()) {
        uint8_t* p = best->first;
        *capacity = best->second;
        idleBytes_ -= best->second;
        idle_.erase(best);
        return p;
      }
    }
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p == nullptr) return nullptr;
#ifdef __linux__
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without THP the pages stay small
#endif
    *capacity = rounded;
    return static_cast<uint8_t*>(p);
  }

  /** Takes back a buffer from Take; frees it, or the oldest idle ones, beyond kIdleLimit. */
  void Give(uint8_t* p, size_t capacity) {
    std::vector<uint8_t*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (capacity > kIdleLimit) {
        drop.push_back(p);
      } else {
        idle_.emplace_back(p, capacity);
        idleBytes_ += capacity;
        while (idleBytes_ > kIdleLimit) {
          drop.push_back(idle_.front().first);
          idleBytes_ -= idle_.front().second;
          idle_.pop_front();
        }
      }
    }
    for (uint8_t* d : drop) std::free(d);
  }

  /** Bytes held by idle buffers (tests). */
  size_t IdleBytes() {
    std::lock_guard<std::mutex> lock(mu_);
    return idleBytes_;
  }

 private:
  std::mutex mu_;
  std::deque<std::pair<uint8_t*, size_t>> idle_;
  size_t idleBytes_ = 0;
};

/**
 * A private copy of an input array for an async call, taken on the JS thread before the call
 * returns, so the caller may reuse or transfer (detach) its buffer at once. One uninitialized
 * allocation and one memcpy. Copies of 4 MiB and more are 2 MiB-aligned and advised as huge
 * pages (Linux), as numpy allocates Python's arrays (a fresh 24 MB buffer otherwise takes ~6,000
 * page faults while it is filled, and the prediction reading it more TLB misses than Python's),
 * and come from InputBufferPool, so repeated calls do not pay the kernel's zeroing again.
 */
struct InputCopyFree {
  size_t pooled = 0;  // capacity of a buffer from InputBufferPool, 0 for malloc
  void operator()(uint8_t* p) const {
    if (pooled > 0) {
      InputBufferPool::Instance().Give(p, pooled);
    } else {
      std::free(p);
    }
  }
};

struct InputCopy {
  std::unique_ptr<uint8_t, InputCopyFree> bytes;
  size_t size = 0;
  const void* data() const { return bytes.get(); }
};

inline std::shared_ptr<InputCopy> CopyInput(const ArrayView& v) {
  auto copy = std::make_shared<InputCopy>();
  copy->size = v.length * ElementSize(v.type);
  if (copy->size > 0) {
    size_t capacity = 0;
    uint8_t* p = copy->size >= 2 * InputBufferPool::kHuge ? InputBufferPool::Instance().Take(copy->size, &capacity)
                                                           : static_cast<uint8_t*>(std::malloc(copy->size));
    if (p == nullptr) throw std::bad_alloc();
    copy->bytes = std::unique_ptr<uint8_t, InputCopyFree>(p, InputCopyFree{capacity});
    std::memcpy(copy->bytes.get(), v.data, copy->size);
  }
  return copy;
}

/**
 * A typed array over a vector's memory, without copying it: the vector moves to the heap and the
 * ArrayBuffer's finalizer frees it. Results of batch predictions (800 KB-1.6 MB for 200,000 rows)
 * are handed to JS this way instead of a zero-filled JS allocation plus a memcpy on the JS
 * thread. Small results (under 64 KiB: a finalizer costs more than their copy), and any where
 * external buffers are not allowed (a V8 sandbox), are copied.
 */
template <class T>
Napi::TypedArrayOf<T> AdoptVector(Napi::Env env, std::vector<T>&& values) {
  const size_t n = values.size();
  if (n * sizeof(T) >= (size_t{64} << 10)) {
    auto* owned = new std::vector<T>(std::move(values));
    napi_value buffer = nullptr;
    napi_status status = napi_create_external_arraybuffer(
        env, owned->data(), n * sizeof(T), [](napi_env, void*, void* hint) { delete static_cast<std::vector<T>*>(hint); },
        owned, &buffer);
    if (status == napi_ok) return Napi::TypedArrayOf<T>::New(env, n, Napi::ArrayBuffer(env, buffer), 0);
    values = std::move(*owned);
    delete owned;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored = nullptr;
      napi_get_and_clear_last_exception(env, &ignored);
    }
  }
  auto out = Napi::TypedArrayOf<T>::New(env, n);
  if (n > 0) std::memcpy(out.Data(), values.data(), n * sizeof(T));
  return out;
}

/** rows * cols as size_t, refusing overflow. */
inline size_t CheckedProduct(int64_t a, int64_t b, const char* what) {
  if (a < 0 || b < 0) throw ArgError{ArgError::Range, std::string(what) + " must not be negative"};
  if (b != 0 && static_cast<uint64_t>(a) > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(b) / 8) {
    throw ArgError{ArgError::Range, std::string(what) + " is too large"};
  }
  return static_cast<size_t>(a) * static_cast<size_t>(b);
}

// ---------------------------------------------------------------------------------------------
// Handles: a tagged External holding a shared box. dispose() marks the handle dead for JS and
// drops the External's share; the library object is freed when the last share goes (an async
// worker or a dependent handle may still hold one).
// ---------------------------------------------------------------------------------------------

struct BoxBase {
  virtual ~BoxBase() = default;
};

template <class Traits>
struct Box : BoxBase {
  using Raw = typename Traits::Raw;
  Raw raw = nullptr;
  std::vector<std::shared_ptr<BoxBase>> deps;  // what must outlive this handle (e.g. training data)
  std::mutex mu;                               // serializes calls the library does not lock itself
  explicit Box(Raw r) : raw(r) {
    if (raw != nullptr) live.fetch_add(1, std::memory_order_relaxed);
  }
  ~Box() override {
    if (raw != nullptr) {
      Traits::Free(raw);
      live.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  // Library objects of this kind not yet freed, in this addon (process-wide): a debug counter
  // for leak tests, one relaxed atomic add per create and per free.
  static inline std::atomic<int64_t> live{0};
};

/** liveHandles(): {Kind: count} of library objects not yet freed, for each handle kind given. */
template <class... Traits>
Napi::Value LiveHandles(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);
  (out.Set(Traits::kName, Napi::Number::New(env, static_cast<double>(Box<Traits>::live.load()))), ...);
  return out;
}

template <class Traits>
struct Slot {
  std::shared_ptr<Box<Traits>> box;
};

template <class Traits>
Napi::External<Slot<Traits>> WrapHandle(Napi::Env env, std::shared_ptr<Box<Traits>> box) {
  auto* slot = new Slot<Traits>{std::move(box)};
  auto ext = Napi::External<Slot<Traits>>::New(env, slot, [](Napi::Env, Slot<Traits>* s) { delete s; });
  ext.TypeTag(&Traits::kTag);
  return ext;
}

/** The live box behind a handle argument; ParameterError for wrong kinds, DisposedError after dispose. */
template <class Traits>
std::shared_ptr<Box<Traits>> ReadHandle(const Napi::CallbackInfo& info, size_t i, const char* name,
                                        bool allowNull = false) {
  Napi::Value v = Arg(info, i);
  if (allowNull && (v.IsNull() || v.IsUndefined())) return nullptr;
  if (!v.IsExternal()) {
    throw ArgError{ArgError::Type, std::string("'") + name + "' must be a " + Traits::kName + " handle, got " + Describe(v)};
  }
  auto ext = v.As<Napi::External<Slot<Traits>>>();
  if (!ext.CheckTypeTag(&Traits::kTag)) {
    throw ArgError{ArgError::Type, std::string("'") + name + "' must be a " + Traits::kName + " handle, got another kind of handle"};
  }
  auto* slot = ext.Data();
  if (!slot->box) throw ArgError{ArgError::Disposed, Traits::kName};
  return slot->box;
}

/** Drops the handle's share of its box; a second call is a no-op. Returns whether it was live. */
template <class Traits>
bool DisposeHandle(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = Arg(info, i);
  if (!v.IsExternal()) throw ArgError{ArgError::Type, std::string("'") + name + "' must be a " + Traits::kName + " handle, got " + Describe(v)};
  auto ext = v.As<Napi::External<Slot<Traits>>>();
  if (!ext.CheckTypeTag(&Traits::kTag)) throw ArgError{ArgError::Type, std::string("'") + name + "' must be a " + Traits::kName + " handle, got another kind of handle"};
  bool live = static_cast<bool>(ext.Data()->box);
  ext.Data()->box.reset();
  return live;
}

// ---------------------------------------------------------------------------------------------
// Logging: a library's log lines delivered to a JS logger from any thread, through a
// thread-safe function (so it works per environment, under worker_threads).
// ---------------------------------------------------------------------------------------------

struct LogSink {
  Napi::ThreadSafeFunction tsfn;
  napi_env env = nullptr;
};

/** A sink for `fn` (a function, or null/undefined for none); an ArgError for anything else. */
inline std::shared_ptr<LogSink> MakeLogSink(Napi::Env env, Napi::Value fn, const char* resourceName) {
  if (fn.IsNull() || fn.IsUndefined()) return nullptr;
  if (!fn.IsFunction()) throw ArgError{ArgError::Type, "'logger' must be a function or null, got " + Describe(fn)};
  auto sink = std::make_shared<LogSink>();
  sink->tsfn = Napi::ThreadSafeFunction::New(env, fn.As<Napi::Function>(), resourceName, 0, 1);
  sink->tsfn.Unref(env);  // a logger must not keep the process alive
  sink->env = env;
  return sink;
}

/** Queues one line for the logger (trailing whitespace trimmed, empty lines dropped). */
inline void EmitLogLine(const std::shared_ptr<LogSink>& sink, std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (!sink || line.empty()) return;
  auto* copy = new std::string(std::move(line));
  napi_status st = sink->tsfn.NonBlockingCall(copy, [](Napi::Env env, Napi::Function fn, std::string* text) {
    std::unique_ptr<std::string> owned(text);
    if (env == nullptr) return;
    try {
      fn.Call({Napi::String::New(env, *owned)});
    } catch (const Napi::Error& e) {
      e.ThrowAsJavaScriptException();  // a throwing logger surfaces as an uncaught exception
    }
  });
  if (st != napi_ok) delete copy;
}

// ---------------------------------------------------------------------------------------------
// Calls: sync wrappers turn ArgError into JS exceptions; the Promise worker runs `work` on the
// libuv pool and `done` back on the JS thread.
// ---------------------------------------------------------------------------------------------

/** Failure of a library call, captured on the thread where it happened. */
struct LibFailure {
  std::string function;
  int code = 0;
  std::string message;
};

template <class F>
Napi::Value Guard(const Napi::CallbackInfo& info, F&& f) {
  Napi::Env env = info.Env();
  try {
    return f();
  } catch (const ArgError& e) {
    MakeArgError(env, e).ThrowAsJavaScriptException();
  } catch (const LibFailure& e) {
    MakeNativeError(env, e.function, e.code, e.message).ThrowAsJavaScriptException();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    MakeNativeError(env, "", -1, "out of memory").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    MakeNativeError(env, "", -1, e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

/** Every addon's `init(classes)` binding: RegisterErrorClasses, a bad argument thrown as a TypeError. */
inline Napi::Value InitErrorClasses(const Napi::CallbackInfo& info) {
  return Guard(info, [&]() -> Napi::Value {
    RegisterErrorClasses(info);
    return info.Env().Undefined();
  });
}

/**
 * One long-lived native thread per addon that runs all asynchronous library work in order.
 * OpenMP keeps a thread team per calling thread; if successive iterations ran on different libuv
 * pool threads, several teams would exist and their idle threads would spin against the working
 * team, halving throughput on small machines. Funnelling async work through one thread keeps one
 * team, as a Python caller has. (XGBoost also keeps per-thread state: its log callback, global
 * configuration and prediction caches, which is why its addon runs every call here.)
 *
 * Each addon (.node file, hidden symbols) has its own instance. `SetThreadInit` registers a hook
 * that runs on the thread before any task (e.g. registering a library's per-thread log callback);
 * `Run` called from a task runs inline (re-entrant), `Post` queues without waiting.
 */
class Executor {
 public:
  static Executor& Instance() {
    static Executor* instance = new Executor();  // process lifetime; never destroyed
    return *instance;
  }

  /** Runs once on the executor thread before its first task; set it before the first task is queued. */
  void SetThreadInit(std::function<void()> init) {
    std::lock_guard<std::mutex> lock(mu_);
    init_ = std::move(init);
  }

  /** Whether the caller is the executor thread. */
  bool OnThread() const { return std::this_thread::get_id() == id_; }

  /** Runs fn on the executor thread and waits; rethrows what fn threw. Inline on the executor thread. */
  void Run(const std::function<void()>& fn) {
    if (OnThread()) {
      fn();
      return;
    }
    // The task refers to fn, not a copy: fn's captures (e.g. an input copy that goes back to
    // InputBufferPool) are released by the caller after done.get(), not later on the executor.
    std::packaged_task<void()> task([&fn]() { fn(); });
    std::future<void> done = task.get_future();
    Enqueue(std::move(task));
    done.get();
  }

  /** Runs f on the executor thread and returns its result (or rethrows its exception). */
  template <class F>
  auto Call(F&& f) -> decltype(f()) {
    using R = decltype(f());
    if (OnThread()) return f();
    std::packaged_task<R()> task(std::forward<F>(f));
    std::future<R> result = task.get_future();
    Enqueue(std::packaged_task<void()>([&task]() { task(); }));
    return result.get();
  }

  /** Queues fn without waiting (frees, loop steps); what it throws is dropped. */
  void Post(std::function<void()> fn) {
    Enqueue(std::packaged_task<void()>(std::move(fn)));
  }

 private:
  Executor() {
    std::thread t([this]() { Loop(); });
    id_ = t.get_id();
    t.detach();
  }
  void Enqueue(std::packaged_task<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
  }
  void Loop() {
    bool initialized = false;
    for (;;) {
      std::packaged_task<void()> task;
      std::function<void()> init;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this]() { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
        if (!initialized) init = init_;
      }
      if (!initialized) {
        initialized = true;
        if (init) init();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<void()>> queue_;
  std::function<void()> init_;
  std::thread::id id_;
};

class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;                   // runs off the JS thread; throws LibFailure
  using Done = std::function<Napi::Value(Napi::Env)>;  // runs on the JS thread

  PromiseWorker(Napi::Env env, Work work, Done done)
      : Napi::AsyncWorker(env, "kdap:native"), deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)), done_(std::move(done)) {}

  /** Keeps a JS value (an input array) alive until the worker settles. */
  void Keep(Napi::Value v) {
    if (v.IsObject()) kept_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      Executor::Instance().Run(work_);
    } catch (const LibFailure& f) {
      failure_ = f;
      SetError(f.message);
    } catch (const std::bad_alloc&) {
      failure_ = LibFailure{"", -1, "out of memory"};
      SetError("out of memory");
    } catch (const std::exception& e) {
      failure_ = LibFailure{"", -1, e.what()};
      SetError(e.what());
    }
  }
  // Settling runs on the JS thread, but that thread may be a worker whose environment is shutting
  // down (worker.terminate() mid-call): then creating values or settling throws, and there is no
  // one left to tell, so the failure is dropped instead of escaping into std::terminate.
  void OnOK() override {
    Napi::Env env = Env();
    try {
      Napi::HandleScope scope(env);
      try {
        deferred_.Resolve(done_(env));
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
      }
    } catch (...) {
    }
    kept_.clear();
  }
  void OnError(const Napi::Error&) override {
    Napi::Env env = Env();
    try {
      Napi::HandleScope scope(env);
      deferred_.Reject(MakeNativeError(env, failure_.function, failure_.code, failure_.message).Value());
    } catch (...) {
    }
    kept_.clear();
  }

 private:
  Napi::Promise::Deferred deferred_;
  Work work_;
  Done done_;
  LibFailure failure_;
  std::vector<Napi::ObjectReference> kept_;
};

/** Queues a worker and returns its Promise; ArgError while preparing becomes a rejection-free throw. */
inline Napi::Value Queue(PromiseWorker* w) {
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}


// ---------------------------------------------------------------------------------------------
// Training loop, shared by both bindings: the rounds run on the executor thread one after the
// other, as Python's xgboost.train and lightgbm.train call the C API from one thread without
// returning in between, and only results travel to JS (through a thread-safe function). A
// binding supplies the step:
//
//   struct Step {
//     using Result = ...;                                    // what one round hands to JS
//     Result operator()(int iter);                           // executor thread: one round + its evaluation
//     static Napi::Value ToJs(Napi::Env, const Result&);     // JS thread
//     using Prediction = float | double;                     // for best-round predictions:
//     std::vector<WatchedScore> Watched(const Result&);      //   executor: the scores early stopping watches
//     void CopyPredictions(BestRoundPredictions<Prediction>::Sets&);  // executor: the library's predictions now
//   };
//
// JS hears of rounds in one of three ways (`Answers`): not at all (nothing to report: no hop per
// round), after each round without holding the next one back (history and progress: the next
// round trains while JS records this one), or after each round with the next one waiting for
// its answer (early stopping: a round is never trained past the stopping point). `stop()` ends
// training before the next round, so an abort lands within one round. The executor is never
// held while JS runs, so a JS callback may itself call the binding synchronously.
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Best-round predictions: after each round the library already holds its predictions for the
// training data and each validation set (LightGBM's score updaters, XGBoost's prediction cache).
// Early stopping names the best round only `rounds` rounds later, when those predictions have
// moved on, so they are copied on the executor at every round that improves a watched score,
// by the rule of @kdap/napi-common's EarlyStopping (direction per score, minDelta, first round
// always). The JS side then takes the copy of the round early stopping named, or gets nothing
// (a round the rule here judged differently, rounds trained past the stopping point that
// improved again): callers predict as before, never with another round's predictions.
// A binding that can bring an earlier round's copy forward exactly (LightGBM: add the leaf values
// of the later trees in their order, as its score updater does) asks for sparse checkpoints
// (`every` > 1): an improving round is copied only `every` rounds or more after the last copy,
// and a score that improved in between refers to that last copy. `TakeCheckpoint` then hands out
// the copy together with the round it was taken at (at most `every` - 1 rounds before the best).
// ---------------------------------------------------------------------------------------------

/** One evaluation score of a round that early stopping may stop on. */
struct WatchedScore {
  double value;
  bool higherBetter;
};

template <class T>
class BestRoundPredictions {
 public:
  /** One vector per data set, in the binding's order (an empty one where the binding skips a set). */
  using Sets = std::vector<std::vector<T>>;

  /** A copy handed out: the 0-based round it was taken at and its data sets. */
  struct Taken {
    int iter;
    Sets sets;
  };

  /**
   * `finish`, when given, runs on the copy Take hands out (JS thread), e.g. the library's output
   * transformation of copied margins; a throw there gives undefined. `every` >= 1: the fewest
   * rounds between two copies (1: every improving round is copied).
   */
  explicit BestRoundPredictions(double minDelta, std::function<void(Sets&)> finish = nullptr, int every = 1)
      : minDelta_(minDelta), finish_(std::move(finish)), every_(every < 1 ? 1 : every) {}

  /**
   * Executor thread, after round `iter`: records the watched scores and, when one improved,
   * fills a copy through `copy(Sets&)` unless the last copy is fewer than `every` rounds old (the
   * improved scores then refer to that one). One copy per distinct copy a watched score refers
   * to (one with a single watched score): a copy nothing refers to any more is refilled in place.
   * A failing copy drops everything (the JS side then predicts), it never fails training.
   */
  template <class Copy>
  void Record(int iter, const std::vector<WatchedScore>& scores, Copy&& copy) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    const bool first = best_.empty();
    if (first) best_.resize(scores.size());
    if (scores.size() != best_.size()) return Close();  // not the same scores every round
    improved_.clear();
    for (size_t i = 0; i < scores.size(); i++) {
      const WatchedScore& s = scores[i];
      const Best& b = best_[i];
      if (first || (s.higherBetter ? s.value > b.value + minDelta_ : s.value < b.value - minDelta_)) improved_.push_back(i);
    }
    if (improved_.empty()) return;
    for (size_t i : improved_) best_[i].copy.reset();
    if (!latest_ || iter - latest_->iter >= every_) {
      latest_.reset();
      std::shared_ptr<Copied> fresh;
      for (auto& c : pool_) {
        if (c.use_count() == 1) fresh = c;  // only the pool holds it
      }
      try {
        if (!fresh) {
          fresh = std::make_shared<Copied>();
          pool_.push_back(fresh);
        }
        fresh->iter = -1;
        copy(fresh->sets);
        fresh->iter = iter;
      } catch (...) {
        return Close();
      }
      latest_ = fresh;
    }
    for (size_t i : improved_) {
      best_[i].value = scores[i].value;
      best_[i].iter = iter;
      best_[i].copy = latest_;
    }
  }

  /**
   * JS thread: the copy a watched score whose best round is `iter` refers to, moved out, with the
   * round it was taken at (`iter` itself when `every` is 1); everything is released either way
   * and nothing is recorded after.
   */
  std::optional<Taken> TakeCheckpoint(int iter) {
    std::lock_guard<std::mutex> lock(mu_);
    std::optional<Taken> out;
    for (auto& b : best_) {
      if (b.copy && b.iter == iter && b.copy->iter >= 0 && !out) out = Taken{b.copy->iter, std::move(b.copy->sets)};
    }
    if (out && finish_) {
      try {
        finish_(out->sets);
      } catch (...) {
        out.reset();
      }
    }
    Close();
    return out;
  }

 private:
  struct Copied {
    int iter = -1;
    Sets sets;
  };
  struct Best {
    double value = 0;
    int iter = -1;  // the round of `value`
    std::shared_ptr<Copied> copy;
  };

  void Close() {
    closed_ = true;
    best_.clear();
    latest_.reset();
    pool_.clear();
    finish_ = nullptr;  // it may hold the booster
  }

  std::mutex mu_;
  double minDelta_;
  std::function<void(Sets&)> finish_;
  int every_;
  bool closed_ = false;
  std::vector<Best> best_;
  std::shared_ptr<Copied> latest_;  // the last copy taken
  std::vector<std::shared_ptr<Copied>> pool_;
  std::vector<size_t> improved_;
};

enum class Answers { None, Pipelined, Awaited };

/**
 * A step may end training itself: with `bool Ended() const`, the loop ends before the next round
 * once it is true (e.g. early stopping decided natively, so a pipelined loop trains no round past
 * the stopping point while JS's verdict is on its way).
 */
template <class S, class = void>
struct StepCanEnd : std::false_type {};
template <class S>
struct StepCanEnd<S, std::void_t<decltype(std::declval<const S&>().Ended())>> : std::true_type {};

template <class Step>
class TrainLoop {
 public:
  using Result = typename Step::Result;
  using Best = BestRoundPredictions<typename Step::Prediction>;

  /**
   * Starts `rounds` rounds and returns `{ done: Promise<number>, stop() }`; `done` resolves with
   * the number of rounds trained, or rejects with the library's error or what `onRound` threw.
   * `onRound(iter, result)` returns true to stop (Awaited; in Pipelined mode a true answer stops
   * too, but rounds already running are finished). Posts through `post` (the binding's executor
   * entry, which may apply per-thread setup first). With `best`, each round's watched scores go
   * to it (copying the library's predictions at an improvement) and the result also has
   * `takeBestPredictions(iter)`: the copy of 0-based round `iter` as an array of typed arrays (one
   * per data set), or undefined; it releases every copy, so call it once, after `done` settles.
   * `takeCheckpoint(iter)` likewise gives `{ iteration, sets }`: the copy a score whose best round
   * is `iter` refers to and the 0-based round it was taken at (earlier with sparse checkpoints).
   */
  static Napi::Object Start(Napi::Env env, Step step, int rounds, Answers answers, Napi::Value onRound,
                            std::function<void(std::function<void()>)> post, const char* resourceName,
                            std::shared_ptr<Best> best = nullptr) {
    if (answers != Answers::None && !onRound.IsFunction()) {
      throw ArgError{ArgError::Type, "'onRound' must be a function, got " + Describe(onRound)};
    }
    auto run = std::make_shared<Run>(env, std::move(step));
    run->rounds = rounds;
    run->answers = answers;
    run->post = std::move(post);
    run->best = best;
    Napi::Function fn = answers == Answers::None ? Napi::Function() : onRound.As<Napi::Function>();
    auto* context = new std::shared_ptr<Run>(run);
    run->tsfn = Events::New(env, fn, resourceName, 0, 1, context, [](Napi::Env, void*, std::shared_ptr<Run>* c) {
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
    std::weak_ptr<Run> weak = run;
    result.Set("stop", Napi::Function::New(env, [weak](const Napi::CallbackInfo& i) -> Napi::Value {
                 if (auto r = weak.lock()) r->stop = true;
                 return i.Env().Undefined();
               }, "stop"));
    if (best) {
      // takeBestPredictions(iter): the sets of a copy taken at round `iter` itself; takeCheckpoint(iter):
      // { iteration, sets } of the copy best round `iter` refers to.
      auto take = [best](bool withRound) {
        return [best, withRound](const Napi::CallbackInfo& i) -> Napi::Value {
          return Guard(i, [&]() -> Napi::Value {
            Napi::Env e = i.Env();
            int iter = static_cast<int>(ReadInt(i, 0, "iter", -1, INT32_MAX));
            auto taken = best->TakeCheckpoint(iter);
            if (!taken || (!withRound && taken->iter != iter)) return e.Undefined();
            Napi::Array sets = Napi::Array::New(e, taken->sets.size());
            for (size_t k = 0; k < taken->sets.size(); k++) sets.Set(static_cast<uint32_t>(k), AdoptVector(e, std::move(taken->sets[k])));
            if (!withRound) return sets;
            Napi::Object out = Napi::Object::New(e);
            out.Set("iteration", Napi::Number::New(e, taken->iter));
            out.Set("sets", sets);
            return out;
          });
        };
      };
      result.Set("takeBestPredictions", Napi::Function::New(env, take(false), "takeBestPredictions"));
      result.Set("takeCheckpoint", Napi::Function::New(env, take(true), "takeCheckpoint"));
    }
    run->post([run]() { RunStep(run, 0); });
    return result;
  }

 private:
  struct Run;

  struct Event {
    enum Kind { Round, Done, Failed } kind = Done;
    int iter = 0;  // Round: the round just trained; Done: rounds trained
    Result result{};
    LibFailure failure;
    bool argFailure = false;  // failure.message is an ArgError's (e.g. a handle disposed meanwhile)
    ArgError::Kind argKind = ArgError::Range;
  };

  static void OnEvent(Napi::Env env, Napi::Function onRound, std::shared_ptr<Run>* context, Event* data);
  using Events = Napi::TypedThreadSafeFunction<std::shared_ptr<Run>, Event, OnEvent>;

  struct Run {
    // Reset on the JS thread once no round can run any more (Done, Failed, or an Awaited run
    // settled between rounds): what the step holds (the booster and, through it, its Datasets)
    // is freed when training ends, not when Node finalizes the thread-safe function a tick later.
    std::optional<Step> step;
    std::shared_ptr<Best> best;  // best-round predictions, when asked for
    int rounds = 0;
    Answers answers = Answers::None;
    std::function<void(std::function<void()>)> post;
    std::atomic<bool> stop{false};
    Events tsfn;
    // Node frees the thread-safe function when its environment goes (worker.terminate()) even if
    // this run still holds it; calls after that would touch freed memory.
    std::mutex tsfnMu;
    bool tsfnGone = false;
    Napi::Promise::Deferred deferred;  // settled on the JS thread only
    bool settled = false;              // JS thread only
    bool released = false;             // JS thread only

    Run(Napi::Env env, Step s) : step(std::in_place, std::move(s)), deferred(Napi::Promise::Deferred::New(env)) {}
  };

  /** Settles the run's promise once, on the JS thread. */
  static void Settle(Napi::Env env, Run& run, const std::function<void()>& settle) {
    if (run.settled) return;
    run.settled = true;
    run.stop = true;
    try {
      Napi::HandleScope scope(env);
      settle();
    } catch (...) {
      // The environment is shutting down (worker terminated): no one is left to tell.
    }
  }

  /** Lets the process exit again; only once no more events can come. */
  static void Release(Run& run) {
    if (run.released) return;
    run.released = true;
    run.tsfn.Release();
  }

  /** Hands an event to the JS thread; false when the environment is gone (the run then stops). */
  static bool Send(const std::shared_ptr<Run>& run, std::unique_ptr<Event> ev) {
    std::lock_guard<std::mutex> lock(run->tsfnMu);
    if (run->tsfnGone || run->tsfn.NonBlockingCall(ev.get()) != napi_ok) {
      run->stop = true;
      return false;
    }
    ev.release();
    return true;
  }

  /** One round on the executor thread; unless JS must answer first, queues the next one itself. */
  static void RunStep(const std::shared_ptr<Run>& run, int iter) {
    auto ev = std::make_unique<Event>();
    ev->iter = iter;
    bool ended = false;
    if constexpr (StepCanEnd<Step>::value) ended = run->step->Ended();
    if (iter >= run->rounds || run->stop || ended) {
      ev->kind = Event::Done;
      Send(run, std::move(ev));
      return;
    }
    try {
      ev->result = (*run->step)(iter);
      ev->kind = Event::Round;
      if (run->best) {
        Step& step = *run->step;
        run->best->Record(iter, step.Watched(ev->result), [&step](typename Best::Sets& sets) { step.CopyPredictions(sets); });
      }
    } catch (const LibFailure& f) {
      ev->kind = Event::Failed;
      ev->failure = f;
    } catch (const ArgError& e) {
      ev->kind = Event::Failed;
      ev->argFailure = true;
      ev->argKind = e.kind;
      ev->failure = LibFailure{"", -1, e.message};
    } catch (const std::bad_alloc&) {
      ev->kind = Event::Failed;
      ev->failure = LibFailure{"", -1, "out of memory"};
    } catch (const std::exception& e) {
      ev->kind = Event::Failed;
      ev->failure = LibFailure{"", -1, e.what()};
    }
    if (ev->kind == Event::Round && run->answers != Answers::Awaited) {
      if (run->answers == Answers::Pipelined && !Send(run, std::move(ev))) return;
      int next = iter + 1;
      run->post([run, next]() { RunStep(run, next); });
      return;
    }
    Send(run, std::move(ev));
  }
};

template <class Step>
void TrainLoop<Step>::OnEvent(Napi::Env env, Napi::Function onRound, std::shared_ptr<Run>* context, Event* data) {
  std::unique_ptr<Event> ev(data);
  std::shared_ptr<Run> run = *context;
  if (env == nullptr) {  // torn down with the environment
    run->stop = true;
    return;
  }
  if (ev->kind == Event::Done) {
    run->step.reset();
    Settle(env, *run, [&]() { run->deferred.Resolve(Napi::Number::New(env, ev->iter)); });
    Release(*run);
    return;
  }
  if (ev->kind == Event::Failed) {
    run->step.reset();
    Settle(env, *run, [&]() {
      Napi::Error e = ev->argFailure ? MakeArgError(env, ArgError{ev->argKind, ev->failure.message})
                                     : MakeNativeError(env, ev->failure.function, ev->failure.code, ev->failure.message);
      run->deferred.Reject(e.Value());
    });
    Release(*run);
    return;
  }
  if (run->settled) return;  // Pipelined rounds that finished after JS ended the run
  bool stopHere = false;
  try {
    Napi::HandleScope scope(env);
    Napi::Value answer = onRound.Call({Napi::Number::New(env, ev->iter), Step::ToJs(env, ev->result)});
    stopHere = answer.ToBoolean().Value();
  } catch (const Napi::Error& e) {
    Napi::Value error = e.Value();
    Settle(env, *run, [&]() { run->deferred.Reject(error); });
    if (run->answers == Answers::Awaited) {  // Pipelined: the loop still sends Done
      run->step.reset();
      Release(*run);
    }
    return;
  }
  if (run->answers == Answers::Pipelined) {
    if (stopHere) run->stop = true;  // the loop ends at its next round and sends Done
    return;
  }
  if (stopHere || run->stop || ev->iter + 1 >= run->rounds) {
    run->step.reset();  // Awaited: the executor waits for this answer, no round is running
    Settle(env, *run, [&]() { run->deferred.Resolve(Napi::Number::New(env, ev->iter + 1)); });
    Release(*run);
    return;
  }
  int next = ev->iter + 1;
  run->post([run, next]() { RunStep(run, next); });
}

}  // namespace kdap
