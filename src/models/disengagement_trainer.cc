#include "models/disengagement_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "models/metrics.h"
#include "models/transformer_model.h"

namespace segue {

InputNormalization FitInputNormalization(size_t count, const std::function<const FeatureVector&(size_t)>& example) {
  std::vector<double> s_sum(kStepNumeric), s_sq(kStepNumeric), c_sum(kContextNumeric), c_sq(kContextNumeric);
  double steps = 0;
  for (size_t e = 0; e < count; ++e) {
    const FeatureVector& fv = example(e);
    const int n = std::clamp(fv.length, 0, kSequenceLength);
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < kStepNumeric; ++k) {
        const double v = fv.steps[static_cast<size_t>(i)].numeric[static_cast<size_t>(k)];
        s_sum[static_cast<size_t>(k)] += v;
        s_sq[static_cast<size_t>(k)] += v * v;
      }
    }
    steps += n;
    for (int k = 0; k < kContextNumeric; ++k) {
      const double v = fv.context[static_cast<size_t>(k)];
      c_sum[static_cast<size_t>(k)] += v;
      c_sq[static_cast<size_t>(k)] += v * v;
    }
  }
  auto finish = [](const std::vector<double>& sum, const std::vector<double>& sq, double n, std::vector<float>& mean,
                   std::vector<float>& stddev) {
    for (size_t k = 0; k < sum.size(); ++k) {
      const double m = n > 0 ? sum[k] / n : 0.0;
      const double var = n > 0 ? std::max(0.0, sq[k] / n - m * m) : 1.0;
      mean.push_back(static_cast<float>(m));
      stddev.push_back(std::max(kMinInputStd, static_cast<float>(std::sqrt(var))));
    }
  };
  InputNormalization out;
  finish(s_sum, s_sq, steps, out.step_mean, out.step_std);
  finish(c_sum, c_sq, static_cast<double>(count), out.ctx_mean, out.ctx_std);
  return out;
}

namespace {

// Logits of the full forward, batched.
std::vector<float> PredictLogits(DisengagementTransformer& model, std::span<const FeatureVector> examples, int batch_size) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::vector<float> out;
  out.reserve(examples.size());
  std::vector<const FeatureVector*> ptrs;
  for (size_t start = 0; start < examples.size(); start += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(examples.size(), start + static_cast<size_t>(batch_size));
    ptrs.clear();
    for (size_t i = start; i < end; ++i) ptrs.push_back(&examples[i]);
    torch::Tensor p = model->forward(MakeTransformerBatch(ptrs)).contiguous();
    out.insert(out.end(), p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
  }
  return out;
}

Status CheckLabels(std::span<const FeatureVector> x, std::span<const uint8_t> y, const char* what, bool need_both) {
  if (x.size() != y.size()) {
    return Status::InvalidArgument(std::string(what) + ": " + std::to_string(x.size()) + " examples but " +
                                   std::to_string(y.size()) + " labels");
  }
  const size_t pos = static_cast<size_t>(std::count_if(y.begin(), y.end(), [](uint8_t v) { return v != 0; }));
  if (pos == 0 || (need_both && pos == y.size())) {
    return Status::InvalidArgument(std::string(what) + ": needs both positive and negative examples (" +
                                   std::to_string(pos) + " positives of " + std::to_string(y.size()) + ")");
  }
  return Status::Ok();
}

Result<TrainResult> Train(std::span<const FeatureVector> train, std::span<const uint8_t> train_labels,
                          std::span<const FeatureVector> valid, std::span<const uint8_t> valid_labels,
                          const TrainOptions& options) {
  at::set_num_threads(std::max(1, options.threads));
  torch::manual_seed(options.seed);
  std::mt19937_64 rng(options.seed);

  DisengagementTransformer model(options.architecture);
  InputNormalization norm =
      FitInputNormalization(train.size(), [&train](size_t i) -> const FeatureVector& { return train[i]; });
  model->SetNormalization(norm.step_mean, norm.step_std, norm.ctx_mean, norm.ctx_std);

  const double positives = static_cast<double>(std::count(train_labels.begin(), train_labels.end(), uint8_t{1}));
  TrainResult result;
  result.architecture = options.architecture;
  result.pos_weight = static_cast<float>(std::clamp((static_cast<double>(train.size()) - positives) / positives, 1.0, 100.0));
  torch::Tensor pos_weight = torch::full({1}, result.pos_weight);

  torch::optim::AdamW optimizer(model->parameters(),
                                torch::optim::AdamWOptions(options.learning_rate).weight_decay(options.weight_decay));
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<const FeatureVector*> ptrs;
  std::vector<float> batch_labels;
  double best_auc = -1;
  int since_best = 0;

  for (int epoch = 1; epoch <= options.max_epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    model->train();
    double loss_sum = 0;
    size_t batches = 0;
    for (size_t start = 0; start < order.size(); start += static_cast<size_t>(options.batch_size)) {
      const size_t end = std::min(order.size(), start + static_cast<size_t>(options.batch_size));
      ptrs.clear();
      batch_labels.clear();
      for (size_t i = start; i < end; ++i) {
        ptrs.push_back(&train[order[i]]);
        batch_labels.push_back(train_labels[order[i]] ? 1.f : 0.f);
      }
      torch::Tensor target = torch::from_blob(batch_labels.data(), {static_cast<int64_t>(batch_labels.size())}).clone();
      torch::Tensor logits = model->forward(MakeTransformerBatch(ptrs));
      torch::Tensor loss = torch::nn::functional::binary_cross_entropy_with_logits(
          logits, target, torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(pos_weight));
      optimizer.zero_grad();
      loss.backward();
      torch::nn::utils::clip_grad_norm_(model->parameters(), options.max_grad_norm);
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }

    std::vector<float> scores = PredictLogits(model, valid, 1024);  // ROC-AUC only needs the order
    EpochReport report;
    report.epoch = epoch;
    report.train_loss = batches ? loss_sum / static_cast<double>(batches) : 0.0;
    report.valid_roc_auc = RocAuc(scores, valid_labels);
    report.valid_pr_auc = AveragePrecision(scores, valid_labels);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.improved = report.valid_roc_auc > best_auc;
    if (report.improved) {
      best_auc = report.valid_roc_auc;
      since_best = 0;
      result.best_epoch = epoch;
      result.weights = model->ExportWeights();
      result.valid_scores = std::move(scores);
    } else {
      ++since_best;
    }
    result.history.push_back(report);
    if (options.on_epoch) options.on_epoch(report);
    if (since_best >= options.patience) break;
  }
  // Weighting positives by w multiplies the predicted odds by w; shifting the output bias by -log(w)
  // undoes that, so served probabilities are calibrated to the real base rate (rankings are unchanged).
  const float shift = std::log(result.pos_weight);
  result.weights.FindMutable("head2.bias")->data[0] -= shift;
  for (float& z : result.valid_scores) z = 1.f / (1.f + std::exp(-(z - shift)));
  return result;
}

}  // namespace

