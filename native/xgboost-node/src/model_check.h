// Structural check of a saved XGBoost model (JSON or UBJSON) before XGBoosterLoadModelFromBuffer.
//
// XGBoost 1.7 reads past the end of truncated JSON/UBJSON documents, recurses without limit on
// nesting, and trusts the node indices of the trees it loads (a corrupted child index sends
// prediction outside the node array). All of those crash the process. So the bytes are parsed
// here first, with bounds and depth checks, into a compact document (numeric arrays as
// std::vector<double>), and the parts XGBoost indexes by are checked: tree arrays have one entry
// per node, every node reachable from the root has in-range, acyclic children and a split
// feature below num_feature, tree_info names an existing output group, and categorical split
// segments lie inside the categories array. A failed check throws ModelError.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kdap_xgb {

struct ModelError {
  std::string message;
};

struct Doc {
  enum Kind { Null, Bool, Number, String, Array, Numbers, Object } kind = Null;
  double number = 0;
  std::string text;
  std::vector<double> numbers;  // an array whose elements are all numbers
  std::vector<Doc> items;
  std::vector<std::pair<std::string, Doc>> members;

  const Doc* Get(const char* key) const {
    if (kind != Object) return nullptr;
    for (auto& m : members)
      if (m.first == key) return &m.second;
    return nullptr;
  }
};

constexpr int kMaxDepth = 64;
constexpr int64_t kMaxFeatures = int64_t{1} << 26;
constexpr int64_t kMaxGroups = int64_t{1} << 16;

[[noreturn]] inline void Fail(const std::string& what) { throw ModelError{"not a valid XGBoost model: " + what}; }

/** Appends `d` to an array, keeping all-number arrays compact. */
inline void Push(Doc* arr, Doc&& d) {
  if (arr->kind == Doc::Numbers && d.kind == Doc::Number) {
    arr->numbers.push_back(d.number);
    return;
  }
  if (arr->kind == Doc::Numbers) {
    arr->kind = Doc::Array;
    for (double n : arr->numbers) {
      Doc x;
      x.kind = Doc::Number;
      x.number = n;
      arr->items.push_back(std::move(x));
    }
    arr->numbers.clear();
  }
  arr->items.push_back(std::move(d));
}

inline size_t ArraySize(const Doc& a) { return a.kind == Doc::Numbers ? a.numbers.size() : a.items.size(); }

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

class JsonParser {
 public:
  JsonParser(const uint8_t* p, size_t n) : p_(p), n_(n) {}

  Doc Parse() {
    Doc d = Value(0);
    Space();
    if (i_ != n_) Fail("unexpected bytes after the JSON document");
    return d;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;

  void Space() {
    while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\n' || p_[i_] == '\r' || p_[i_] == '\t')) i_++;
  }
  bool Literal(const char* lit) {
    size_t len = std::strlen(lit);
    if (n_ - i_ < len || std::memcmp(p_ + i_, lit, len) != 0) return false;
    i_ += len;
    return true;
  }
  uint8_t Peek() {
    if (i_ >= n_) Fail("truncated JSON");
    return p_[i_];
  }

  Doc Value(int depth) {
    if (depth > kMaxDepth) Fail("JSON nested too deeply");
    Space();
    Doc d;
    uint8_t c = Peek();
    if (c == '{') {
      i_++;
      d.kind = Doc::Object;
      Space();
      if (Peek() == '}') {
        i_++;
        return d;
      }
      for (;;) {
        Space();
        if (Peek() != '"') Fail("JSON object key is not a string");
        std::string key = Str();
        Space();
        if (Peek() != ':') Fail("missing ':' in JSON object");
        i_++;
        d.members.emplace_back(std::move(key), Value(depth + 1));
        Space();
        uint8_t e = Peek();
        i_++;
        if (e == '}') return d;
        if (e != ',') Fail("missing ',' in JSON object");
      }
    }
    if (c == '[') {
      i_++;
      d.kind = Doc::Numbers;
      Space();
      if (Peek() == ']') {
        i_++;
        return d;
      }
      for (;;) {
        Push(&d, Value(depth + 1));
        Space();
        uint8_t e = Peek();
        i_++;
        if (e == ']') return d;
        if (e != ',') Fail("missing ',' in JSON array");
      }
    }
    if (c == '"') {
      d.kind = Doc::String;
      d.text = Str();
      return d;
    }
    if (Literal("true") || Literal("false")) {
      d.kind = Doc::Bool;
      return d;
    }
    if (Literal("null")) return d;
    d.kind = Doc::Number;
    if (Literal("NaN")) {
      d.number = NAN;
      return d;
    }
    if (Literal("Infinity")) {
      d.number = INFINITY;
      return d;
    }
    if (Literal("-Infinity")) {
      d.number = -INFINITY;
      return d;
    }
    size_t start = i_;
    while (i_ < n_ && std::strchr("+-0123456789.eE", p_[i_]) != nullptr && p_[i_] != 0) i_++;
    if (i_ == start || i_ - start > 64) Fail("bad JSON number");
    std::string num(reinterpret_cast<const char*>(p_ + start), i_ - start);
    char* end = nullptr;
    d.number = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size()) Fail("bad JSON number");
    return d;
  }

