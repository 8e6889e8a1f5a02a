#include "models/disengagement_bundle.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "features/feature_spec.h"
#include "features/session_features.h"
#include "models/bundle_files.h"
#include "models/metrics.h"

namespace segue {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kFormatName = "segue-disengagement-bundle";
constexpr const char* kSkipWeightsFile = "skip_weights.bin";

json MetricsJson(const BundleMetrics& m) {
  return {{"examples", m.examples},
          {"positives", m.positives},
          {"roc_auc", m.roc_auc},
          {"pr_auc", m.pr_auc},
          {"precision_at_k", m.precision_at_k},
          {"k", m.k},
          {"precision_at_threshold", m.precision_at_threshold},
          {"recall_at_threshold", m.recall_at_threshold},
          {"fpr_at_threshold", m.fpr_at_threshold},
          {"ece", m.ece}};
}

json LogisticJson(const LinearModel& m) {
  json inputs = json::array();
  for (int i = 0; i < kTabularFeatures; ++i) inputs.push_back(std::string(TabularFeatureName(i)));
  return {{"inputs", inputs}, {"weights", m.weights}, {"bias", m.bias}};
}

// The logistic coefficients; their inputs must be this build's TabularFeatures, in order.
Result<LinearModel> LogisticFromJson(const json& j, const std::string& file) {
  if (!j.is_object()) return Status::Corruption(file + ": field 'logistic' must be an object");
  std::vector<std::string> inputs;
  LinearModel m;
  for (Status s : {JsonField(j, "inputs", file, &inputs), JsonField(j, "weights", file, &m.weights),
                   JsonField(j, "bias", file, &m.bias)}) {
    if (!s.ok()) return s;
  }
  bool same = inputs.size() == static_cast<size_t>(kTabularFeatures);
  for (size_t i = 0; same && i < inputs.size(); ++i) same = inputs[i] == TabularFeatureName(static_cast<int>(i));
  if (!same) {
    return Status::InvalidArgument(file + ": logistic.inputs differ from this build's tabular features; retrain the model");
  }
  if (m.weights.size() != inputs.size()) return Status::Corruption(file + ": logistic.weights: one per input expected");
  return m;
}

Result<BlendWeights> BlendFromJson(const json& j, const std::string& file) {
  if (!j.is_object()) return Status::Corruption(file + ": field 'blend' is missing or not an object");
  BlendWeights b;
  for (Status s : {JsonField(j, "transformer", file, &b.transformer), JsonField(j, "logistic", file, &b.logistic),
                   JsonField(j, "bias", file, &b.bias)}) {
    if (!s.ok()) return s;
  }
  return b;
}

}  // namespace

bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string_view da(a.data() + i, ie - i), db(b.data() + j, je - j);
      while (da.size() > 1 && da.front() == '0') da.remove_prefix(1);
      while (db.size() > 1 && db.front() == '0') db.remove_prefix(1);
      if (da.size() != db.size()) return da.size() < db.size();
      if (da != db) return da < db;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

void SummariseValidation(const std::vector<float>& scores, const std::vector<uint8_t>& labels,
                         DisengagementBundle* bundle) {
  BundleMetrics& m = bundle->validation;
  m.examples = scores.size();
  m.positives = static_cast<size_t>(std::count(labels.begin(), labels.end(), uint8_t{1}));
  m.roc_auc = RocAuc(scores, labels);
  m.pr_auc = AveragePrecision(scores, labels);
  m.k = std::max<size_t>(1, scores.size() / 20);
  m.precision_at_k = PrecisionAtK(scores, labels, m.k);
  m.ece = ExpectedCalibrationError(scores, labels);
  std::optional<float> t = ThresholdForPrecision(scores, labels, bundle->target_precision);
  bundle->target_reached = t.has_value();
  bundle->threshold = t.value_or(0.5f);
  m.precision_at_threshold = PrecisionAt(scores, labels, bundle->threshold);
  m.fpr_at_threshold = FalsePositiveRate(scores, labels, bundle->threshold);
  size_t caught = 0;
  for (size_t i = 0; i < scores.size(); ++i) caught += labels[i] && scores[i] >= bundle->threshold;
  m.recall_at_threshold = m.positives ? static_cast<double>(caught) / static_cast<double>(m.positives) : NAN;
  bundle->score_histogram.assign(kScoreHistogramBins, 0);
  for (float s : scores) ++bundle->score_histogram[static_cast<size_t>(ScoreBin(s))];
}

