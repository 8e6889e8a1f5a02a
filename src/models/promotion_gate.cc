#include "models/promotion_gate.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "models/bundle_files.h"
#include "models/disengagement_bundle.h"

namespace segue {
namespace {

namespace fs = std::filesystem;

// The number of a "v<digits>" name, else nullopt.
std::optional<unsigned long long> VersionNumber(const std::string& name) {
  if (name.size() < 2 || name.size() > 19 || name[0] != 'v') return std::nullopt;
  if (name.find_first_not_of("0123456789", 1) != std::string::npos) return std::nullopt;
  return std::stoull(name.substr(1));
}

std::string Formatted(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

GateDecision DecidePromotion(const GateMetric& m) {
  if (!std::isfinite(m.candidate)) return {false, "the candidate's " + m.name + " is undefined on the held-out data"};
  if (!m.current) return {true, "no current bundle to compare with"};
  if (!std::isfinite(*m.current)) return {true, "the current bundle's " + m.name + " is undefined on the held-out data"};
  if (m.candidate >= *m.current) {
    return {true, m.name + " " + Formatted(m.candidate) + " >= current " + m.current_version + "'s " +
                      Formatted(*m.current)};
  }
  return {false, m.name + " " + Formatted(m.candidate) + " < current " + m.current_version + "'s " +
                     Formatted(*m.current) + " on the same " + std::to_string(m.examples) + " held-out examples"};
}

Result<std::string> NextBundleVersion(const std::string& models_dir) {
  unsigned long long highest = 0;
  std::error_code ec;
  for (const fs::path& dir : {fs::path(models_dir), fs::path(models_dir) / kRefusedSubdir,
                              fs::path(models_dir) / kCandidatesSubdir}) {
    if (!fs::is_directory(dir, ec)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
      if (std::optional<unsigned long long> n = VersionNumber(e.path().filename().string())) highest = std::max(highest, *n);
    }
    if (ec) return Status::IoError(dir.string() + ": cannot list: " + ec.message());
  }
  char name[32];
  std::snprintf(name, sizeof name, "v%04llu", highest + 1);
  if (Result<std::string> newest = FindNewestBundle(models_dir); newest.ok()) {
    const std::string current = fs::path(*newest).filename().string();
    if (!NaturalLess(current, name)) {
      return Status::InvalidArgument(models_dir + ": a new version " + name + " would not be newer than " +
                                        current + "; name versions v0001, v0002, ...");
    }
  }
  return std::string(name);
}

std::string CandidatePath(const std::string& models_dir, const std::string& version) {
  return (fs::path(models_dir) / kCandidatesSubdir / version).string();
}

Result<std::string> ApplyPromotion(const std::string& models_dir, const std::string& version, const GateMetric& metric,
                                   const GateDecision& decision) {
  const fs::path from = CandidatePath(models_dir, version);
  const fs::path to = decision.promote ? fs::path(models_dir) / version : fs::path(models_dir) / kRefusedSubdir / version;
  std::error_code ec;
  if (!decision.promote) {
    const nlohmann::json refused = {{"version", version},
                                    {"refused_at", FormatRfc3339Ms(NowMs())},
                                    {"reason", decision.reason},
                                    {"metric", metric.name},
                                    {"candidate", FiniteOrNull(metric.candidate)},
                                    {"current", metric.current ? FiniteOrNull(*metric.current) : nullptr},
                                    {"current_version", metric.current_version},
                                    {"examples", metric.examples}};
    if (Status s = WriteWholeFile(from / "REFUSED.json", refused.dump(2) + "\n"); !s.ok()) return s;
    fs::create_directories(to.parent_path(), ec);
  }
  fs::rename(from, to, ec);
  if (ec) return Status::IoError(to.string() + ": cannot move the candidate " + from.string() + " here: " + ec.message());
  return to.string();
}

}  // namespace segue
