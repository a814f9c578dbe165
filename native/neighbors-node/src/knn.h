// Exact k-nearest-neighbour search (squared Euclidean distance): a coarse k-d tree whose leaves
// are scanned with vector instructions.
//
// Why coarse leaves: on the 10-feature data LOF sees, a fine k-d tree prunes little (scikit-learn's
// tree spends ~0.2 ms per query on 20,000 points, about as long as scanning them all), while a scan
// vectorizes: points are stored in groups of kLanes, feature-major inside a group, so one vector
// holds one feature of several points. Leaf bounding boxes still prune whole clusters.
//
// Distances: sum over features of (x - q)^2, summed in feature order, multiplies and adds never
// fused (-ffp-contract=off, and no FMA target), so each distance is bit-identical to scikit-learn's
// k-d tree rdist, whichever kernel (AVX2 or the 128-bit baseline) runs.
//
// Ties: the result is the k smallest (distance, training row) pairs in lexicographic order, i.e.
// among equal distances the lower training row wins and comes first. scikit-learn's tree breaks
// ties by its traversal order (unspecified); the distances returned are the same either way.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace kdap_knn {

constexpr int kLanes = 4;            // points per group (one 256-bit vector of doubles)
constexpr int kGroupsPerStep = 4;    // independent accumulators per step (hides add latency)
constexpr int kStep = kLanes * kGroupsPerStep;

typedef double v4d __attribute__((vector_size(32)));

/** Training points in groups of kLanes, feature-major inside a group; padding lanes hold +inf. */
struct PackedPoints {
  int64_t rows = 0;
  int dims = 0;
  int64_t groups = 0;  // padded to a multiple of kGroupsPerStep
  std::vector<double> data;  // groups * dims * kLanes

  void Pack(const double* x, int64_t n, int d) {
    rows = n;
    dims = d;
    int64_t g = (n + kLanes - 1) / kLanes;
    groups = (g + kGroupsPerStep - 1) / kGroupsPerStep * kGroupsPerStep;
    data.assign(static_cast<size_t>(groups) * d * kLanes, std::numeric_limits<double>::infinity());
    for (int64_t i = 0; i < n; i++) {
      int64_t grp = i / kLanes;
      int lane = static_cast<int>(i % kLanes);
      for (int f = 0; f < d; f++) data[(static_cast<size_t>(grp) * d + f) * kLanes + lane] = x[i * d + f];
    }
  }
};

/** A bounded max-heap on (distance, row): the root is the worst kept pair. */
struct Heap {
  double* dist;
  int32_t* idx;
  int k;

  static bool Worse(double da, int32_t ia, double db, int32_t ib) { return da > db || (da == db && ia > ib); }

  void Reset() {
    for (int j = 0; j < k; j++) {
      dist[j] = std::numeric_limits<double>::infinity();
      idx[j] = std::numeric_limits<int32_t>::max();
    }
  }

  /** Keeps (d, i) if it is smaller than the worst kept pair. */
  void Offer(double d, int32_t i) {
    if (!Worse(dist[0], idx[0], d, i)) return;
    int pos = 0;
    for (;;) {
      int a = 2 * pos + 1;
      if (a >= k) break;
      int b = a + 1;
      int c = (b < k && Worse(dist[b], idx[b], dist[a], idx[a])) ? b : a;
      if (!Worse(dist[c], idx[c], d, i)) break;
      dist[pos] = dist[c];
      idx[pos] = idx[c];
      pos = c;
    }
    dist[pos] = d;
    idx[pos] = i;
  }

  /** Sorts ascending by (distance, row) in place. */
  void Sort() {
    std::vector<std::pair<double, int32_t>> tmp(k);
    for (int j = 0; j < k; j++) tmp[j] = {dist[j], idx[j]};
    std::sort(tmp.begin(), tmp.end());
    for (int j = 0; j < k; j++) {
      dist[j] = tmp[j].first;
      idx[j] = tmp[j].second;
    }
  }
};

/**
 * Scans training groups [g0, g1) for one query, offering candidates (rowOf maps a packed position
 * to its training row, -1 for padding) to the heap. `skip` is a training row to leave out (the
 * query itself when the queries are the training rows), or -1. V is a vector of W doubles: each
 * group of kLanes points is kLanes / W vectors, kGroupsPerStep groups per step.
 */
