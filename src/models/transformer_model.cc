#include "models/transformer_model.h"

#include <cmath>
#include <limits>
#include <string>

namespace segue {
namespace {

constexpr double kLayerNormEps = 1e-5;

torch::nn::LayerNorm MakeLayerNorm(int d) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(kLayerNormEps));
}

}  // namespace

TransformerBatch MakeTransformerBatch(const std::vector<const FeatureVector*>& examples) {
  const int64_t b = static_cast<int64_t>(examples.size());
  const int64_t t = kSequenceLength;
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  TransformerBatch out;
  out.track = torch::zeros({b, t}, i64);
  out.artist = torch::zeros({b, t}, i64);
  out.genre = torch::zeros({b, t}, i64);
  out.end = torch::zeros({b, t}, i64);
  out.hour = torch::zeros({b, t}, i64);
  out.step_numeric = torch::zeros({b, t, kStepNumeric});
  out.length = torch::zeros({b}, i64);
  out.context = torch::zeros({b, kContextNumeric});
  auto track = out.track.accessor<int64_t, 2>();
  auto artist = out.artist.accessor<int64_t, 2>();
  auto genre = out.genre.accessor<int64_t, 2>();
  auto end = out.end.accessor<int64_t, 2>();
  auto hour = out.hour.accessor<int64_t, 2>();
  auto num = out.step_numeric.accessor<float, 3>();
  auto length = out.length.accessor<int64_t, 1>();
  auto ctx = out.context.accessor<float, 2>();
  for (int64_t i = 0; i < b; ++i) {
    const FeatureVector& fv = *examples[static_cast<size_t>(i)];
    const int n = std::clamp(fv.length, 0, kSequenceLength);
    length[i] = n;
    for (int s = 0; s < n; ++s) {
      const StepFeatures& step = fv.steps[static_cast<size_t>(s)];
      track[i][s] = VocabIndex(step.track, kTrackBuckets);
      artist[i][s] = VocabIndex(step.artist, kArtistBuckets);
      genre[i][s] = VocabIndex(step.genre, kGenreVocab);
      end[i][s] = VocabIndex(step.end, kEndVocab);
      hour[i][s] = VocabIndex(step.hour, kHourVocab);
      for (int k = 0; k < kStepNumeric; ++k) num[i][s][k] = step.numeric[static_cast<size_t>(k)];
    }
    for (int k = 0; k < kContextNumeric; ++k) ctx[i][k] = fv.context[static_cast<size_t>(k)];
  }
  return out;
}

TransformerBlockImpl::TransformerBlockImpl(const TransformerConfig& config) : config_(config) {
  const int d = config.d_model;
  ln1_ = register_module("ln1", MakeLayerNorm(d));
  qkv_ = register_module("qkv", torch::nn::Linear(d, 3 * d));
  out_ = register_module("out", torch::nn::Linear(d, d));
  ln2_ = register_module("ln2", MakeLayerNorm(d));
  ffn1_ = register_module("ffn1", torch::nn::Linear(d, config.ffn_dim));
  ffn2_ = register_module("ffn2", torch::nn::Linear(config.ffn_dim, d));
  drop_ = register_module("drop", torch::nn::Dropout(config.dropout));
  // Start with a mild recency preference; training shapes it per head.
  rel_bias_ = register_parameter(
      "rel_bias", -0.05f * torch::arange(config.span(), torch::kFloat32).unsqueeze(0).repeat({config.heads, 1}));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& attn_mask,
                                            const torch::Tensor& dist) {
  const int64_t b = x.size(0), t = x.size(1);
  const int64_t h = config_.heads, dh = config_.head_dim();
  torch::Tensor qkv = qkv_(ln1_(x)).view({b, t, 3, h, dh}).permute({2, 0, 3, 1, 4});  // [3, B, H, T, dh]
  torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
  torch::Tensor bias = rel_bias_.index_select(1, dist.flatten()).view({h, t, t}) + attn_mask;  // [H, T, T]
  torch::Tensor att = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dh))) + bias;
  att = drop_(torch::softmax(att, -1));
  torch::Tensor y = torch::matmul(att, v).transpose(1, 2).reshape({b, t, config_.d_model});
  torch::Tensor x1 = x + drop_(out_(y));
  return x1 + drop_(ffn2_(torch::relu(ffn1_(ln2_(x1)))));
}

