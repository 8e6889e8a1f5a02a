#include "models/two_tower_config.h"

#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace segue {

Status TwoTowerConfig::Validate() const {
  auto bad = [](const char* field, const std::string& why) {
    return Status::InvalidArgument(std::string("architecture.") + field + ": " + why);
  };
  if (Status s = user_sequence.Validate(); !s.ok()) return Status::InvalidArgument("user_sequence: " + s.message());
  for (auto [field, value] : {std::pair<const char*, int>{"embedding_dim", embedding_dim},
                              {"song_embedding", song_embedding},
                              {"audio_hidden", audio_hidden},
                              {"song_hidden", song_hidden},
                              {"day_embedding", day_embedding}}) {
    if (value <= 0 || value > 4096) return bad(field, "must be in 1..4096");
  }
  if (!(temperature > 0.f && temperature <= 10.f)) return bad("temperature", "must be in (0, 10]");
  return Status::Ok();
}

nlohmann::json TwoTowerConfig::ToJson() const {
  return {{"user_sequence", user_sequence.ToJson()},
          {"embedding_dim", embedding_dim},
          {"song_embedding", song_embedding},
          {"audio_hidden", audio_hidden},
          {"song_hidden", song_hidden},
          {"day_embedding", day_embedding},
          {"temperature", temperature},
          {"reference_ms", reference_ms}};
}

Result<TwoTowerConfig> TwoTowerConfig::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::InvalidArgument("architecture: must be an object");
  TwoTowerConfig c;
  auto seq = json.find("user_sequence");
  if (seq == json.end()) return Status::InvalidArgument("architecture.user_sequence: missing");
  Result<TransformerConfig> user_sequence = TransformerConfig::FromJson(*seq);
  if (!user_sequence.ok()) return Status::InvalidArgument("architecture.user_sequence: " + user_sequence.status().message());
  c.user_sequence = *user_sequence;
  for (auto [field, out] : {std::pair<const char*, int*>{"embedding_dim", &c.embedding_dim},
                            {"song_embedding", &c.song_embedding},
                            {"audio_hidden", &c.audio_hidden},
                            {"song_hidden", &c.song_hidden},
                            {"day_embedding", &c.day_embedding}}) {
    auto it = json.find(field);
    if (it == json.end() || !it->is_number_integer()) {
      return Status::InvalidArgument(std::string("architecture.") + field + ": missing or not an integer");
    }
    *out = it->get<int>();
  }
  auto t = json.find("temperature");
  if (t == json.end() || !t->is_number()) return Status::InvalidArgument("architecture.temperature: missing or not a number");
  c.temperature = t->get<float>();
  auto r = json.find("reference_ms");
  if (r == json.end() || !r->is_number_integer()) {
    return Status::InvalidArgument("architecture.reference_ms: missing or not an integer");
  }
  c.reference_ms = r->get<int64_t>();
  if (Status s = c.Validate(); !s.ok()) return s;
  return c;
}

}  // namespace segue