  std::string Str() {
    i_++;  // opening quote
    std::string s;
    for (;;) {
      uint8_t c = Peek();
      i_++;
      if (c == '"') return s;
      if (c == '\\') {
        uint8_t e = Peek();
        i_++;
        if (e == 'u') {
          if (n_ - i_ < 4) Fail("truncated JSON escape");
          for (int k = 0; k < 4; k++)
            if (!std::isxdigit(p_[i_ + k])) Fail("bad JSON escape");
          i_ += 4;
          s += '?';
        } else if (std::strchr("\"\\/bfnrt", e) != nullptr && e != 0) {
          s += static_cast<char>(e);
        } else {
          Fail("bad JSON escape");
        }
      } else {
        s += static_cast<char>(c);
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// UBJSON (the subset XGBoost writes and reads: big-endian numbers, optimized containers)
// ---------------------------------------------------------------------------------------------

class UbjParser {
 public:
  UbjParser(const uint8_t* p, size_t n) : p_(p), n_(n) {}

  Doc Parse() {
    Doc d = Value(Byte(), 0);
    if (i_ != n_) Fail("unexpected bytes after the UBJSON document");
    return d;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;

  uint8_t Byte() {
    if (i_ >= n_) Fail("truncated UBJSON");
    return p_[i_++];
  }
  uint64_t BigEndian(size_t bytes) {
    if (n_ - i_ < bytes) Fail("truncated UBJSON");
    uint64_t v = 0;
    for (size_t k = 0; k < bytes; k++) v = (v << 8) | p_[i_ + k];
    i_ += bytes;
    return v;
  }
  static size_t NumberSize(uint8_t t) {
    switch (t) {
      case 'i': case 'U': case 'C': return 1;
      case 'I': return 2;
      case 'l': case 'd': return 4;
      case 'L': case 'D': return 8;
      default: return 0;
    }
  }
  double Number(uint8_t t) {
    switch (t) {
      case 'i': return static_cast<int8_t>(BigEndian(1));
      case 'U': case 'C': return static_cast<double>(BigEndian(1));
      case 'I': return static_cast<int16_t>(BigEndian(2));
      case 'l': return static_cast<int32_t>(BigEndian(4));
      case 'L': return static_cast<double>(static_cast<int64_t>(BigEndian(8)));
      case 'd': {
        uint32_t bits = static_cast<uint32_t>(BigEndian(4));
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
      }
      case 'D': {
        uint64_t bits = BigEndian(8);
        double f;
        std::memcpy(&f, &bits, 8);
        return f;
      }
      default: Fail("bad UBJSON number type");
    }
  }
  /** A length or count: an integer marker and a non-negative value that fits in what is left. */
  size_t Length(size_t minElementBytes) {
    uint8_t t = Byte();
    if (NumberSize(t) == 0 || t == 'd' || t == 'D' || t == 'C') Fail("bad UBJSON length");
    double v = Number(t);
    if (v < 0 || v > static_cast<double>(n_ - i_) / static_cast<double>(minElementBytes == 0 ? 1 : minElementBytes)) {
      Fail("UBJSON length beyond the end of the data");
    }
    return static_cast<size_t>(v);
  }
  std::string Key() {
    size_t len = Length(1);
    std::string s(reinterpret_cast<const char*>(p_ + i_), len);
    i_ += len;
    return s;
  }

  Doc Value(uint8_t t, int depth) {
    if (depth > kMaxDepth) Fail("UBJSON nested too deeply");
    Doc d;
    switch (t) {
      case 'Z': case 'N': return d;
      case 'T': case 'F': d.kind = Doc::Bool; return d;
      case 'S': case 'H': d.kind = Doc::String; d.text = Key(); return d;
      case '{': case '[': return Container(t, depth);
      default:
        if (NumberSize(t) == 0) Fail("bad UBJSON marker");
        d.kind = Doc::Number;
        d.number = Number(t);
        return d;
    }
  }

  Doc Container(uint8_t open, int depth) {
    Doc d;
    d.kind = open == '{' ? Doc::Object : Doc::Numbers;
    uint8_t type = 0;
    bool counted = false;
    size_t count = 0;
    if (i_ < n_ && p_[i_] == '$') {
      i_++;
      type = Byte();
      if (i_ >= n_ || p_[i_] != '#') Fail("UBJSON typed container without a count");
    }
    if (i_ < n_ && p_[i_] == '#') {
      i_++;
      size_t elem = type != 0 ? std::max<size_t>(NumberSize(type), 1) : 1;
      count = Length(elem);
      counted = true;
    }
    for (size_t k = 0; counted ? k < count : true; k++) {
      if (!counted) {
        if (i_ >= n_) Fail("truncated UBJSON");
        if (p_[i_] == (open == '{' ? '}' : ']')) {
          i_++;
          break;
        }
      }
      std::string key;
      if (open == '{') key = Key();
      uint8_t vt = type != 0 ? type : Byte();
      Doc v = Value(vt, depth + 1);
      if (open == '{') d.members.emplace_back(std::move(key), std::move(v));
      else Push(&d, std::move(v));
    }
    return d;
  }
};

// ---------------------------------------------------------------------------------------------
// Model structure
// ---------------------------------------------------------------------------------------------

inline const Doc& Need(const Doc* d, const char* what) {
  if (d == nullptr) Fail(std::string("missing ") + what);
  return *d;
}

inline int64_t IntOf(const Doc& d, const char* what) {
  double v = 0;
  if (d.kind == Doc::Number) v = d.number;
  else if (d.kind == Doc::String) {
    char* end = nullptr;
    v = std::strtod(d.text.c_str(), &end);
    if (d.text.empty() || end != d.text.c_str() + d.text.size()) Fail(std::string(what) + " is not a number");
  } else {
    Fail(std::string(what) + " is not a number");
  }
  if (!std::isfinite(v) || std::floor(v) != v || std::fabs(v) > 2147483647.0) Fail(std::string(what) + " is not a 32-bit integer");
  return static_cast<int64_t>(v);
}

inline const std::vector<double>& NumbersOf(const Doc* d, const char* what, size_t expected) {
  static const std::vector<double> kEmpty;
  const Doc& a = Need(d, what);
  if (a.kind != Doc::Numbers) Fail(std::string(what) + " is not an array of numbers");
  if (a.numbers.size() != expected) {
    Fail(std::string(what) + " has " + std::to_string(a.numbers.size()) + " entries, expected " + std::to_string(expected));
  }
  return a.numbers.empty() ? kEmpty : a.numbers;
}

inline void CheckTree(const Doc& tree, int64_t numFeature, size_t index) {
  std::string at = "trees[" + std::to_string(index) + "]";
  const Doc& param = Need(tree.Get("tree_param"), (at + ".tree_param").c_str());
  int64_t nodes = IntOf(Need(param.Get("num_nodes"), "num_nodes"), "num_nodes");
  if (nodes < 1) Fail(at + " has no nodes");
  if (param.Get("num_feature") != nullptr) {
    int64_t f = IntOf(*param.Get("num_feature"), "num_feature");
    if (f < 0 || f > kMaxFeatures) Fail(at + " has num_feature out of range");
  }
  size_t n = static_cast<size_t>(nodes);
  int64_t leafVector = param.Get("size_leaf_vector") ? IntOf(*param.Get("size_leaf_vector"), "size_leaf_vector") : 0;
  if (leafVector < 0 || leafVector > 65536) Fail(at + " has a bad size_leaf_vector");
  const auto& left = NumbersOf(tree.Get("left_children"), "left_children", n);
  const auto& right = NumbersOf(tree.Get("right_children"), "right_children", n);
  const auto& parents = NumbersOf(tree.Get("parents"), "parents", n);
  const auto& split = NumbersOf(tree.Get("split_indices"), "split_indices", n);
  NumbersOf(tree.Get("split_conditions"), "split_conditions", n);
  NumbersOf(tree.Get("default_left"), "default_left", n);
  NumbersOf(tree.Get("loss_changes"), "loss_changes", n);
  NumbersOf(tree.Get("sum_hessian"), "sum_hessian", n);
  NumbersOf(tree.Get("base_weights"), "base_weights", n * static_cast<size_t>(leafVector > 1 ? leafVector : 1));
  std::vector<double> splitType(n, 0);
  if (tree.Get("split_type") != nullptr) {
    splitType = NumbersOf(tree.Get("split_type"), "split_type", n);
    for (double t : splitType)
      if (t != 0 && t != 1) Fail(at + " has an unknown split type");
  }

  // Every node, reachable or not (feature scores and SHAP visit them all): a leaf has no
  // children, an inner node two in range and a split feature below num_feature; parents in range.
  for (size_t k = 0; k < n; k++) {
    double l = left[k], r = right[k], p = parents[k];
    bool parentOk = k == 0 ? (p == -1 || p == 2147483647) : (p >= 0 && p < nodes && std::floor(p) == p);
    if (!parentOk) Fail(at + " has a parent index out of range at node " + std::to_string(k));
    if (l == -1 && r == -1) continue;
    if (!(l >= 1 && l < nodes && r >= 1 && r < nodes) || std::floor(l) != l || std::floor(r) != r) {
      Fail(at + " has a child index out of range at node " + std::to_string(k));
    }
    if (!(split[k] >= 0 && split[k] < static_cast<double>(numFeature)) || std::floor(split[k]) != split[k]) {
      Fail(at + " splits on a feature index out of range at node " + std::to_string(k));
    }
  }

  // Walk from the root: each node reached once (no cycles), and its parent is the node above.
  std::vector<uint8_t> seen(n, 0);
  std::vector<size_t> stack{0};
  while (!stack.empty()) {
    size_t k = stack.back();
    stack.pop_back();
    if (seen[k]) Fail(at + " has a node reachable twice (cycle)");
    seen[k] = 1;
    if (left[k] == -1) continue;
    for (double c : {left[k], right[k]}) {
      auto child = static_cast<size_t>(c);
      if (parents[child] != static_cast<double>(k)) Fail(at + " has a child whose parent is another node at node " + std::to_string(child));
      stack.push_back(child);
    }
  }

  // Categorical splits: XGBoost walks categories_nodes in step with the node ids, turns each
  // node's categories into a bit field (so they must be small non-negative integers), and expects
  // exactly the inner nodes whose split_type is 1 to have one.
  size_t m = tree.Get("categories_nodes") != nullptr ? ArraySize(*tree.Get("categories_nodes")) : 0;
  std::vector<double> none;
  const auto& catNodes = m > 0 ? NumbersOf(tree.Get("categories_nodes"), "categories_nodes", m) : none;
  const auto& segments = m > 0 ? NumbersOf(tree.Get("categories_segments"), "categories_segments", m) : none;
  const auto& sizes = m > 0 ? NumbersOf(tree.Get("categories_sizes"), "categories_sizes", m) : none;
  const Doc* catsDoc = tree.Get("categories");
  size_t nCats = catsDoc != nullptr ? ArraySize(*catsDoc) : 0;
  const auto& cats = nCats > 0 ? NumbersOf(catsDoc, "categories", nCats) : none;
  for (double c : cats)
    if (!(c >= 0 && c < 16777216.0) || std::floor(c) != c) Fail(at + " has a category that is not an integer in 0..2^24");
  size_t next = 0;
  for (size_t k = 0; k < n; k++) {
    bool listed = next < m && catNodes[next] == static_cast<double>(k);
    if (splitType[k] == 1 && (!listed || left[k] == -1)) Fail(at + " has a categorical split without categories at node " + std::to_string(k));
    if (!listed) continue;
    if (splitType[k] != 1) Fail(at + " has categories for a node that does not split on them");
    if (segments[next] < 0 || sizes[next] < 0 || std::floor(segments[next]) != segments[next] || std::floor(sizes[next]) != sizes[next] ||
        segments[next] + sizes[next] > static_cast<double>(nCats)) {
      Fail(at + " has categorical split data out of range");
    }
    next++;
  }
  if (next != m) Fail(at + " has categories_nodes that are not increasing node ids");
}

/** Every number of an array, whatever its length. */
inline const std::vector<double>& AllNumbersOf(const Doc* d, const std::string& what) {
  const Doc& a = Need(d, what.c_str());
  return NumbersOf(&a, what.c_str(), ArraySize(a));
}

/** Offsets into another array (XGBoost indexes with them unchecked): integers from 0, never decreasing, ending at `last`. */
inline void CheckOffsets(const std::vector<double>& v, double last, const std::string& what) {
  if (v.empty() || v.front() != 0) Fail(what + " must start at 0");
  for (size_t k = 0; k < v.size(); k++) {
    if (std::floor(v[k]) != v[k]) Fail(what + " holds a number that is not an integer");
    if (k > 0 && v[k] < v[k - 1]) Fail(what + " decreases at entry " + std::to_string(k));
  }
  if (v.back() != last) Fail(what + " must end at " + std::to_string(static_cast<int64_t>(last)));
}

/**
 * XGBoost 3's category encoder (`cats`): per feature the category names (strings: offsets into a
 * byte array; numbers: a typed array), `feature_segments` (offsets of each feature's categories,
 * one more than the features) and `sorted_idx` (each feature's categories in sorted order, as
 * indices into that feature's list). Prediction re-codes by name through these, unchecked.
 */
inline void CheckCats(const Doc& cats) {
  const Doc& enc = Need(cats.Get("enc"), "cats.enc");
  size_t nf = ArraySize(enc);
  if (nf > 0 && enc.kind != Doc::Array) Fail("cats.enc is not an array of columns");
  std::vector<double> counts(nf, 0);
  for (size_t f = 0; f < nf; f++) {
    const Doc& col = enc.items[f];
    std::string at = "cats.enc[" + std::to_string(f) + "]";
    if (col.kind != Doc::Object) Fail(at + " is not an object");
    const Doc& values = Need(col.Get("values"), (at + ".values").c_str());
    if (col.Get("offsets") != nullptr) {
      // A feature that is not categorical has no names: empty offsets and values.
      if (ArraySize(*col.Get("offsets")) == 0) {
        if (ArraySize(values) != 0) Fail(at + " has category text without offsets");
        continue;
      }
      const auto& offsets = AllNumbersOf(col.Get("offsets"), at + ".offsets");
      CheckOffsets(offsets, static_cast<double>(ArraySize(values)), at + ".offsets");
      counts[f] = static_cast<double>(offsets.size() - 1);
    } else {
      IntOf(Need(col.Get("type"), (at + ".type").c_str()), "type");
      counts[f] = static_cast<double>(ArraySize(values));
    }
  }
  const auto& segments = AllNumbersOf(cats.Get("feature_segments"), "cats.feature_segments");
  const auto& sorted = AllNumbersOf(cats.Get("sorted_idx"), "cats.sorted_idx");
  if (nf == 0) {
    if (segments.size() > 1 || !sorted.empty()) Fail("cats has category segments but no columns");
    return;
  }
  if (segments.size() != nf + 1) Fail("cats.feature_segments must have one entry more than cats.enc");
  CheckOffsets(segments, static_cast<double>(sorted.size()), "cats.feature_segments");
  for (size_t f = 0; f < nf; f++) {
    if (segments[f + 1] - segments[f] != counts[f]) Fail("cats.feature_segments disagrees with the categories of feature " + std::to_string(f));
    for (auto k = static_cast<size_t>(segments[f]); k < static_cast<size_t>(segments[f + 1]); k++) {
      if (!(sorted[k] >= 0 && sorted[k] < counts[f]) || std::floor(sorted[k]) != sorted[k]) Fail("cats.sorted_idx is out of range for feature " + std::to_string(f));
    }
  }
}

inline void CheckTrees(const Doc& model, int64_t numFeature, int64_t groups) {
  const Doc& trees = Need(model.Get("trees"), "trees");
  if (trees.kind != Doc::Array && !(trees.kind == Doc::Numbers && trees.numbers.empty())) Fail("trees is not an array of trees");
  size_t count = ArraySize(trees);
  const auto& info = NumbersOf(model.Get("tree_info"), "tree_info", count);
  std::vector<uint8_t> idTaken(count, 0);
  for (size_t k = 0; k < count; k++) {
    if (!(info[k] >= 0 && info[k] < static_cast<double>(groups))) Fail("tree_info names an output group out of range");
    const Doc& tree = trees.items[k];
    if (tree.kind != Doc::Object) Fail("a tree is not an object");
    // XGBoost stores each tree at trees[id]: ids must be 0..count-1, each once, or a slot stays empty.
    const Doc* id = tree.Get("id");
    if (id != nullptr) {
      int64_t v = IntOf(*id, "tree id");
      if (v < 0 || v >= static_cast<int64_t>(count) || idTaken[static_cast<size_t>(v)]) Fail("tree ids are not 0..num_trees-1 each once");
      idTaken[static_cast<size_t>(v)] = 1;
    }
    CheckTree(tree, numFeature, k);
  }
  // XGBoost sizes its tree list from num_trees and divides by num_parallel_tree to count rounds.
  const Doc& param = Need(model.Get("gbtree_model_param"), "gbtree_model_param");
  if (IntOf(Need(param.Get("num_trees"), "num_trees"), "num_trees") != static_cast<int64_t>(count)) {
    Fail("num_trees does not match the trees array");
  }
  if (param.Get("num_parallel_tree") != nullptr && IntOf(*param.Get("num_parallel_tree"), "num_parallel_tree") < 1) {
    Fail("num_parallel_tree must be at least 1");
  }
  // XGBoost 2+: where each boosting round's trees start; prediction indexes trees with it.
  if (model.Get("iteration_indptr") != nullptr) {
    CheckOffsets(AllNumbersOf(model.Get("iteration_indptr"), "iteration_indptr"), static_cast<double>(count), "iteration_indptr");
  }
  if (model.Get("cats") != nullptr) CheckCats(*model.Get("cats"));
}

/** Parses and checks a saved model; throws ModelError with the reason when it would be unsafe. */
inline void CheckModel(const uint8_t* data, size_t size) {
  // XGBoost tells the formats apart by the second byte: a quote for JSON, a letter for UBJSON.
  if (size < 2 || data[0] != '{' || !(data[1] == '"' || std::isalpha(data[1]))) {
    Fail("expected JSON or UBJSON (a document starting with '{\"' or '{' and a UBJSON marker)");
  }
  Doc root = data[1] == '"' ? JsonParser(data, size).Parse() : UbjParser(data, size).Parse();
  const Doc& learner = Need(root.Get("learner"), "learner");
  const Doc& param = Need(learner.Get("learner_model_param"), "learner_model_param");
  // XGBoost allocates per-feature buffers when predicting and scoring: a corrupted num_feature
  // would ask for gigabytes. 2^26 features is far beyond any dense model.
  int64_t numFeature = IntOf(Need(param.Get("num_feature"), "num_feature"), "num_feature");
  if (numFeature < 0 || numFeature > kMaxFeatures) Fail("num_feature is out of range (0.." + std::to_string(kMaxFeatures) + ")");
  int64_t groups = 1;
  for (const char* key : {"num_class", "num_target"}) {
    if (param.Get(key) == nullptr) continue;
    int64_t v = IntOf(*param.Get(key), key);
    if (v < 0 || v > kMaxGroups) Fail(std::string(key) + " is out of range");
    groups = std::max<int64_t>(groups, v);
  }
  const Doc& booster = Need(learner.Get("gradient_booster"), "gradient_booster");
  const Doc& name = Need(booster.Get("name"), "gradient_booster.name");
  if (name.kind != Doc::String) Fail("gradient_booster.name is not a string");
  if (name.text == "gbtree") {
    CheckTrees(Need(booster.Get("model"), "model"), numFeature, groups);
  } else if (name.text == "dart") {
    const Doc& inner = Need(booster.Get("gbtree"), "dart gbtree");
    CheckTrees(Need(inner.Get("model"), "model"), numFeature, groups);
    const Doc* weights = booster.Get("weight_drop");
    size_t trees = ArraySize(Need(Need(inner.Get("model"), "model").Get("trees"), "trees"));
    if (weights != nullptr) NumbersOf(weights, "weight_drop", trees);
  } else if (name.text == "gblinear") {
    const Doc& model = Need(booster.Get("model"), "model");
    NumbersOf(model.Get("weights"), "weights", static_cast<size_t>(numFeature + 1) * static_cast<size_t>(groups));
  } else {
    Fail("unknown gradient booster '" + name.text + "'");
  }
}

}  // namespace kdap_xgb
