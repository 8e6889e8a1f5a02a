#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace segue::metrics {
namespace {

void AtomicAdd(std::atomic<double>& a, double delta) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + delta, std::memory_order_relaxed)) {
  }
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "metrics: %s\n", msg.c_str());
  std::abort();
}

std::unique_ptr<Counter> MakeChild(const Counter*, const std::vector<double>&) {
  return std::make_unique<Counter>();
}
std::unique_ptr<Histogram> MakeChild(const Histogram*, const std::vector<double>& bounds) {
  return std::make_unique<Histogram>(bounds);
}

// `{a="x",b="y"}` with an optional extra label (the histogram's `le`) appended.
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

void RenderSample(std::string& out, const std::string& name, const std::string& labels, double v) {
  out += name;
  out += labels;
  out += ' ';
  out += FormatValue(v);
  out += '\n';
}

// `bucket_count(i)` is bucket i's non-cumulative count (i == bounds.size(): +Inf).
template <typename BucketCount>
void RenderBuckets(std::string& out, const std::string& name, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, const std::vector<double>& bounds,
                   BucketCount&& bucket_count, double sum) {
  // Writers keep observing during a scrape, so _count is taken from the buckets just read rather than
  // from count(): the +Inf bucket and _count must agree or Prometheus queries see an impossible series.
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += bucket_count(i);
    std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
    RenderSample(out, name + "_bucket", LabelSet(names, values, "le", le), static_cast<double>(cumulative));
  }
  RenderSample(out, name + "_sum", LabelSet(names, values), sum);
  RenderSample(out, name + "_count", LabelSet(names, values), static_cast<double>(cumulative));
}

void RenderHistogram(std::string& out, const std::string& name, const std::vector<std::string>& names,
                     const std::vector<std::string>& values, const Histogram& h) {
  RenderBuckets(out, name, names, values, h.upper_bounds(), [&h](size_t i) { return h.bucket_count(i); }, h.sum());
}

// A snapshot whose counts do not match its bounds renders its known buckets and 0 beyond.
void RenderSnapshot(std::string& out, const std::string& name, const HistogramSnapshot& s) {
  RenderBuckets(out, name, {}, {}, s.upper_bounds,
                [&s](size_t i) { return i < s.bucket_counts.size() ? s.bucket_counts[i] : uint64_t{0}; }, s.sum);
}

}  // namespace

void Gauge::Add(double delta) { AtomicAdd(value_, delta); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i + 1 < bounds_.size(); ++i) {
    if (!(bounds_[i] < bounds_[i + 1])) Die("histogram bounds must be strictly increasing");
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // Prometheus buckets are inclusive upper bounds: the first bound >= v.
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  out.reserve(count);
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) Die("wrong number of label values");
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    it = children_.emplace(values, MakeChild(static_cast<const T*>(nullptr), bounds_)).first;
  }
  return *it->second;
}

template <typename T>
T& Family<T>::WithLabels(std::initializer_list<std::string_view> values) {
  return WithLabels(std::vector<std::string>(values.begin(), values.end()));
}

template class Family<Counter>;
template class Family<Histogram>;

Registry::Entry* Registry::Find(const std::string& name, Kind kind,
                                const std::vector<std::string>& label_names) {
  if (!ValidName(name)) Die("invalid metric name '" + name + "'");
  for (auto& e : entries_) {
    if (e->name != name) continue;
    if (e->kind != kind || e->label_names != label_names || kind == Kind::kCallbackGauge ||
        kind == Kind::kCallbackCounter || kind == Kind::kCallbackHistogram) {
      Die("metric '" + name + "' registered twice with a different kind or labels");
    }
    return e.get();
  }
  return nullptr;
}

Registry::Entry& Registry::Insert(const std::string& name, const std::string& help, Kind kind,
                                  std::vector<std::string> label_names) {
  for (const std::string& l : label_names) {
    if (!ValidName(l) || l.find(':') != std::string::npos || l == "le") Die("invalid label name '" + l + "'");
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->kind = kind;
  e->label_names = std::move(label_names);
  entries_.push_back(std::move(e));
  return *entries_.back();
}

Counter& Registry::AddCounter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, Kind::kCounter, {})) return *e->counter;
  Entry& e = Insert(name, help, Kind::kCounter, {});
  e.counter = std::make_unique<Counter>();
  return *e.counter;
}

Gauge& Registry::AddGauge(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, Kind::kGauge, {})) return *e->gauge;
  Entry& e = Insert(name, help, Kind::kGauge, {});
  e.gauge = std::make_unique<Gauge>();
  return *e.gauge;
}

