// Training: one round, one evaluation (sync and async) and the native training loop.
#include <xgboost/c_api.h>
#include <kdap/napi_common.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <stdexcept>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "binary_auc.h"
#include "bindings.h"
#include "convert.h"
#include "model_check.h"
#include "state.h"

namespace xgbnode {

std::atomic<int64_t> gNativeAucEvaluations{0};

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

/** Metrics where larger is better, as booster.ts's maximizeMetric (XGBoost's Python EarlyStopping). */
bool MaximizeMetric(const std::string& metric) {
  if (metric == "mape") return false;
  for (const char* m : {"auc", "aucpr", "map", "ndcg"}) {
    if (metric.rfind(m, 0) == 0) return true;
  }
  return false;
}

struct TrainStep {
  using Result = std::string;  // XGBoost's evaluation text ("[3]\tvalid-logloss:0.41 ...")
  using Prediction = float;
  std::shared_ptr<BoosterState> b;
  std::shared_ptr<DMatrixState> dtrain;
  std::vector<std::shared_ptr<DMatrixState>> dmats;
  std::vector<std::string> names;
  int maximize = -1;  // the watched score's direction: 1 / 0 as Booster.train's `maximize`, -1 by the metric's name
  // Early stopping as Booster.train's EarlyStopping decides it (XGBoost's Python callback: the
  // watched score, min_delta 0), so the loop ends at the stopping point without waiting for JS's
  // verdict each round. 0: JS alone decides (no early stopping, or a text Watched cannot read).
  int stopAfter = 0;
  double bestScore = 0;
  int stale = -1;  // rounds since the best one; -1 before the first
  // The booster's only metric is binary:logistic's "auc": each set's AUC is computed here from the
  // cached margins (binary_auc.h) instead of by XGBoosterEvalOneIter. -1: not known before round 1.
  int nativeAuc = -1;
  // The first round is evaluated both ways and the texts compared; on a difference (a libxgboost
  // built with other arithmetic, XGBOOST_ROOT) XGBoost evaluates every round.
  bool aucVerified = false;
  AucScratch aucScratch;
  // The margins this round's evaluation copied from the cache, one slot per set as CopyPredictions
  // fills them ([0] dtrain, [k + 1] dmats[k]), and which slots hold this round's (`marginsIter`).
  std::vector<std::vector<float>> margins;
  std::vector<char> marginsFilled;
  int marginsIter = -1;
  size_t aucNative = 0;  // sets of this round's EvalAuc computed here

  std::string operator()(int iter) {
    UpdateOneIter(UpdateArgs{b, iter, dtrain});
    std::string text;
    if (!dmats.empty()) {
      if (nativeAuc < 0) nativeAuc = NativeAucApplies() ? 1 : 0;
      if (nativeAuc == 1) {
        text = EvalAuc(iter);
        if (!aucVerified) {
          std::string own = EvalOneIter(EvalArgs{b, iter, dmats, names});
          aucVerified = true;
          if (own != text) nativeAuc = 0;
          text = own;
        } else {
          gNativeAucEvaluations.fetch_add(static_cast<int64_t>(aucNative), std::memory_order_relaxed);
        }
      } else {
        text = EvalOneIter(EvalArgs{b, iter, dmats, names});
      }
    }
    if (stopAfter > 0) TrackStop(text);
    return text;
  }