template <typename V, int W>
__attribute__((always_inline)) inline void ScanBody(const PackedPoints& pts, const int32_t* rowOf, const double* q, int64_t g0, int64_t g1,
                                                    Heap& heap, int64_t skip) {
  constexpr int kPerGroup = kLanes / W;
  constexpr int kAcc = kGroupsPerStep * kPerGroup;
  const int dims = pts.dims;
  const double* base = pts.data.data();
  const size_t groupStride = static_cast<size_t>(dims) * kLanes;
  for (int64_t g = g0; g < g1; g += kGroupsPerStep) {
    const double* p = base + static_cast<size_t>(g) * groupStride;
    V acc[kAcc];
    for (int a = 0; a < kAcc; a++) acc[a] = V{};
    for (int f = 0; f < dims; f++) {
      V qv;
      for (int w = 0; w < W; w++) qv[w] = q[f];
      for (int a = 0; a < kAcc; a++) {
        V x;
        __builtin_memcpy(&x, p + (a / kPerGroup) * groupStride + f * kLanes + (a % kPerGroup) * W, sizeof(V));
        x -= qv;
        acc[a] += x * x;
      }
    }
    V m = acc[0];
    for (int a = 1; a < kAcc; a++) m = m < acc[a] ? m : acc[a];
    double lo = m[0];
    for (int w = 1; w < W; w++) lo = std::min(lo, static_cast<double>(m[w]));
    // <= so equal distances reach the (distance, row) order; +inf padding never beats a real row.
    if (!(lo <= heap.dist[0])) continue;
    double d[kStep];  // accumulator a holds points a * W .. a * W + W - 1 of the step
    __builtin_memcpy(d, acc, sizeof(d));
    const int32_t* rows = rowOf + g * kLanes;
    for (int u = 0; u < kStep; u++) {
      if (rows[u] < 0 || rows[u] == skip) continue;
      if (d[u] <= heap.dist[0]) heap.Offer(d[u], rows[u]);
    }
  }
}

using ScanFn = void (*)(const PackedPoints&, const int32_t*, const double*, int64_t, int64_t, Heap&, int64_t);

typedef double v2d __attribute__((vector_size(16)));

/** Baseline kernel: 128-bit vectors (SSE2 on x86-64, NEON on arm64). */
inline void ScanGeneric(const PackedPoints& pts, const int32_t* rowOf, const double* q, int64_t g0, int64_t g1, Heap& heap, int64_t skip) {
  ScanBody<v2d, 2>(pts, rowOf, q, g0, g1, heap, skip);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/** AVX2 kernel (256-bit vectors), chosen at run time when the CPU has AVX2. No FMA: see above. */
__attribute__((target("avx2"))) inline void ScanAvx2(const PackedPoints& pts, const int32_t* rowOf, const double* q, int64_t g0, int64_t g1,
                                                     Heap& heap, int64_t skip) {
  ScanBody<v4d, 4>(pts, rowOf, q, g0, g1, heap, skip);
}
#endif

/** The fastest kernel this CPU runs: AVX2 where available (x86-64), else the 128-bit baseline. */
inline ScanFn ChooseScan(bool allowAvx2 = true) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (allowAvx2 && __builtin_cpu_supports("avx2")) return &ScanAvx2;
#endif
  (void)allowAvx2;
  return &ScanGeneric;
}

/**
 * A k-d tree whose leaves are runs of whole groups: points are packed in tree order, a leaf holds
 * at most `leafSize` points (rounded to kStep), and each leaf keeps its bounding box. A query
 * scans the leaf whose box is nearest first, then every other leaf whose box is not farther than
 * its current k-th neighbour. Box bounds use the same subtractions and feature order as point
 * distances, so a bound never exceeds the distance of a point inside (rounding is monotone):
 * pruning is exact and the result equals the full scan's.
 */
struct Index {
  PackedPoints pts;                 // in tree order
  std::vector<int32_t> rowOf;       // tree position -> original row (padding: -1)
  std::vector<int64_t> leafStart;   // per leaf: first group
  std::vector<int64_t> leafEnd;     // per leaf: one past the last group
  std::vector<double> lower;        // per leaf: dims values
  std::vector<double> upper;

