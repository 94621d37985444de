#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "name_table.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/logistic_regression.hpp"

namespace simdlr {
namespace {

// Up to this many classes a label is matched by a scan without branches (labels in random order
// make the branches of a binary search or of a comparison with the previous row unpredictable).
constexpr std::size_t kScanClasses = 16;

// Shortest text that reads back as the same double ("1", "2.5", "-0.125").
std::string number_text(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// The smallest of values[0..length): eight running minima side by side, which the compiler
// turns into vector minima (a single running minimum is a chain of scalar ones, which GCC does
// not reorder: 1.4 ns a label, most of the labels' scan).
double fewest_matches(const double* values, std::size_t length) {
  constexpr std::size_t kLanes = 8;
  double low[kLanes] = {1, 1, 1, 1, 1, 1, 1, 1};
  std::size_t t = 0;
  for (; t + kLanes <= length; t += kLanes)
    for (std::size_t j = 0; j < kLanes; ++j)
      low[j] = values[t + j] < low[j] ? values[t + j] : low[j];
  for (; t < length; ++t)
    low[0] = values[t] < low[0] ? values[t] : low[0];
  return *std::min_element(low, low + kLanes);
}

}  // namespace

ClassLabels ClassLabels::from_numbers(std::span<const double> labels) {
  // The classes seen so far, sorted: a few as a rule, and labels repeat, so most rows match a
  // class already seen (a set node per row was a visible share of a small fit), up to
  // kScanClasses by a scan (each branchy match was a few percent of a fit with 10 columns). Many
  // distinct values (a regression target by mistake) go to a set.
  constexpr std::size_t kFewClasses = 256;
  std::vector<double> few;
  std::set<double> many;
  double previous = std::numeric_limits<double>::quiet_NaN();
  constexpr std::size_t kChunk = 512;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    // A chunk whose labels are all finite classes already seen is passed over by a loop without
    // branches, which vectorizes (the rows of a fit as a rule).
    if (i % kChunk == 0 && few.size() <= kScanClasses && many.empty() && !few.empty()) {
      const std::size_t length = std::min(labels.size() - i, kChunk);
      double matches[kChunk] = {};
      for (const double f : few)  // rows innermost: same-width doubles, which vectorize
        for (std::size_t t = 0; t < length; ++t)
          matches[t] += f == labels[i + t] ? 1.0 : 0.0;
      if (fewest_matches(matches, length) > 0) {  // 0: some label unseen (or NaN, ±inf)
        i += length - 1;
        continue;
      }
    }
    if (!std::isfinite(labels[i])) {
      throw InvalidArgument("labels: y[" + std::to_string(i) + "] is not a finite number");
    }
    const double v = labels[i] == 0 ? 0.0 : labels[i];  // −0 and +0 are one class
    if (few.size() <= kScanClasses && many.empty()) {
      bool seen = false;
      for (const double f : few)
        seen |= f == v;
      if (seen) continue;
    } else if (v == previous) {
      continue;
    }
    previous = v;
    if (!many.empty()) {
      many.insert(v);
      continue;
    }
    const auto at = std::lower_bound(few.begin(), few.end(), v);
    if (at != few.end() && *at == v) continue;
    few.insert(at, v);
    if (few.size() > kFewClasses) many.insert(few.begin(), few.end());
  }
  ClassLabels c;
  c.numeric_ = true;
  if (many.empty())
    c.values_ = std::move(few);
  else
    c.values_.assign(many.begin(), many.end());
  for (double v : c.values_)
    c.text_.push_back(number_text(v));
  return c;
}

ClassLabels ClassLabels::from_text(std::span<const std::string> labels) {
  // All labels numbers? Then they are numeric classes, sorted by value.
  std::vector<double> numbers;
  numbers.reserve(labels.size());
  for (const std::string& s : labels) {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
      numbers.clear();
      break;
    }
    numbers.push_back(v);
  }
  if (!labels.empty() && numbers.size() == labels.size()) return from_numbers(numbers);
  std::set<std::string> distinct(labels.begin(), labels.end());
  ClassLabels c;
  c.numeric_ = false;
  c.text_.assign(distinct.begin(), distinct.end());
  return c;
}

std::int32_t ClassLabels::index_of(double label) const {
  if (!numeric_) return index_of(number_text(label));
  // A few classes: the count of those below the label, without branches.
  if (values_.size() <= kScanClasses) {
    std::size_t below = 0;
    for (const double v : values_)
      below += v < label ? 1 : 0;
    return below < values_.size() && values_[below] == label ? std::int32_t(below) : -1;
  }
  const auto it = std::lower_bound(values_.begin(), values_.end(), label);
  return it != values_.end() && *it == label ? std::int32_t(it - values_.begin()) : -1;
}

std::vector<std::int32_t> ClassLabels::indices_of(std::span<const double> labels) const {
  std::vector<std::int32_t> index(labels.size());
  if (!numeric_ || values_.size() > kScanClasses) {
    for (std::size_t i = 0; i < labels.size(); ++i)
      index[i] = index_of(labels[i]);
    return index;
  }
  // As index_of, a class at a time over the rows, without a call or a branch per row (it
  // vectorizes).
  std::fill(index.begin(), index.end(), -1);
  for (std::size_t c = 0; c < values_.size(); ++c) {
    const double v = values_[c];
    for (std::size_t i = 0; i < labels.size(); ++i)
      index[i] = labels[i] == v ? std::int32_t(c) : index[i];
  }
  return index;
}

std::int32_t ClassLabels::index_of(const std::string& label) const {
  if (numeric_) {
    double v = 0;
    const auto [end, ec] = std::from_chars(label.data(), label.data() + label.size(), v);
    if (ec != std::errc() || end != label.data() + label.size()) return -1;
    return index_of(v);
  }
  const auto it = std::lower_bound(text_.begin(), text_.end(), label);
  return it != text_.end() && *it == label ? std::int32_t(it - text_.begin()) : -1;
}

namespace {

constexpr detail::NameTable<Solver, 6> kSolvers{
    "solver", {"lbfgs", "newton", "gd", "newton-cholesky", "auto", "prox-newton"}};
constexpr detail::NameTable<MultiClass, 3> kMultiClass{"multi-class mode",
                                                       {"auto", "multinomial", "ovr"}};
constexpr detail::NameTable<Penalty, 4> kPenalties{"penalty", {"l2", "none", "l1", "elasticnet"}};

}  // namespace

std::string_view solver_name(Solver solver) noexcept {
  return kSolvers.name(solver);
}

Solver parse_solver(std::string_view name) {
  return kSolvers.parse(name);
}

std::string_view multi_class_name(MultiClass mode) noexcept {
  return kMultiClass.name(mode);
}

MultiClass parse_multi_class(std::string_view name) {
  return kMultiClass.parse(name);
}

std::string_view penalty_name(Penalty penalty) noexcept {
  return kPenalties.name(penalty);
}

Penalty parse_penalty(std::string_view name) {
  return kPenalties.parse(name);
}

}  // namespace simdlr
