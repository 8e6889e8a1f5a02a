#include "models/incremental_encoder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "models/flat_math.h"

namespace segue {
namespace {

constexpr float kLayerNormEps = 1e-5f;

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashStep(const StepFeatures& s) {
  uint64_t h = Mix(uint64_t{s.track} | uint64_t{s.artist} << 16 | uint64_t{s.genre} << 32 |
                   uint64_t{s.end} << 40 | uint64_t{s.hour} << 48);
  for (size_t i = 0; i < s.numeric.size(); ++i) {
    h = Mix(h ^ (uint64_t{std::bit_cast<uint32_t>(s.numeric[i])} | uint64_t{i + 1} << 32));
  }
  return h;
}

void LayerNorm(const float* x, const float* w, const float* b, int d, float* out) {
  float mean = 0;
  for (int i = 0; i < d; ++i) mean += x[i];
  mean /= static_cast<float>(d);
  float var = 0;
  for (int i = 0; i < d; ++i) var += (x[i] - mean) * (x[i] - mean);
  const float inv = 1.0f / std::sqrt(var / static_cast<float>(d) + kLayerNormEps);
  for (int i = 0; i < d; ++i) out[i] = (x[i] - mean) * inv * w[i] + b[i];
}

// Per-thread scratch so that Score() is const, allocation-free in steady state and thread-safe.
struct Scratch {
  std::vector<float> x, h, qkv, y, f, scores, in;
  std::array<uint64_t, kSequenceLength> hashes{};
};
Scratch& ThreadScratch(const TransformerConfig& c) {
  thread_local Scratch s;
  const size_t d = static_cast<size_t>(c.d_model);
  if (s.x.size() < d || s.f.size() < static_cast<size_t>(std::max(c.ffn_dim, c.head_hidden)) ||
      s.in.size() < d + kContextNumeric) {
    s.x.resize(d);
    s.h.resize(d);
    s.qkv.resize(3 * d);
    s.y.resize(d);
    s.f.resize(static_cast<size_t>(std::max(c.ffn_dim, c.head_hidden)));
    s.scores.resize(static_cast<size_t>(kSequenceLength));
    s.in.resize(d + kContextNumeric);
  }
  return s;
}

}  // namespace

Result<std::shared_ptr<const IncrementalEncoder>> IncrementalEncoder::Create(const TransformerConfig& config,
                                                                             const TransformerWeights& weights) {
  return Build(config, weights, "", /*with_head=*/true);
}

Result<std::shared_ptr<const IncrementalEncoder>> IncrementalEncoder::CreateSequenceOnly(
    const TransformerConfig& config, const TransformerWeights& weights, std::string_view prefix) {
  return Build(config, weights, prefix, /*with_head=*/false);
}

Result<std::shared_ptr<const IncrementalEncoder>> IncrementalEncoder::Build(const TransformerConfig& config,
                                                                            const TransformerWeights& weights,
                                                                            std::string_view prefix, bool with_head) {
  if (Status s = config.Validate(); !s.ok()) return s;
  const int64_t d = config.d_model, f = config.ffn_dim, hh = config.head_hidden;
  auto enc = std::shared_ptr<IncrementalEncoder>(new IncrementalEncoder());
  enc->config_ = config;

  // First pass: validate and copy every array into one contiguous block (transposing matrices), noting
  // offsets; pointers are taken once the block stops growing.
  std::vector<size_t> offsets;
  auto take = [&](const std::string& name, const std::vector<int64_t>& shape, bool transpose) -> Status {
    offsets.push_back(enc->storage_.size());
    return AppendTensor(weights, std::string(prefix) + name, shape, transpose, &enc->storage_);
  };
  struct Spec {
    std::string name;
    std::vector<int64_t> shape;
    bool transpose;
  };
  std::vector<Spec> specs;
  if (config.id_embeddings) {
    specs = {{"emb_track.weight", {kTrackBuckets, d}, false}, {"emb_artist.weight", {kArtistBuckets, d}, false}};
  }
  std::vector<Spec> common = {
      {"emb_genre.weight", {kGenreVocab, d}, false},
      {"emb_end.weight", {kEndVocab, d}, false},
      {"emb_hour.weight", {kHourVocab, d}, false},
      {"step_mean", {kStepNumeric}, false},
      {"step_std", {kStepNumeric}, false},
      {"step_num.weight", {d, kStepNumeric}, true},
      {"step_num.bias", {d}, false},
      {"final_ln.weight", {d}, false},
      {"final_ln.bias", {d}, false},
  };
  specs.insert(specs.end(), common.begin(), common.end());
  for (int l = 0; l < config.layers; ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    std::vector<Spec> layer = {
        {p + "ln1.weight", {d}, false},       {p + "ln1.bias", {d}, false},
        {p + "qkv.weight", {3 * d, d}, true}, {p + "qkv.bias", {3 * d}, false},
        {p + "rel_bias", {config.heads, config.span()}, false},
        {p + "out.weight", {d, d}, true},     {p + "out.bias", {d}, false},
        {p + "ln2.weight", {d}, false},       {p + "ln2.bias", {d}, false},
        {p + "ffn1.weight", {f, d}, true},    {p + "ffn1.bias", {f}, false},
        {p + "ffn2.weight", {d, f}, true},    {p + "ffn2.bias", {d}, false},
    };
    specs.insert(specs.end(), layer.begin(), layer.end());
  }
  if (with_head) {
    std::vector<Spec> head = {
        {"ctx_mean", {kContextNumeric}, false},
        {"ctx_std", {kContextNumeric}, false},
        {"head1.weight", {hh, d + kContextNumeric}, true},
        {"head1.bias", {hh}, false},
        {"head2.weight", {1, hh}, false},
        {"head2.bias", {1}, false},
    };
    specs.insert(specs.end(), head.begin(), head.end());
  }
  for (const Spec& s : specs) {
    if (Status st = take(s.name, s.shape, s.transpose); !st.ok()) return st;
  }

  // Serving multiplies by 1/std where training divides; precompute it (std is floored by the trainer, but
  // a hand-edited bundle could hold zeros).
  const float* base = enc->storage_.data();
  size_t k = 0;
  auto next = [&]() { return base + offsets[k++]; };
  if (config.id_embeddings) {
    enc->emb_track_ = next();
    enc->emb_artist_ = next();
  }
  enc->emb_genre_ = next();
  enc->emb_end_ = next();
  enc->emb_hour_ = next();
  enc->step_mean_ = next();
  enc->step_inv_std_ = next();
  enc->step_num_t_ = next();
  enc->step_num_b_ = next();
  enc->final_ln_w_ = next();
  enc->final_ln_b_ = next();
  for (int l = 0; l < config.layers; ++l) {
    Layer layer;
    for (const float** field : {&layer.ln1_w, &layer.ln1_b, &layer.qkv_t, &layer.qkv_b, &layer.rel_bias,
                                &layer.out_t, &layer.out_b, &layer.ln2_w, &layer.ln2_b, &layer.ffn1_t,
                                &layer.ffn1_b, &layer.ffn2_t, &layer.ffn2_b}) {
      *field = next();
    }
    enc->layers_.push_back(layer);
  }
  if (with_head) {
    enc->ctx_mean_ = next();
    enc->ctx_inv_std_ = next();
    enc->head1_t_ = next();
    enc->head1_b_ = next();
    enc->head2_w_ = next();
    enc->head2_b_ = *next();
  }
  for (const float* inv : {enc->step_inv_std_, enc->ctx_inv_std_}) {
    if (inv == nullptr) continue;  // no head: no context inputs
    float* p = const_cast<float*>(inv);  // points into our own storage_
    const size_t n = inv == enc->step_inv_std_ ? kStepNumeric : kContextNumeric;
    for (size_t i = 0; i < n; ++i) {
      if (!(p[i] > 0.f) || !std::isfinite(p[i])) {
        return Status::Corruption("weights: input standard deviations must be positive and finite");
      }
      p[i] = 1.0f / p[i];
    }
  }
  return std::shared_ptr<const IncrementalEncoder>(std::move(enc));
}

EncoderCache IncrementalEncoder::NewCache() const {
  EncoderCache c;
  c.kv.assign(static_cast<size_t>(config_.layers) * 2 * static_cast<size_t>(config_.span()) *
                  static_cast<size_t>(config_.d_model),
              0.f);
  c.last.assign(static_cast<size_t>(config_.d_model), 0.f);
  return c;
}

void IncrementalEncoder::Append(const StepFeatures& step, EncoderCache& cache) const {
  const int d = config_.d_model, heads = config_.heads, dh = config_.head_dim(), span = config_.span();
  const int ffn = config_.ffn_dim;
  Scratch& s = ThreadScratch(config_);
  float* x = s.x.data();
  float* h = s.h.data();
  float* qkv = s.qkv.data();
  float* y = s.y.data();
  float* f = s.f.data();
  float* scores = s.scores.data();

  const float* rows[] = {emb_genre_ + static_cast<size_t>(VocabIndex(step.genre, kGenreVocab)) * d,
                         emb_end_ + static_cast<size_t>(VocabIndex(step.end, kEndVocab)) * d,
                         emb_hour_ + static_cast<size_t>(VocabIndex(step.hour, kHourVocab)) * d,
                         emb_track_ ? emb_track_ + static_cast<size_t>(VocabIndex(step.track, kTrackBuckets)) * d
                                    : nullptr,
                         emb_artist_ ? emb_artist_ + static_cast<size_t>(VocabIndex(step.artist, kArtistBuckets)) * d
                                     : nullptr};
  std::memcpy(x, step_num_b_, sizeof(float) * static_cast<size_t>(d));
  for (const float* row : rows) {
    if (row == nullptr) continue;  // id embeddings off
    for (int i = 0; i < d; ++i) x[i] += row[i];
  }
  float num[kStepNumeric];
  for (int i = 0; i < kStepNumeric; ++i) num[i] = (step.numeric[static_cast<size_t>(i)] - step_mean_[i]) * step_inv_std_[i];
  MatVecAdd(step_num_t_, num, kStepNumeric, d, x);

  const int slot = static_cast<int>(cache.stream_len % static_cast<uint64_t>(span));
  const int count = static_cast<int>(std::min<uint64_t>(cache.stream_len + 1, static_cast<uint64_t>(span)));
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    LayerNorm(x, L.ln1_w, L.ln1_b, d, h);
    std::memcpy(qkv, L.qkv_b, sizeof(float) * 3 * static_cast<size_t>(d));
    MatVecAdd(L.qkv_t, h, d, 3 * d, qkv);
    float* keys = cache.kv.data() + (l * 2) * static_cast<size_t>(span * d);
    float* values = keys + static_cast<size_t>(span * d);
    std::memcpy(keys + static_cast<size_t>(slot * d), qkv + d, sizeof(float) * static_cast<size_t>(d));
    std::memcpy(values + static_cast<size_t>(slot * d), qkv + 2 * d, sizeof(float) * static_cast<size_t>(d));
    for (int hd = 0; hd < heads; ++hd) {
      const float* q = qkv + hd * dh;
      float max_score = -INFINITY;
      for (int age = 0; age < count; ++age) {
        const float* key = keys + static_cast<size_t>(((slot - age + span) % span) * d + hd * dh);
        float dot = 0;
        for (int i = 0; i < dh; ++i) dot += q[i] * key[i];
        scores[age] = dot * scale + L.rel_bias[hd * span + age];
        max_score = std::max(max_score, scores[age]);
      }
      float sum = 0;
      for (int age = 0; age < count; ++age) {
        scores[age] = std::exp(scores[age] - max_score);
        sum += scores[age];
      }
      float* out = y + hd * dh;
      std::fill(out, out + dh, 0.f);
      for (int age = 0; age < count; ++age) {
        const float p = scores[age] / sum;
        const float* value = values + static_cast<size_t>(((slot - age + span) % span) * d + hd * dh);
        for (int i = 0; i < dh; ++i) out[i] += p * value[i];
      }
    }
    for (int i = 0; i < d; ++i) x[i] += L.out_b[i];
    MatVecAdd(L.out_t, y, d, d, x);
    LayerNorm(x, L.ln2_w, L.ln2_b, d, h);
    std::memcpy(f, L.ffn1_b, sizeof(float) * static_cast<size_t>(ffn));
    MatVecAdd(L.ffn1_t, h, d, ffn, f);
    for (int i = 0; i < ffn; ++i) f[i] = std::max(f[i], 0.f);
    for (int i = 0; i < d; ++i) x[i] += L.ffn2_b[i];
    MatVecAdd(L.ffn2_t, f, ffn, d, x);
  }
  LayerNorm(x, final_ln_w_, final_ln_b_, d, cache.last.data());
  ++cache.stream_len;
  ++cache.positions_computed;
}