Status SaveBundle(const DisengagementBundle& b, const std::string& dir) {
  Result<StagedBundle> staged = StageBundle(dir);
  if (!staged.ok()) return staged.status();
  const fs::path& tmp = staged->tmp;

  json config = {
      {"format", kFormatName},
      {"format_version", kBundleFormatVersion},
      {"model", PredictorKindName(b.kind)},
      {"feature_spec_version", b.feature_spec_version},
      {"architecture", b.architecture.ToJson()},
      {"labels",
       {{"horizon_ms", b.labels.horizon_ms},
        {"burst_skips", b.labels.burst_skips},
        {"burst_window", b.labels.burst_window},
        {"session_timeout_ms", b.labels.session_timeout_ms}}},
      {"threshold", {{"value", b.threshold}, {"target_precision", b.target_precision}, {"target_reached", b.target_reached}}},
      {"training",
       {{"created", b.created},
        {"source", b.source},
        {"train_examples", b.train_examples},
        {"best_epoch", b.best_epoch},
        {"pos_weight", b.pos_weight}}},
  };
  const bool has_transformer = b.kind != PredictorKind::kLogistic;
  if (has_transformer) config["weights_file"] = "weights.bin";
  if (b.kind != PredictorKind::kTransformer) {
    if (!b.logistic) return Status::InvalidArgument("bundle: a " + std::string(PredictorKindName(b.kind)) +
                                                    " model needs its logistic coefficients");
    config["logistic"] = LogisticJson(*b.logistic);
    config["blend"] = {{"transformer", b.blend.transformer}, {"logistic", b.blend.logistic}, {"bias", b.blend.bias}};
  }
  if (const std::optional<EngagementCounts>& e = b.training_engagement) {
    config["training"]["engagement"] = {{"plays_ended", e->plays_ended},
                                        {"plays_skipped", e->plays_skipped},
                                        {"sessions_started", e->sessions_started},
                                        {"sessions_exited", e->sessions_exited}};
  }
  if (b.skip_weights) {
    config["skip_head"] = {{"weights_file", kSkipWeightsFile},
                           {"target", "next_play_skipped"},
                           {"best_epoch", b.skip_best_epoch},
                           {"train_examples", b.skip_train_examples},
                           {"valid_roc_auc", FiniteOrNull(b.skip_valid_roc_auc)}};
  }
  json validation = MetricsJson(b.validation);
  for (auto& [key, value] : validation.items()) {
    if (value.is_number_float()) value = FiniteOrNull(value.get<double>());
  }
  json history = json::array();
  for (const EpochReport& e : b.history) {
    history.push_back({{"epoch", e.epoch},
                       {"train_loss", FiniteOrNull(e.train_loss)},
                       {"valid_roc_auc", FiniteOrNull(e.valid_roc_auc)},
                       {"valid_pr_auc", FiniteOrNull(e.valid_pr_auc)},
                       {"seconds", e.seconds},
                       {"improved", e.improved}});
  }
  json metrics = {{"validation", validation}, {"best_epoch", b.best_epoch}, {"epochs", history}};
  json histogram = {{"bins", kScoreHistogramBins}, {"range", {0.0, 1.0}}, {"counts", b.score_histogram}};

  Status s = has_transformer ? WriteWholeFile(tmp / "weights.bin", b.weights.Encode()) : Status::Ok();
  if (s.ok() && b.skip_weights) s = WriteWholeFile(tmp / kSkipWeightsFile, b.skip_weights->Encode());
  if (s.ok()) s = WriteWholeFile(tmp / "config.json", config.dump(2) + "\n");
  if (s.ok()) s = WriteWholeFile(tmp / "metrics.json", metrics.dump(2) + "\n");
  if (s.ok()) s = WriteWholeFile(tmp / "score_histogram.json", histogram.dump(2) + "\n");
  return PublishBundle(*staged, s);
}