Result<TrainResult> TrainDisengagementTransformer(std::span<const FeatureVector> train,
                                                  std::span<const uint8_t> train_labels,
                                                  std::span<const FeatureVector> valid,
                                                  std::span<const uint8_t> valid_labels,
                                                  const TrainOptions& options) {
  if (Status s = options.architecture.Validate(); !s.ok()) return s;
  if (options.max_epochs < 1 || options.patience < 1 || options.batch_size < 1) {
    return Status::InvalidArgument("train options: max_epochs, patience and batch_size must be positive");
  }
  if (!(options.learning_rate > 0) || !(options.weight_decay >= 0)) {
    return Status::InvalidArgument("train options: learning_rate must be > 0 and weight_decay >= 0");
  }
  if (Status s = CheckLabels(train, train_labels, "training set", false); !s.ok()) return s;
  if (Status s = CheckLabels(valid, valid_labels, "validation set", true); !s.ok()) return s;
  try {
    return Train(train, train_labels, valid, valid_labels, options);
  } catch (const std::exception& e) {  // LibTorch reports errors as c10::Error
    return Status::Internal(std::string("training failed inside LibTorch: ") + e.what());
  }
}

struct TorchScorer::Impl {
  explicit Impl(const TransformerConfig& c) : model(c) {}
  DisengagementTransformer model;
};

TorchScorer::TorchScorer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TorchScorer::~TorchScorer() = default;

Result<std::unique_ptr<TorchScorer>> TorchScorer::Create(const TransformerConfig& architecture,
                                                         const TransformerWeights& weights, int threads) {
  if (Status s = architecture.Validate(); !s.ok()) return s;
  try {
    at::set_num_threads(std::max(1, threads));
    auto impl = std::make_unique<Impl>(architecture);
    if (Status s = impl->model->ImportWeights(weights); !s.ok()) return s;
    return std::unique_ptr<TorchScorer>(new TorchScorer(std::move(impl)));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("LibTorch model construction failed: ") + e.what());
  }
}

Result<std::vector<float>> TorchScorer::Score(std::span<const FeatureVector> examples, int batch_size) {
  try {
    std::vector<float> out = PredictLogits(impl_->model, examples, std::max(1, batch_size));
    for (float& z : out) z = 1.f / (1.f + std::exp(-z));
    return out;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("scoring failed inside LibTorch: ") + e.what());
  }
}

Result<std::vector<float>> ScoreWithTorch(const TransformerConfig& architecture, const TransformerWeights& weights,
                                          std::span<const FeatureVector> examples, int batch_size) {
  Result<std::unique_ptr<TorchScorer>> scorer = TorchScorer::Create(architecture, weights);
  if (!scorer.ok()) return scorer.status();
  return (*scorer)->Score(examples, batch_size);
}

}  // namespace segue