void Registry::AddCallbackGauge(const std::string& name, const std::string& help, std::function<double()> fn) {
  std::lock_guard lock(mu_);
  Find(name, Kind::kCallbackGauge, {});  // a second callback for the same name aborts
  Insert(name, help, Kind::kCallbackGauge, {}).callback = std::move(fn);
}

void Registry::AddCallbackCounter(const std::string& name, const std::string& help, std::function<double()> fn) {
  std::lock_guard lock(mu_);
  Find(name, Kind::kCallbackCounter, {});
  Insert(name, help, Kind::kCallbackCounter, {}).callback = std::move(fn);
}

Histogram& Registry::AddHistogram(const std::string& name, const std::string& help, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, Kind::kHistogram, {})) return *e->histogram;
  Entry& e = Insert(name, help, Kind::kHistogram, {});
  e.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *e.histogram;
}

CounterFamily& Registry::AddCounterFamily(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, Kind::kCounterFamily, label_names)) return *e->counter_family;
  Entry& e = Insert(name, help, Kind::kCounterFamily, label_names);
  e.counter_family = std::make_unique<CounterFamily>(std::move(label_names), std::vector<double>{});
  return *e.counter_family;
}

void Registry::AddCallbackHistogram(const std::string& name, const std::string& help,
                                    std::function<HistogramSnapshot()> fn) {
  std::lock_guard lock(mu_);
  Find(name, Kind::kCallbackHistogram, {});  // a second callback for the same name aborts
  Insert(name, help, Kind::kCallbackHistogram, {}).histogram_callback = std::move(fn);
}

HistogramFamily& Registry::AddHistogramFamily(const std::string& name, const std::string& help,
                                              std::vector<std::string> label_names, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, Kind::kHistogramFamily, label_names)) return *e->histogram_family;
  Entry& e = Insert(name, help, Kind::kHistogramFamily, label_names);
  Histogram check(bounds);  // validates the bounds once, at registration
  e.histogram_family = std::make_unique<HistogramFamily>(std::move(label_names), std::move(bounds));
  return *e.histogram_family;
}

std::string Registry::RenderText() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& e : entries_) {
    const char* type = "gauge";
    if (e->kind == Kind::kCounter || e->kind == Kind::kCounterFamily || e->kind == Kind::kCallbackCounter) {
      type = "counter";
    }
    if (e->kind == Kind::kHistogram || e->kind == Kind::kCallbackHistogram || e->kind == Kind::kHistogramFamily) {
      type = "histogram";
    }
    out += "# HELP " + e->name + ' ' + EscapeHelp(e->help) + '\n';
    out += "# TYPE " + e->name + ' ' + type + '\n';
    switch (e->kind) {
      case Kind::kCounter:
        RenderSample(out, e->name, {}, static_cast<double>(e->counter->value()));
        break;
      case Kind::kGauge:
        RenderSample(out, e->name, {}, e->gauge->value());
        break;
      case Kind::kCallbackGauge:
      case Kind::kCallbackCounter:
        RenderSample(out, e->name, {}, e->callback());
        break;
      case Kind::kHistogram:
        RenderHistogram(out, e->name, {}, {}, *e->histogram);
        break;
      case Kind::kCallbackHistogram:
        RenderSnapshot(out, e->name, e->histogram_callback());
        break;
      case Kind::kCounterFamily:
        e->counter_family->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
          RenderSample(out, e->name, LabelSet(e->label_names, values), static_cast<double>(c.value()));
        });
        break;
      case Kind::kHistogramFamily:
        e->histogram_family->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
          RenderHistogram(out, e->name, e->label_names, values, h);
        });
        break;
    }
  }
  return out;
}

Registry& DefaultRegistry() {
  static Registry* registry = new Registry();  // never destroyed: metrics may be touched during exit
  return *registry;
}

// Prometheus text format: HELP text escapes backslash and newline; label values also escape '"'.
static std::string EscapeText(std::string_view s, bool escape_quotes) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view s) { return EscapeText(s, false); }

std::string EscapeLabelValue(std::string_view s) { return EscapeText(s, true); }

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    // Shortest of %.15g / %.17g that round-trips, so 0.1 prints as 0.1 rather than 0.10000000000000001.
    std::snprintf(buf, sizeof(buf), "%.15g", v);
    if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof(buf), "%.17g", v);
  }
  return buf;
}

}  // namespace segue::metrics
