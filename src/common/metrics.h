// A small Prometheus metrics registry shared by every component, rendered in the text exposition format
// 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Hand-written because Debian 12 packages no prometheus-cpp, and the project only takes dependencies from
// Debian. It covers what Segue needs and nothing more:
//   - Counter: monotonically increasing uint64.
//   - Gauge: a double that is set/added, or a callback evaluated at scrape time (for values that already
//     live elsewhere, such as active sessions or the log size); callback counters likewise.
//   - Histogram: fixed upper bounds chosen at registration, atomic per-bucket counts, sum and count. A
//     callback histogram is read whole from its owner at scrape time (the histogram of a sliding window,
//     whose buckets go down as well as up: read its values, do not rate() it).
//   - CounterFamily / HistogramFamily: the same metric with label values (e.g. events by type, requests
//     by route and status); a child is created on first use of a label combination.
//
// Thread-safety: everything is thread-safe. The hot path (Counter::Inc, Gauge::Set/Add,
// Histogram::Observe) is lock-free (relaxed atomics). Registration and the family's first lookup of a
// label combination take a mutex; callers on hot paths resolve their children once and keep the pointer
// (pointers stay valid for the registry's lifetime). RenderText takes the registry mutex and reads the
// atomics without stopping writers, so a scrape is a consistent-enough snapshot, as in every Prometheus
// client. Gauge callbacks run on the scraping thread and must be thread-safe themselves.
//
// Registering a name twice with the same kind and labels returns the existing metric (components may
// share a metric); registering it with a different kind or label set is a programming error and aborts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace segue::metrics {

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `upper_bounds` must be strictly increasing; the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double v);

  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == upper_bounds().size() is the +Inf bucket).
  uint64_t bucket_count(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// A histogram's state as a callback histogram reports it.
struct HistogramSnapshot {
  std::vector<double> upper_bounds;    // strictly increasing; +Inf is implicit
  std::vector<uint64_t> bucket_counts;  // non-cumulative, upper_bounds.size() + 1 (the last: +Inf)
  double sum = 0;
};

// Bucket helpers: `count` bounds start, start*factor, start*factor^2, ...
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// A metric with labels. T is Counter or Histogram.
template <typename T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::vector<double> bounds)
      : label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

  // The child for these label values (one per label name, in order). Takes a mutex: cache the pointer
  // on hot paths. The reference stays valid for the registry's lifetime.
  T& WithLabels(const std::vector<std::string>& values);
  T& WithLabels(std::initializer_list<std::string_view> values);

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls fn(label_values, child) for every child in label order (under the family mutex).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::lock_guard lock(mu_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

using CounterFamily = Family<Counter>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*; counters should end in _total (not enforced).
  Counter& AddCounter(const std::string& name, const std::string& help);
  Gauge& AddGauge(const std::string& name, const std::string& help);
  // The callback is evaluated at every scrape, on the scraping thread.
  void AddCallbackGauge(const std::string& name, const std::string& help, std::function<double()> fn);
  // A counter whose value another component already keeps (it must never decrease).
  void AddCallbackCounter(const std::string& name, const std::string& help, std::function<double()> fn);
  Histogram& AddHistogram(const std::string& name, const std::string& help, std::vector<double> bounds);
  // Evaluated at every scrape, on the scraping thread.
  void AddCallbackHistogram(const std::string& name, const std::string& help, std::function<HistogramSnapshot()> fn);
  CounterFamily& AddCounterFamily(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names);
  HistogramFamily& AddHistogramFamily(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names, std::vector<double> bounds);

  // Every metric in registration order, in text exposition format 0.0.4
  // (Content-Type: text/plain; version=0.0.4).
  std::string RenderText() const;

 private:
  enum class Kind {
    kCounter, kGauge, kCallbackGauge, kCallbackCounter, kHistogram, kCallbackHistogram, kCounterFamily,
    kHistogramFamily
  };
  struct Entry {
    std::string name;
    std::string help;
    Kind kind;
    std::vector<std::string> label_names;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::function<double()> callback;
    std::function<HistogramSnapshot()> histogram_callback;
    std::unique_ptr<Histogram> histogram;
    std::unique_ptr<CounterFamily> counter_family;
    std::unique_ptr<HistogramFamily> histogram_family;
  };

  // Returns the existing entry for `name` (aborting on a kind/label mismatch) or nullptr.
  Entry* Find(const std::string& name, Kind kind, const std::vector<std::string>& label_names);
  Entry& Insert(const std::string& name, const std::string& help, Kind kind,
                std::vector<std::string> label_names);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// The process-wide registry that `segue serve` exposes on /metrics. Components register their metrics
// here unless a test hands them a private Registry.
Registry& DefaultRegistry();

// Exposed for tests: escaping rules of the text format.
std::string EscapeHelp(std::string_view s);        // backslash and newline
std::string EscapeLabelValue(std::string_view s);  // backslash, double quote and newline
std::string FormatValue(double v);                 // integers without exponent, +Inf/-Inf/NaN

}  // namespace segue::metrics