  /**
   * Whether XGBoost would evaluate exactly binary_auc.h's metric: objective binary:logistic (its
   * sigmoid), the one metric "auc", gbtree, one output. Read from the booster's configuration
   * after the first round (XGBoost configures the learner then); anything unreadable: no.
   */
  bool NativeAucApplies() {
    return OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      b->CheckUsable();
      bst_ulong len = 0;
      const char* text = nullptr;
      if (XGBoosterSaveJsonConfig(b->raw, &len, &text) != 0 || text == nullptr) return false;
      try {
        kdap_xgb::Doc root = kdap_xgb::JsonParser(reinterpret_cast<const uint8_t*>(text), len).Parse();
        const kdap_xgb::Doc* learner = root.Get("learner");
        if (learner == nullptr) return false;
        auto textAt = [](const kdap_xgb::Doc* d, const char* key) -> std::string {
          const kdap_xgb::Doc* v = d == nullptr ? nullptr : d->Get(key);
          return v != nullptr && v->kind == kdap_xgb::Doc::String ? v->text : std::string("?");
        };
        const kdap_xgb::Doc* metrics = learner->Get("metrics");
        if (metrics == nullptr || metrics->kind != kdap_xgb::Doc::Array || metrics->items.size() != 1) return false;
        const kdap_xgb::Doc* modelParam = learner->Get("learner_model_param");
        return textAt(&metrics->items[0], "name") == "auc" && textAt(learner->Get("objective"), "name") == "binary:logistic" &&
               textAt(learner->Get("gradient_booster"), "name") == "gbtree" && textAt(modelParam, "num_class") == "0" &&
               textAt(modelParam, "num_target") == "1";
      } catch (const kdap_xgb::ModelError&) {
        return false;
      }
    });
  }

  /**
   * XGBoost's evaluation text for this round ("[i]\tname-auc:value" per set, the value printed as
   * XGBoost's ostream prints it: fixed, 17 digits), each set's AUC from binary_auc.h, or from
   * XGBoost for a set binary_auc.h leaves to it (one class, ranking groups, a NaN margin).
   */
  std::string EvalAuc(int iter) {
    aucNative = 0;
    margins.resize(dmats.size() + 1);
    marginsFilled.assign(dmats.size() + 1, 0);
    marginsIter = iter;
    std::string text = "[" + std::to_string(iter) + "]";
    for (size_t k = 0; k < dmats.size(); k++) {
      size_t slot = dmats[k]->raw == dtrain->raw ? 0 : k + 1;
      double auc = 0;
      if (SetAuc(dmats[k], slot, &auc)) {
        char value[64];
        std::snprintf(value, sizeof value, "%.17f", auc);
        text += "\t" + names[k] + "-auc:" + value;
        aucNative++;
      } else {
        std::string own = EvalOneIter(EvalArgs{b, iter, {dmats[k]}, {names[k]}});
        size_t end = own.find(']');
        text += end == std::string::npos ? own : own.substr(end + 1);
      }
    }
    return text;
  }

  /** The AUC of one set from its cached margins, kept in margins[slot]; false: ask XGBoost. */
  bool SetAuc(const std::shared_ptr<DMatrixState>& dm, size_t slot, double* auc) {
    return OnXGBoostThread([&]() {
      ModelWriteLock lock(b.get());
      b->CheckUsable();
      std::lock_guard<std::mutex> data(dm->mu);
      std::vector<float>& out = margins[slot];
      if (!marginsFilled[slot]) {
        CachedMargins(dm, out);
        marginsFilled[slot] = 1;
      }
      bst_ulong labelsLen = 0, weightsLen = 0, groupsLen = 0;
      const float* labels = nullptr;
      const float* weights = nullptr;
      const unsigned* groups = nullptr;
      b->Check(XGDMatrixGetFloatInfo(dm->raw, "label", &labelsLen, &labels), "XGDMatrixGetFloatInfo");
      b->Check(XGDMatrixGetFloatInfo(dm->raw, "weight", &weightsLen, &weights), "XGDMatrixGetFloatInfo");
      b->Check(XGDMatrixGetUIntInfo(dm->raw, "group_ptr", &groupsLen, &groups), "XGDMatrixGetUIntInfo");
      // Ranking groups are XGBoost's ranking AUC; other shapes are its business too.
      if (groupsLen != 0 || labelsLen != out.size() || (weightsLen != 0 && weightsLen != out.size())) return false;
      return BinaryRocAuc(out.data(), labels, weightsLen == 0 ? nullptr : weights, out.size(), aucScratch, auc);
    });
  }

  /**
   * The margins XGBoost holds in its prediction cache for `dm` after this round (the caller holds
   * the booster's and the matrix's locks): XGBoosterPredictFromDMatrix over the whole model, type
   * 1, is a cache hit there and what XGBoosterEvalOneIter itself reads (PredictRaw).
   */
  void CachedMargins(const std::shared_ptr<DMatrixState>& dm, std::vector<float>& out) {
    // int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, char const *config,
    //     bst_ulong const **out_shape, bst_ulong *out_dim, float const **out_result);
    static const char* const kConfig =
        "{\"type\":1,\"training\":false,\"iteration_begin\":0,\"iteration_end\":0,\"strict_shape\":false}";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* values = nullptr;
    b->Check(XGBoosterPredictFromDMatrix(b->raw, dm->raw, kConfig, &shape, &dim, &values), "XGBoosterPredictFromDMatrix");
    size_t n = dim == 0 ? 0 : 1;
    for (bst_ulong i = 0; i < dim; i++) n *= static_cast<size_t>(shape[i]);
    out.assign(values, values + n);
  }
  static Napi::Value ToJs(Napi::Env env, const std::string& text) { return Napi::String::New(env, text); }

  /** TrainLoop ends before the next round once early stopping would stop here. */
  bool Ended() const { return stopAfter > 0 && stale >= stopAfter; }

  void TrackStop(const std::string& text) {
    std::vector<kdap::WatchedScore> watched = Watched(text);
    if (watched.size() != 1) {
      stopAfter = 0;  // JS's verdict stops the loop instead
      return;
    }
    const kdap::WatchedScore& s = watched[0];
    if (stale < 0 || (s.higherBetter ? s.value > bestScore : s.value < bestScore)) {
      bestScore = s.value;
      stale = 0;
    } else {
      stale++;
    }
  }

  /**
   * The score Booster.train stops on: the last "name-metric:value" of the text, when it belongs
   * to the last evaluation set (parsed as parseEvalString does; a mismatch costs only the copy).
   */
  std::vector<kdap::WatchedScore> Watched(const std::string& text) const {
    std::vector<kdap::WatchedScore> out;
    size_t end = text.find_last_not_of(" \t\r\n");
    if (end == std::string::npos || names.empty()) return out;
    size_t start = text.find_last_of(" \t\r\n", end);
    start = start == std::string::npos ? 0 : start + 1;
    std::string item = text.substr(start, end + 1 - start);
    size_t colon = item.rfind(':');
    size_t dash = item.find('-');
    if (colon == std::string::npos || dash == std::string::npos || dash > colon || item.compare(0, dash, names.back()) != 0) return out;
    std::string metric = item.substr(dash + 1, colon - dash - 1);
    double value = std::strtod(item.c_str() + colon + 1, nullptr);
    out.push_back(kdap::WatchedScore{value, maximize < 0 ? MaximizeMetric(metric) : maximize == 1});
    return out;
  }

  /**
   * The margins XGBoost holds in its prediction cache for the training matrix and each evaluation
   * matrix after this round: XGBoosterPredictFromDMatrix over the whole model, type 1, is a cache
   * hit there (0.6 ms for 112,000 rows; type 0 transformed them too, 2-8 ms with 2 OpenMP threads
   * on a busy machine, as much per improving round as predicting again costs once). The copy that
   * is taken is transformed once, by TransformMargins. An evaluation set that is the training
   * matrix is left empty.
   */
  void CopyPredictions(std::vector<std::vector<float>>& sets) {
    sets.resize(dmats.size() + 1);
    // This round's evaluation copied some already (EvalAuc): handed over, their buffers swapped back for the next round.
    const bool evaluated = marginsIter >= 0 && marginsFilled.size() == sets.size();
    auto copy = [&](const std::shared_ptr<DMatrixState>& dm, size_t slot) {
      if (evaluated && marginsFilled[slot]) {
        std::swap(sets[slot], margins[slot]);
        marginsFilled[slot] = 0;
        return;
      }
      OnXGBoostThread([&]() {
        ModelWriteLock lock(b.get());
        b->CheckUsable();
        std::lock_guard<std::mutex> data(dm->mu);
        CachedMargins(dm, sets[slot]);
      });
    };
    copy(dtrain, 0);
    for (size_t k = 0; k < dmats.size(); k++) {
      if (dmats[k]->raw == dtrain->raw) {
        sets[k + 1].clear();
      } else {
        copy(dmats[k], k + 1);
      }
    }
  }
};

