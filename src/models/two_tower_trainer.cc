#include "models/two_tower_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "models/disengagement_trainer.h"
#include "models/two_tower_model.h"

namespace segue {
namespace {

constexpr int kEmbedBatch = 1024;
constexpr int64_t kRankChunk = 128;  // validation queries scored against all songs at once

// Mean and standard deviation of each audio feature over the songs that have them.
void FitAudioNormalization(std::span<const SongFeatures> songs, std::vector<float>* mean, std::vector<float>* stddev) {
  std::vector<double> sum(kSongAudioFeatures), sq(kSongAudioFeatures);
  double n = 0;
  for (const SongFeatures& s : songs) {
    if (s.numeric[kSongAudioKnown] == 0.f) continue;
    ++n;
    for (size_t k = 0; k < sum.size(); ++k) {
      sum[k] += s.audio[k];
      sq[k] += static_cast<double>(s.audio[k]) * s.audio[k];
    }
  }
  for (size_t k = 0; k < sum.size(); ++k) {
    const double m = n > 0 ? sum[k] / n : 0.0;
    const double var = n > 0 ? std::max(0.0, sq[k] / n - m * m) : 1.0;
    mean->push_back(static_cast<float>(m));
    stddev->push_back(std::max(kMinInputStd, static_cast<float>(std::sqrt(var))));
  }
}

torch::Tensor EmbedSongs(TwoTowerModel& model, std::span<const SongFeatures> songs) {
  std::vector<torch::Tensor> parts;
  std::vector<const SongFeatures*> ptrs;
  for (size_t start = 0; start < songs.size(); start += kEmbedBatch) {
    ptrs.clear();
    for (size_t i = start; i < std::min(songs.size(), start + kEmbedBatch); ++i) ptrs.push_back(&songs[i]);
    parts.push_back(model->song()->forward(MakeSongBatch(ptrs)));
  }
  return torch::cat(parts, 0);
}

// Recall@10/50/100 of the first max_queries validation pairs, ranking each positive among all songs
// (rank = songs scoring strictly higher).
RetrievalRecall Recall(TwoTowerModel& model, std::span<const SongFeatures> songs, std::span<const RetrievalPair> valid,
                       size_t max_queries) {
  RetrievalRecall r;
  r.queries = std::min(valid.size(), max_queries);
  if (r.queries == 0) {
    r.at10 = r.at50 = r.at100 = NAN;
    return r;
  }
  torch::NoGradGuard no_grad;
  model->eval();
  const torch::Tensor song_matrix = EmbedSongs(model, songs);
  size_t hits[3] = {0, 0, 0};
  std::vector<const FeatureVector*> users;
  std::vector<uint8_t> days;
  std::vector<int64_t> targets;
  for (size_t start = 0; start < r.queries; start += kRankChunk) {
    users.clear();
    days.clear();
    targets.clear();
    for (size_t i = start; i < std::min(r.queries, start + kRankChunk); ++i) {
      users.push_back(&valid[i].user);
      days.push_back(valid[i].day);
      targets.push_back(valid[i].song);
    }
    torch::Tensor scores = torch::matmul(model->user()->forward(MakeUserBatch(users, days)), song_matrix.t());
    torch::Tensor target = torch::tensor(targets, torch::kInt64).unsqueeze(1);
    torch::Tensor rank = (scores > scores.gather(1, target)).sum(1);
    hits[0] += static_cast<size_t>((rank < 10).sum().item<int64_t>());
    hits[1] += static_cast<size_t>((rank < 50).sum().item<int64_t>());
    hits[2] += static_cast<size_t>((rank < 100).sum().item<int64_t>());
  }
  const double q = static_cast<double>(r.queries);
  r.at10 = static_cast<double>(hits[0]) / q;
  r.at50 = static_cast<double>(hits[1]) / q;
  r.at100 = static_cast<double>(hits[2]) / q;
  return r;
}

// One optimisation step on the training pairs at the indices `batch`; returns the loss.
double Step(TwoTowerModel& model, torch::optim::AdamW& optimizer, std::span<const SongFeatures> songs,
            std::span<const RetrievalPair> train, std::span<const size_t> batch, const std::vector<float>& log_q,
            const TwoTowerTrainOptions& options) {
  std::vector<const FeatureVector*> users;
  std::vector<uint8_t> days;
  std::vector<const SongFeatures*> positives, hard;
  std::vector<int64_t> tracks;
  std::vector<float> batch_log_q;
  std::vector<uint8_t> hard_valid;
  for (size_t index : batch) {
    const RetrievalPair& p = train[index];
    users.push_back(&p.user);
    days.push_back(p.day);
    positives.push_back(&songs[p.song]);
    tracks.push_back(p.song);
    batch_log_q.push_back(log_q[p.song]);
    for (uint32_t h : p.hard) {
      hard.push_back(h == kNoSong ? &songs[p.song] : &songs[h]);  // padding: masked out below
      hard_valid.push_back(h == kNoSong ? 0 : 1);
    }
  }
  const int64_t b = static_cast<int64_t>(batch.size());
  const bool any_hard = std::find(hard_valid.begin(), hard_valid.end(), 1) != hard_valid.end();
  torch::Tensor u = model->user()->forward(MakeUserBatch(users, days));
  torch::Tensor s = model->song()->forward(MakeSongBatch(positives));
  torch::Tensor h = any_hard ? model->song()->forward(MakeSongBatch(hard)).view({b, kHardNegatives, -1})
                             : torch::zeros({b, 0, s.size(1)});
  torch::Tensor valid = any_hard ? torch::tensor(std::vector<int64_t>(hard_valid.begin(), hard_valid.end()))
                                       .view({b, kHardNegatives})
                                       .to(torch::kBool)
                                 : torch::zeros({b, 0}, torch::kBool);
  torch::Tensor loss = SampledSoftmaxLoss(u, s, torch::tensor(tracks, torch::kInt64), torch::tensor(batch_log_q), h,
                                          valid, options.architecture.temperature);
  optimizer.zero_grad();
  loss.backward();
  torch::nn::utils::clip_grad_norm_(model->parameters(), options.max_grad_norm);
  optimizer.step();
  return loss.item<double>();
}

Result<TwoTowerResult> Train(std::span<const SongFeatures> songs, std::span<const RetrievalPair> train,
                             std::span<const RetrievalPair> valid, const TwoTowerTrainOptions& options) {
  at::set_num_threads(std::max(1, options.threads));
  torch::manual_seed(options.seed);
  std::mt19937_64 rng(options.seed);

  TwoTowerModel model(options.architecture);
  const InputNormalization norm =
      FitInputNormalization(train.size(), [&train](size_t i) -> const FeatureVector& { return train[i].user; });
  model->user()->SetNormalization(norm.step_mean, norm.step_std, norm.ctx_mean, norm.ctx_std);
  std::vector<float> audio_mean, audio_std;
  FitAudioNormalization(songs, &audio_mean, &audio_std);
  model->song()->SetAudioNormalization(audio_mean, audio_std);
  const std::vector<float> log_q = LogSamplingProbability(train, songs.size());

  torch::optim::AdamW optimizer(model->parameters(),
                                torch::optim::AdamWOptions(options.learning_rate).weight_decay(options.weight_decay));
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), size_t{0});
  TwoTowerResult result;
  result.architecture = options.architecture;
  double best = -1;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    model->train();
    double loss_sum = 0;
    size_t batches = 0;
    const size_t bs = static_cast<size_t>(options.batch_size);
    // A last batch of one pair has no in-batch negative: it joins no batch this epoch.
    for (size_t start = 0; start + 1 < order.size(); start += bs) {
      const std::span<const size_t> batch(order.data() + start, std::min(bs, order.size() - start));
      loss_sum += Step(model, optimizer, songs, train, batch, log_q, options);
      ++batches;
    }
    TwoTowerEpoch report;
    report.epoch = epoch;
    report.train_loss = batches ? loss_sum / static_cast<double>(batches) : 0.0;
    report.valid = Recall(model, songs, valid, options.max_valid_queries);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Without validation pairs every epoch "improves": the last one is kept.
    report.improved = std::isnan(report.valid.at50) || report.valid.at50 > best;
    if (report.improved) {
      best = std::isnan(report.valid.at50) ? best : report.valid.at50;
      result.best_epoch = epoch;
      result.weights = ExportModuleWeights(*model);
    }
    result.history.push_back(report);
    if (options.on_epoch) options.on_epoch(report);
  }
  return result;
}

}  // namespace

