// XGBoost's binary ROC AUC ("auc" of binary:logistic), computed from the margins in the booster's
// prediction cache with the same arithmetic, in the same order, so the value is the same double.
//
// Why: XGBoost's EvalOneIter transforms the cached margins (float sigmoid) and sorts every row's
// prediction with a comparison stable sort of 64-bit indices (common::ArgSort) each round. On the
// propensity trainer's 112,000 training rows that is ~8.6 ms a round, half of a round's time in
// Python's xgb.train as in ours. The AUC needs only the rows in prediction order, so here the
// predictions' float bits are radix-sorted (they are positive, so their bits order as the values)
// and XGBoost's accumulation (metric/auc.cc, BinaryAUC + EvalAUC::Eval, XGBoost 3.2.0) is
// replayed over them. Where XGBoost's own evaluation would answer otherwise than a number (an
// empty set, one class only, a NaN prediction, an AUC its check rejects), `BinaryRocAuc` returns
// false and the caller asks XGBoost.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace xgbnode {

/** XGBoost's float sigmoid (common::Sigmoid: binary:logistic's PredTransform), bit for bit. */
inline float XgbSigmoid(float x) {
  float constexpr kEps = 1e-16;  // as XGBoost: 1e-16 as a float, added after the 1
  x = std::min(-x, 88.7f);
  auto denom = expf(x) + 1.0f + kEps;
  return 1.0f / denom;
}

/** XGBoost's TrapezoidArea (metric/auc.h), same expression. */
inline double XgbTrapezoidArea(double x0, double x1, double y0, double y1) { return std::abs(x0 - x1) * (y0 + y1) * 0.5f; }

/** Buffers reused across rounds. */
struct AucScratch {
  std::vector<uint64_t> keys;  // prediction bits << 32 | row
  std::vector<uint64_t> tmp;
};

/**
 * The AUC XGBoost's "auc" metric reports for these margins (binary:logistic), `labels` and
 * optional `weights` (nullptr: every weight 1), as XGBoost computes it: predictions
 * XgbSigmoid(margin) ordered by value, largest first; the false- and true-positive sums accumulated
 * row by row in that order with XGBoost's float/double mix; one trapezoid per run of equal
 * predictions; divided by fp * tp and capped at 1. Returns false, leaving `out` alone, where
 * XGBoost's answer is not such a number (see the file comment). Rows are at most 2^32.
 */
inline bool BinaryRocAuc(const float* margins, const float* labels, const float* weights, size_t n, AucScratch& s, double* out) {
  if (n == 0 || n > 0xffffffffULL) return false;
  s.keys.resize(n);
  s.tmp.resize(n);
  uint64_t* keys = s.keys.data();
  uint64_t* tmp = s.tmp.data();
  // Three digits of the 32 prediction bits (11, 11, 10), counted in one pass.
  uint32_t count0[2048] = {0}, count1[2048] = {0}, count2[1024] = {0};
  for (size_t i = 0; i < n; i++) {
    float p = XgbSigmoid(margins[i]);
    uint32_t bits;
    std::memcpy(&bits, &p, sizeof bits);
    // Sigmoid values are positive and finite; NaN (a NaN margin) or anything else: XGBoost decides.
    if (!(p > 0.0f) || bits >= 0x7f800000u) return false;
    // Filled from the back: the stable sort keeps tied rows in descending row order, so the walk
    // from the largest prediction down meets them in ascending order, as XGBoost's stable ArgSort
    // (std::greater) does; with weights or soft labels their sums depend on that order.
    keys[n - 1 - i] = (static_cast<uint64_t>(bits) << 32) | static_cast<uint64_t>(i);
    count0[bits & 2047u]++;
    count1[(bits >> 11) & 2047u]++;
    count2[bits >> 22]++;
  }
  // LSD radix sort by the prediction bits (stable, ascending); a digit all rows share is skipped.
  auto pass = [&](uint32_t* count, size_t buckets, int shift, uint32_t mask) {
    for (size_t b = 0; b < buckets; b++) {
      if (count[b] == n) return;
    }
    uint32_t sum = 0;
    for (size_t b = 0; b < buckets; b++) {
      uint32_t c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) {
      uint64_t k = keys[i];
      tmp[count[(k >> (32 + shift)) & mask]++] = k;
    }
    std::swap(keys, tmp);
  };
  pass(count0, 2048, 0, 2047u);
  pass(count1, 2048, 11, 2047u);
  pass(count2, 1024, 22, 1023u);

  // XGBoost's BinaryAUC over the rows from the largest prediction down. Equal predictions are
  // equal bits here (positive, no NaN), so its `!=` of neighbours is the bits' `!=`.
  auto row = [&](size_t j) { return static_cast<size_t>(keys[j] & 0xffffffffULL); };
  auto weight = [&](size_t r) { return weights == nullptr ? 1.0f : weights[r]; };
  size_t r = row(n - 1);
  float label = labels[r];
  float w = weight(r);
  double fp = (1.0 - label) * w, tp = label * w;
  double tp_prev = 0, fp_prev = 0;
  double auc = 0;
  for (size_t j = n - 1; j-- > 0;) {
    if ((keys[j] >> 32) != (keys[j + 1] >> 32)) {
      auc += XgbTrapezoidArea(fp_prev, fp, tp_prev, tp);
      tp_prev = tp;
      fp_prev = fp;
    }
    r = row(j);
    label = labels[r];
    w = weight(r);
    fp += (1.0f - label) * w;
    tp += label * w;
  }
  auc += XgbTrapezoidArea(fp_prev, fp, tp_prev, tp);
  // One class only: XGBoost's NaN and its warning. Then EvalAUC::Eval's GlobalRatio and its check.
  if (fp <= 0.0f || tp <= 0.0f) return false;
  double divisor = fp * tp;
  if (divisor <= 0) return false;
  auc = auc / divisor;
  if (std::isnan(auc) || !(auc <= 1.0 + 1e-6f)) return false;
  *out = std::min(auc, 1.0);
  return true;
}

}  // namespace xgbnode