/**
 * XGBoost's own output transformation (the objective's PredTransform: float32 sigmoid for
 * binary:logistic, softmax, identity for regression) of margins copied from the cache: a DMatrix
 * of the rows with no values and the margins as base_margin, predicted (type 0) over an empty
 * round range (iteration_begin == iteration_end: no tree, the base margin only), so the result is
 * the bits `predict` gives at the round the margins came from. XGBoost thread.
 */
void TransformMargins(const std::shared_ptr<BoosterState>& b, std::vector<float>& margins, uint64_t rows) {
  if (margins.empty() || rows == 0) return;
  OnXGBoostThread([&]() {
    std::vector<float> noValues(rows, std::numeric_limits<float>::quiet_NaN());
    std::string data = ArrayInterface(noValues.data(), "<f4", {rows, 1});
    DMatrixHandle dm = nullptr;
    Check(XGDMatrixCreateFromDense(data.c_str(), "{\"missing\":NaN,\"nthread\":1}", &dm), "XGDMatrixCreateFromDense");
    std::unique_ptr<void, int (*)(DMatrixHandle)> owned(dm, XGDMatrixFree);
    uint64_t groups = margins.size() / rows;
    std::string base = ArrayInterface(margins.data(), "<f4", groups == 1 ? std::vector<uint64_t>{rows} : std::vector<uint64_t>{rows, groups});
    Check(XGDMatrixSetInfoFromInterface(dm, "base_margin", base.c_str()), "XGDMatrixSetInfoFromInterface");
    ModelWriteLock lock(b.get());
    b->CheckUsable();
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* values = nullptr;
    b->Check(XGBoosterPredictFromDMatrix(b->raw, dm,
                                         "{\"type\":0,\"training\":false,\"iteration_begin\":1,\"iteration_end\":1,\"strict_shape\":false}",
                                         &shape, &dim, &values),
             "XGBoosterPredictFromDMatrix");
    size_t n = dim == 0 ? 0 : 1;
    for (bst_ulong i = 0; i < dim; i++) n *= static_cast<size_t>(shape[i]);
    if (n != margins.size()) throw std::runtime_error("transformed predictions do not match the margins' shape");
    std::copy(values, values + n, margins.begin());
  });
}