std::vector<float> LogSamplingProbability(std::span<const RetrievalPair> train, size_t songs) {
  std::vector<double> counts(songs, 0.5);
  for (const RetrievalPair& p : train) counts[p.song] += 1;
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  std::vector<float> out(songs);
  for (size_t i = 0; i < songs; ++i) out[i] = static_cast<float>(std::log(counts[i] / total));
  return out;
}

Result<TwoTowerResult> TrainTwoTower(std::span<const SongFeatures> songs, std::span<const RetrievalPair> train,
                                     std::span<const RetrievalPair> valid, const TwoTowerTrainOptions& options) {
  if (Status s = options.architecture.Validate(); !s.ok()) return s;
  if (options.epochs < 1 || options.batch_size < 2) {
    return Status::InvalidArgument("train options: epochs must be positive and batch_size at least 2");
  }
  if (!(options.learning_rate > 0) || !(options.weight_decay >= 0)) {
    return Status::InvalidArgument("train options: learning_rate must be > 0 and weight_decay >= 0");
  }
  if (train.size() < 2) {
    return Status::InvalidArgument("training set: " + std::to_string(train.size()) +
                                   " pairs; at least 2 engaged plays or playlist tracks are needed");
  }
  for (std::span<const RetrievalPair> set : {train, valid}) {
    for (const RetrievalPair& p : set) {
      const bool hard_ok = std::all_of(p.hard.begin(), p.hard.end(), [&](uint32_t h) { return h == kNoSong || h < songs.size(); });
      if (p.song >= songs.size() || !hard_ok) return Status::InvalidArgument("a pair references a song outside the table");
    }
  }
  try {
    return Train(songs, train, valid, options);
  } catch (const std::exception& e) {  // LibTorch reports errors as c10::Error
    return Status::Internal(std::string("training failed inside LibTorch: ") + e.what());
  }
}

}  // namespace segue