Result<DisengagementBundle> LoadBundle(const std::string& dir) {
  Result<OpenedBundle> opened = OpenBundle(dir);
  if (!opened.ok()) return opened.status();
  const fs::path& root = opened->root;
  const std::string& config_file = opened->config_file;
  const json& c = opened->config;
  std::error_code ec;
  DisengagementBundle b;
  b.version = opened->version;

  std::string format, model;
  int format_version = 0;
  if (Status s = JsonField(c, "format", config_file, &format); !s.ok()) return s;
  if (format != kFormatName) return Status::Corruption(config_file + ": format is '" + format + "', not " + kFormatName);
  if (Status s = JsonField(c, "format_version", config_file, &format_version); !s.ok()) return s;
  if (format_version < 1 || format_version > kBundleFormatVersion) {
    return Status::InvalidArgument(config_file + ": bundle format " + std::to_string(format_version) +
                                   " is not supported (this build reads 1 to " + std::to_string(kBundleFormatVersion) + ")");
  }
  if (Status s = JsonField(c, "model", config_file, &model); !s.ok()) return s;
  Result<PredictorKind> kind = ParsePredictorKind(model);
  // Format 1 knew only the Transformer.
  if (!kind.ok() || (format_version == 1 && *kind != PredictorKind::kTransformer)) {
    return Status::InvalidArgument(config_file + ": model '" + model + "' is not supported in bundle format " +
                                   std::to_string(format_version));
  }
  b.kind = *kind;
  if (Status s = JsonField(c, "feature_spec_version", config_file, &b.feature_spec_version); !s.ok()) return s;
  if (b.feature_spec_version != kFeatureSpecVersion) {
    return Status::InvalidArgument(config_file + ": trained with feature spec v" + std::to_string(b.feature_spec_version) +
                                   ", this build computes v" + std::to_string(kFeatureSpecVersion) + "; retrain the model");
  }
  auto arch = c.find("architecture");
  if (arch == c.end()) return Status::Corruption(config_file + ": field 'architecture' is missing");
  Result<TransformerConfig> architecture = TransformerConfig::FromJson(*arch);
  if (!architecture.ok()) return Status::Corruption(config_file + ": " + architecture.status().message());
  b.architecture = *architecture;

  auto labels = c.find("labels");
  if (labels == c.end() || !labels->is_object()) return Status::Corruption(config_file + ": field 'labels' is missing");
  for (Status s : {JsonField(*labels, "horizon_ms", config_file, &b.labels.horizon_ms),
                   JsonField(*labels, "burst_skips", config_file, &b.labels.burst_skips),
                   JsonField(*labels, "burst_window", config_file, &b.labels.burst_window),
                   JsonField(*labels, "session_timeout_ms", config_file, &b.labels.session_timeout_ms)}) {
    if (!s.ok()) return s;
  }
  auto threshold = c.find("threshold");
  if (threshold == c.end() || !threshold->is_object()) {
    return Status::Corruption(config_file + ": field 'threshold' is missing");
  }
  for (Status s : {JsonField(*threshold, "value", config_file, &b.threshold),
                   JsonField(*threshold, "target_precision", config_file, &b.target_precision),
                   JsonField(*threshold, "target_reached", config_file, &b.target_reached)}) {
    if (!s.ok()) return s;
  }
  if (!(b.threshold >= 0.f && b.threshold <= 1.f)) {
    return Status::Corruption(config_file + ": threshold.value must be a probability in [0, 1]");
  }
  auto training = c.find("training");
  if (training != c.end() && training->is_object()) {
    b.created = training->value("created", "");
    b.source = training->value("source", "");
    b.train_examples = training->value("train_examples", size_t{0});
    b.best_epoch = training->value("best_epoch", 0);
    b.pos_weight = training->value("pos_weight", 1.0f);
    auto engagement = training->find("engagement");
    if (engagement != training->end() && engagement->is_object()) {
      EngagementCounts e;
      for (Status s : {JsonField(*engagement, "plays_ended", config_file, &e.plays_ended),
                       JsonField(*engagement, "plays_skipped", config_file, &e.plays_skipped),
                       JsonField(*engagement, "sessions_started", config_file, &e.sessions_started),
                       JsonField(*engagement, "sessions_exited", config_file, &e.sessions_exited)}) {
        if (!s.ok()) return s;
      }
      b.training_engagement = e;
    }
  }

  if (b.kind != PredictorKind::kLogistic) {
    Result<std::string> bytes = ReadWholeFile(root / "weights.bin");
    if (!bytes.ok()) return bytes.status();
    Result<TransformerWeights> weights = TransformerWeights::Decode(*bytes);
    if (!weights.ok()) return Status::Corruption((root / "weights.bin").string() + ": " + weights.status().message());
    b.weights = std::move(*weights);
  }
  if (b.kind != PredictorKind::kTransformer) {
    auto logistic = c.find("logistic");
    if (logistic == c.end()) return Status::Corruption(config_file + ": field 'logistic' is missing");
    Result<LinearModel> m = LogisticFromJson(*logistic, config_file);
    if (!m.ok()) return m.status();
    b.logistic = std::move(*m);
    Result<BlendWeights> blend = BlendFromJson(c.value("blend", json()), config_file);
    if (!blend.ok()) return blend.status();
    b.blend = *blend;
  }

  // The optional skip head: validated exactly like the main weights when config.json announces it.
  if (auto skip = c.find("skip_head"); skip != c.end()) {
    if (!skip->is_object()) return Status::Corruption(config_file + ": field 'skip_head' must be an object");
    std::string file;
    if (Status s = JsonField(*skip, "weights_file", config_file, &file); !s.ok()) return s;
    if (file != kSkipWeightsFile) {
      return Status::Corruption(config_file + ": skip_head.weights_file is '" + file + "', expected " + kSkipWeightsFile);
    }
    Result<std::string> skip_bytes = ReadWholeFile(root / file);
    if (!skip_bytes.ok()) return skip_bytes.status();
    Result<TransformerWeights> skip_weights = TransformerWeights::Decode(*skip_bytes);
    if (!skip_weights.ok()) return Status::Corruption((root / file).string() + ": " + skip_weights.status().message());
    b.skip_weights = std::move(*skip_weights);
    b.skip_best_epoch = skip->value("best_epoch", 0);
    b.skip_train_examples = skip->value("train_examples", size_t{0});
    auto auc = skip->find("valid_roc_auc");
    b.skip_valid_roc_auc = auc != skip->end() && auc->is_number() ? auc->get<double>() : NAN;
  }

  // The reports are informational: a bundle without them still serves, but a damaged one is reported.
  if (fs::exists(root / "metrics.json", ec)) {
    Result<json> metrics = ReadJsonObject(root / "metrics.json");
    if (!metrics.ok()) return metrics.status();
    const json v = metrics->value("validation", json::object());
    b.validation.examples = v.value("examples", size_t{0});
    b.validation.positives = v.value("positives", size_t{0});
    auto num = [&v](const char* key) { return v.contains(key) && v[key].is_number() ? v[key].get<double>() : NAN; };
    b.validation.roc_auc = num("roc_auc");
    b.validation.pr_auc = num("pr_auc");
    b.validation.precision_at_k = num("precision_at_k");
    b.validation.k = v.value("k", size_t{0});
    b.validation.precision_at_threshold = num("precision_at_threshold");
    b.validation.recall_at_threshold = num("recall_at_threshold");
    b.validation.fpr_at_threshold = num("fpr_at_threshold");
    b.validation.ece = num("ece");
  }
  if (fs::exists(root / "score_histogram.json", ec)) {
    Result<json> hist = ReadJsonObject(root / "score_histogram.json");
    if (!hist.ok()) return hist.status();
    if (Status s = JsonField(*hist, "counts", (root / "score_histogram.json").string(), &b.score_histogram); !s.ok()) {
      return s;
    }
    if (!b.score_histogram.empty() && b.score_histogram.size() != kScoreHistogramBins) {
      return Status::Corruption((root / "score_histogram.json").string() + ": counts: expected " +
                                std::to_string(kScoreHistogramBins) + " bins");
    }
  }
  return b;
}