// JS: (booster, dtrain, rounds, dmats, evnames, onRound | null, bestPredictions: -1 | 0 | 1 | null,
//     earlyStoppingRounds: number | null, earlyStoppingMaximize: -1 | 0 | 1)
//   -> { done: Promise<number>, stop(), takeBestPredictions?(iter) }
// bestPredictions (not null): copy the predictions at each round that improves the watched score,
// larger being better when 1, smaller when 0, by the metric's name when -1.
// earlyStoppingRounds (not null): the loop ends itself once the watched score (the last item of the
// evaluation text, when it is of the last set; direction as bestPredictions) has not improved for
// that many rounds, and onRound's answers are pipelined: each round is reported while the next trains.
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
    Napi::Value stopping = kdap::Arg(info, 7);
    if (!stopping.IsNull() && !stopping.IsUndefined()) {
      step.stopAfter = static_cast<int>(kdap::ReadInt(info, 7, "earlyStoppingRounds", 1, INT32_MAX));
      step.maximize = static_cast<int>(kdap::ReadInt(info, 8, "earlyStoppingMaximize", -1, 1));
      if (step.dmats.empty()) throw ArgError{ArgError::Range, "'earlyStoppingRounds' needs at least one evaluation DMatrix in 'dmats'"};
    }
    // Without early stopping, each round waits for JS's answer when JS wants one (evaluations,
    // progress); with it, the loop stops itself where JS's EarlyStopping will (the round trip to
    // JS per round is the only difference), and JS's answers only end it sooner (abort, a throw).
    kdap::Answers answers = !onRound.IsFunction() ? kdap::Answers::None
                            : step.stopAfter > 0  ? kdap::Answers::Pipelined
                                                  : kdap::Answers::Awaited;
    std::shared_ptr<kdap::BestRoundPredictions<float>> best;
    Napi::Value keep = kdap::Arg(info, 6);
    if (!keep.IsNull() && !keep.IsUndefined()) {
      int direction = static_cast<int>(kdap::ReadInt(info, 6, "bestPredictions", -1, 1));
      if (step.stopAfter > 0 && direction != step.maximize) {
        throw ArgError{ArgError::Range, "'bestPredictions' and 'earlyStoppingMaximize' must watch the score in the same direction"};
      }
      step.maximize = direction;
      std::vector<std::shared_ptr<DMatrixState>> sets{step.dtrain};
      sets.insert(sets.end(), step.dmats.begin(), step.dmats.end());
      auto finish = [b = step.b, sets](std::vector<std::vector<float>>& copies) {
        for (size_t k = 0; k < copies.size() && k < sets.size(); k++) TransformMargins(b, copies[k], sets[k]->rows);
      };
      best = std::make_shared<kdap::BestRoundPredictions<float>>(0.0, finish);  // XGBoost's EarlyStopping: min_delta 0
    }
    return kdap::TrainLoop<TrainStep>::Start(
        info.Env(), std::move(step), rounds, answers, onRound,
        [](std::function<void()> task) { XGBoostThread::Get().Post(std::move(task)); }, "kdap:xgboost-train",
        std::move(best));
  });
}

}  // namespace xgbnode