float IncrementalEncoder::Head(const FeatureVector& fv, const EncoderCache& cache) const {
  const int d = config_.d_model, hidden = config_.head_hidden;
  Scratch& s = ThreadScratch(config_);
  float* in = s.in.data();
  float* f = s.f.data();
  if (cache.stream_len == 0) {
    std::fill(in, in + d, 0.f);
  } else {
    std::memcpy(in, cache.last.data(), sizeof(float) * static_cast<size_t>(d));
  }
  for (int i = 0; i < kContextNumeric; ++i) {
    in[d + i] = (fv.context[static_cast<size_t>(i)] - ctx_mean_[i]) * ctx_inv_std_[i];
  }
  std::memcpy(f, head1_b_, sizeof(float) * static_cast<size_t>(hidden));
  MatVecAdd(head1_t_, in, d + kContextNumeric, hidden, f);
  float z = head2_b_;
  for (int i = 0; i < hidden; ++i) z += head2_w_[i] * std::max(f[i], 0.f);
  return 1.0f / (1.0f + std::exp(-z));
}

void IncrementalEncoder::Advance(const FeatureVector& fv, EncoderCache& cache) const {
  if (cache.kv.empty()) cache = NewCache();
  const int n = std::clamp(fv.length, 0, kSequenceLength);
  Scratch& s = ThreadScratch(config_);
  for (int i = 0; i < n; ++i) s.hashes[static_cast<size_t>(i)] = HashStep(fv.steps[static_cast<size_t>(i)]);

  // Find how fv continues the cached stream: drop the newest `r` cached positions (r = 1 when the last
  // step was an ongoing play that has since changed, e.g. ended), then fv's first n - m steps must be the
  // stream's newest ones and its last m steps are new. Unless the window is full, the overlap must be the
  // whole stream (a shorter window starts at the stream's start; anything else means a new session or a
  // rewritten history). Rolling back one position is safe: the rings still hold the span - 1 positions
  // before it, which is all the replacement attends to.
  int m = -1;
  for (int r = 0; r <= 1 && m < 0; ++r) {
    if (cache.stream_len < static_cast<uint64_t>(r)) break;
    const uint64_t len = cache.stream_len - static_cast<uint64_t>(r);
    const uint64_t cached = std::min<uint64_t>(len, static_cast<uint64_t>(kSequenceLength - r));
    for (int cand = r; cand <= n && m < 0; ++cand) {
      const uint64_t overlap = static_cast<uint64_t>(n - cand);
      // An empty overlap "matches" any full window; it is the reset case, handled below.
      if (overlap > cached || (n < kSequenceLength && overlap != len) || (overlap == 0 && len != 0)) continue;
      bool same = true;
      for (uint64_t i = 0; i < overlap && same; ++i) {
        same = cache.hashes[(len - overlap + i) % kSequenceLength] == s.hashes[i];
      }
      if (same) {
        m = cand;
        cache.stream_len = len;
      }
    }
  }
  if (m < 0) {
    cache.stream_len = 0;
    m = n;
  }
  for (int i = n - m; i < n; ++i) {
    cache.hashes[cache.stream_len % kSequenceLength] = s.hashes[static_cast<size_t>(i)];
    Append(fv.steps[static_cast<size_t>(i)], cache);
  }
}

float IncrementalEncoder::Score(const FeatureVector& fv, EncoderCache& cache) const {
  Advance(fv, cache);
  return Head(fv, cache);
}

void IncrementalEncoder::Encode(const FeatureVector& fv, EncoderCache& cache, float* out) const {
  Advance(fv, cache);
  const size_t d = static_cast<size_t>(config_.d_model);
  if (cache.stream_len == 0) {
    std::fill(out, out + d, 0.f);
  } else {
    std::memcpy(out, cache.last.data(), sizeof(float) * d);
  }
}

float IncrementalEncoder::ScoreFresh(const FeatureVector& fv) const {
  EncoderCache cache = NewCache();
  return Score(fv, cache);
}

}  // namespace segue