Result<ScoringBundle> LoadScoringBundle(const std::string& dir) {
  Result<DisengagementBundle> bundle = LoadBundle(dir);
  if (!bundle.ok()) return bundle.status();
  Result<ScoringBundle> out = MakeScoringBundle(std::move(*bundle));
  if (!out.ok()) return Status::Corruption(dir + ": " + out.status().message());
  return out;
}

Result<ScoringBundle> MakeScoringBundle(DisengagementBundle bundle) {
  ScoringBundle out;
  out.bundle = std::move(bundle);
  DisengagementBundle& b = out.bundle;
  if (b.kind != PredictorKind::kLogistic) {
    Result<std::shared_ptr<const IncrementalEncoder>> encoder = IncrementalEncoder::Create(b.architecture, b.weights);
    if (!encoder.ok()) return encoder.status();
    out.encoder = std::move(*encoder);
    b.weights = TransformerWeights();
  }
  Result<std::shared_ptr<const DisengagementPredictor>> predictor =
      DisengagementPredictor::Create(b.kind, out.encoder, b.logistic, b.blend);
  if (!predictor.ok()) return predictor.status();
  out.predictor = std::move(*predictor);
  if (b.skip_weights) {
    Result<std::shared_ptr<const IncrementalEncoder>> skip = IncrementalEncoder::Create(b.architecture, *b.skip_weights);
    if (!skip.ok()) return Status(skip.status().code(), std::string(kSkipWeightsFile) + ": " + skip.status().message());
    out.skip_encoder = std::move(*skip);
    b.skip_weights = TransformerWeights();
  }
  return out;
}

Result<std::string> FindNewestBundle(const std::string& models_dir) {
  std::error_code ec;
  if (!fs::is_directory(models_dir, ec)) return Status::NotFound(models_dir + ": no such models folder");
  std::string best;
  for (const fs::directory_entry& e : fs::directory_iterator(models_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory(ec) || name.find(".tmp-") != std::string::npos || name.starts_with(".")) continue;
    if (!fs::exists(e.path() / "config.json", ec)) continue;
    if (best.empty() || NaturalLess(best, name)) best = name;
  }
  if (ec) return Status::IoError(models_dir + ": cannot list: " + ec.message());
  if (best.empty()) return Status::NotFound(models_dir + ": holds no model bundle (no sub-folder with config.json)");
  return (fs::path(models_dir) / best).string();
}

}  // namespace segue