  void Build(const double* x, int64_t n, int d, int64_t leafSize) {
    leafSize = std::max<int64_t>(kStep, (leafSize + kStep - 1) / kStep * kStep);
    std::vector<int32_t> order(n);
    for (int64_t i = 0; i < n; i++) order[i] = static_cast<int32_t>(i);
    std::vector<std::pair<int64_t, int64_t>> leaves;
    std::vector<std::pair<int64_t, int64_t>> todo{{0, n}};
    while (!todo.empty()) {
      auto [s, e] = todo.back();
      todo.pop_back();
      int widest = 0;
      double spread = -1;
      if (e - s > leafSize) {
        for (int f = 0; f < d; f++) {
          double lo = std::numeric_limits<double>::infinity(), hi = -lo;
          for (int64_t i = s; i < e; i++) {
            double v = x[static_cast<int64_t>(order[i]) * d + f];
            lo = std::min(lo, v);
            hi = std::max(hi, v);
          }
          if (hi - lo > spread) {
            spread = hi - lo;
            widest = f;
          }
        }
      }
      if (e - s <= leafSize || !(spread > 0)) {
        leaves.push_back({s, e});
        continue;
      }
      // Split near the median, at a multiple of kStep so every leaf but the last is whole groups.
      int64_t mid = s + ((e - s) / 2 + kStep / 2) / kStep * kStep;
      if (mid <= s || mid >= e) mid = s + kStep;
      std::nth_element(order.begin() + s, order.begin() + mid, order.begin() + e, [&](int32_t a, int32_t b) {
        double va = x[static_cast<int64_t>(a) * d + widest], vb = x[static_cast<int64_t>(b) * d + widest];
        return va < vb || (va == vb && a < b);
      });
      // Push the right half first so leaves come out left to right (spatial order).
      todo.push_back({mid, e});
      todo.push_back({s, mid});
    }
    std::vector<double> sorted(static_cast<size_t>(n) * d);
    for (int64_t i = 0; i < n; i++) std::copy(x + static_cast<int64_t>(order[i]) * d, x + static_cast<int64_t>(order[i]) * d + d, sorted.begin() + i * d);
    pts.Pack(sorted.data(), n, d);
    rowOf.assign(static_cast<size_t>(pts.groups) * kLanes, -1);
    for (int64_t i = 0; i < n; i++) rowOf[i] = order[i];
    const size_t L = leaves.size();
    leafStart.resize(L);
    leafEnd.resize(L);
    lower.assign(L * d, std::numeric_limits<double>::infinity());
    upper.assign(L * d, -std::numeric_limits<double>::infinity());
    for (size_t l = 0; l < L; l++) {
      auto [s, e] = leaves[l];
      leafStart[l] = s / kLanes;
      leafEnd[l] = l + 1 == L ? pts.groups : (e + kLanes - 1) / kLanes;
      for (int64_t i = s; i < e; i++) {
        for (int f = 0; f < d; f++) {
          lower[l * d + f] = std::min(lower[l * d + f], sorted[i * d + f]);
          upper[l * d + f] = std::max(upper[l * d + f], sorted[i * d + f]);
        }
      }
    }
  }

  size_t Leaves() const { return leafStart.size(); }

  /** Native memory held, in bytes. */
  size_t Bytes() const {
    return pts.data.size() * sizeof(double) + rowOf.size() * sizeof(int32_t) +
           (leafStart.size() + leafEnd.size()) * sizeof(int64_t) + (lower.size() + upper.size()) * sizeof(double);
  }

  /**
   * The k nearest training rows of queries [q0, q1) (row-major, dims wide), written sorted into
   * dist (Euclidean, square-rooted) and idx (original rows), k per query. With selfQuery, query i
   * is training row i and is left out of its own neighbours.
   */
  void Query(const double* queries, int64_t q0, int64_t q1, int k, bool selfQuery, double* dist, int32_t* idx, ScanFn kernel = nullptr) const {
    const int d = pts.dims;
    const size_t L = Leaves();
    const ScanFn scan = kernel != nullptr ? kernel : ChooseScan();
    std::vector<double> bound(L);
    for (int64_t i = q0; i < q1; i++) {
      const double* q = queries + i * d;
      Heap heap{dist + i * k, idx + i * k, k};
      heap.Reset();
      size_t nearest = 0;
      for (size_t l = 0; l < L; l++) {
        double sum = 0;
        const double* lo = &lower[l * d];
        const double* hi = &upper[l * d];
        for (int f = 0; f < d; f++) {
          double gap = q[f] < lo[f] ? lo[f] - q[f] : q[f] > hi[f] ? q[f] - hi[f] : 0.0;
          sum += gap * gap;
        }
        bound[l] = sum;
        if (sum < bound[nearest]) nearest = l;
      }
      const int64_t skip = selfQuery ? i : -1;
      scan(pts, rowOf.data(), q, leafStart[nearest], leafEnd[nearest], heap, skip);
      for (size_t l = 0; l < L; l++) {
        if (l == nearest || bound[l] > heap.dist[0]) continue;
        scan(pts, rowOf.data(), q, leafStart[l], leafEnd[l], heap, skip);
      }
      heap.Sort();
      for (int j = 0; j < k; j++) dist[i * k + j] = std::sqrt(dist[i * k + j]);
    }
  }
};

}  // namespace kdap_knn