SequenceEncoderImpl::SequenceEncoderImpl(const TransformerConfig& config) : config_(config) {
  const int d = config.d_model;
  if (config.id_embeddings) {
    emb_track_ = register_module("emb_track", torch::nn::Embedding(kTrackBuckets, d));
    emb_artist_ = register_module("emb_artist", torch::nn::Embedding(kArtistBuckets, d));
  }
  emb_genre_ = register_module("emb_genre", torch::nn::Embedding(kGenreVocab, d));
  emb_end_ = register_module("emb_end", torch::nn::Embedding(kEndVocab, d));
  emb_hour_ = register_module("emb_hour", torch::nn::Embedding(kHourVocab, d));
  // Embeddings are summed, so start them small relative to the projected numerics.
  for (auto* e : {&emb_track_, &emb_artist_, &emb_genre_, &emb_end_, &emb_hour_}) {
    if (e->is_empty()) continue;  // id embeddings off
    torch::NoGradGuard no_grad;
    (*e)->weight.normal_(0.0, 0.1);
  }
  step_num_ = register_module("step_num", torch::nn::Linear(kStepNumeric, d));
  layers_ = register_module("layers", torch::nn::ModuleList());
  for (int l = 0; l < config.layers; ++l) {
    blocks_.emplace_back(config);
    layers_->push_back(blocks_.back());
  }
  final_ln_ = register_module("final_ln", MakeLayerNorm(d));
  step_mean_ = register_buffer("step_mean", torch::zeros({kStepNumeric}));
  step_std_ = register_buffer("step_std", torch::ones({kStepNumeric}));

  // Position i may attend to j when 0 <= i - j < span: causal and limited (see transformer_config.h).
  const int64_t t = kSequenceLength;
  torch::Tensor i = torch::arange(t).unsqueeze(1), j = torch::arange(t).unsqueeze(0);
  torch::Tensor diff = i - j;
  torch::Tensor allowed = (diff >= 0).logical_and(diff < config.span());
  dist_ = diff.clamp(0, config.span() - 1);
  attn_mask_ = torch::zeros({t, t}).masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
}

torch::Tensor SequenceEncoderImpl::Encode(const TransformerBatch& batch) {
  torch::Tensor x = emb_genre_(batch.genre) + emb_end_(batch.end) + emb_hour_(batch.hour) +
                    step_num_((batch.step_numeric - step_mean_) / step_std_);
  if (config_.id_embeddings) x = x + emb_track_(batch.track) + emb_artist_(batch.artist);
  for (TransformerBlock& block : blocks_) x = block(x, attn_mask_, dist_);
  x = final_ln_(x);
  const int64_t b = x.size(0);
  torch::Tensor last_index = (batch.length - 1).clamp_min(0).view({b, 1, 1}).expand({b, 1, config_.d_model});
  torch::Tensor last = x.gather(1, last_index).squeeze(1);
  // A decision point with no play yet has no sequence: the sequence part is zero.
  return last * (batch.length > 0).to(torch::kFloat32).unsqueeze(1);
}

void SequenceEncoderImpl::SetStepNormalization(const std::vector<float>& step_mean, const std::vector<float>& step_std) {
  CopyInto(step_mean_, step_mean);
  CopyInto(step_std_, step_std);
}

DisengagementTransformerImpl::DisengagementTransformerImpl(const TransformerConfig& config)
    : SequenceEncoderImpl(config) {
  head1_ = register_module("head1", torch::nn::Linear(config.d_model + kContextNumeric, config.head_hidden));
  head2_ = register_module("head2", torch::nn::Linear(config.head_hidden, 1));
  ctx_mean_ = register_buffer("ctx_mean", torch::zeros({kContextNumeric}));
  ctx_std_ = register_buffer("ctx_std", torch::ones({kContextNumeric}));
}

torch::Tensor DisengagementTransformerImpl::forward(const TransformerBatch& batch) {
  torch::Tensor ctx = (batch.context - ctx_mean_) / ctx_std_;
  return head2_(torch::relu(head1_(torch::cat({Encode(batch), ctx}, 1)))).squeeze(1);
}

void DisengagementTransformerImpl::SetNormalization(const std::vector<float>& step_mean,
                                                    const std::vector<float>& step_std,
                                                    const std::vector<float>& ctx_mean,
                                                    const std::vector<float>& ctx_std) {
  SetStepNormalization(step_mean, step_std);
  CopyInto(ctx_mean_, ctx_mean);
  CopyInto(ctx_std_, ctx_std);
}

void CopyInto(torch::Tensor& dst, const std::vector<float>& values) {
  torch::NoGradGuard no_grad;
  dst.copy_(torch::from_blob(const_cast<float*>(values.data()), {static_cast<int64_t>(values.size())}));
}

TransformerWeights ExportModuleWeights(const torch::nn::Module& module) {
  TransformerWeights w;
  auto add = [&w](const std::string& name, const torch::Tensor& value) {
    torch::Tensor c = value.detach().to(torch::kFloat32).contiguous();
    std::vector<float> data(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    w.Add(name, c.sizes().vec(), std::move(data));
  };
  for (const auto& p : module.named_parameters(/*recurse=*/true)) add(p.key(), p.value());
  for (const auto& b : module.named_buffers(/*recurse=*/true)) add(b.key(), b.value());
  return w;
}

Status ImportModuleWeights(const TransformerWeights& weights, torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  auto load = [&weights](const std::string& name, torch::Tensor& dst) -> Status {
    Result<const NamedTensor*> t = weights.Expect(name, dst.sizes().vec());
    if (!t.ok()) return t.status();
    dst.copy_(torch::from_blob(const_cast<float*>((*t)->data.data()), dst.sizes()));
    return Status::Ok();
  };
  for (auto& p : module.named_parameters(true)) {
    if (Status s = load(p.key(), p.value()); !s.ok()) return s;
  }
  for (auto& b : module.named_buffers(true)) {
    if (Status s = load(b.key(), b.value()); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace segue
