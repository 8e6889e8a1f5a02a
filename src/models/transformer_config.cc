#include "models/transformer_config.h"

#include <nlohmann/json.hpp>

namespace segue {

Status TransformerConfig::Validate() const {
  auto bad = [](const char* field, const std::string& why) {
    return Status::InvalidArgument(std::string("architecture.") + field + ": " + why);
  };
  if (d_model <= 0 || d_model > 1024) return bad("d_model", "must be in 1..1024");
  if (heads <= 0 || d_model % heads != 0) return bad("heads", "must be positive and divide d_model");
  if (layers <= 0 || layers > 8) return bad("layers", "must be in 1..8");
  if (ffn_dim <= 0 || ffn_dim > 8192) return bad("ffn_dim", "must be in 1..8192");
  if (head_hidden <= 0 || head_hidden > 8192) return bad("head_hidden", "must be in 1..8192");
  if (!(dropout >= 0.f && dropout < 1.f)) return bad("dropout", "must be in [0, 1)");
  return Status::Ok();
}

nlohmann::json TransformerConfig::ToJson() const {
  return {{"d_model", d_model},   {"heads", heads},         {"layers", layers},
          {"ffn_dim", ffn_dim},   {"head_hidden", head_hidden}, {"dropout", dropout},
          {"id_embeddings", id_embeddings}, {"span", span()},       {"sequence_length", kSequenceLength}};
}

Result<TransformerConfig> TransformerConfig::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::InvalidArgument("architecture: must be an object");
  TransformerConfig c;
  auto get_int = [&](const char* field, int& out) -> Status {
    auto it = json.find(field);
    if (it == json.end()) return Status::InvalidArgument(std::string("architecture.") + field + ": missing");
    if (!it->is_number_integer()) {
      return Status::InvalidArgument(std::string("architecture.") + field + ": must be an integer");
    }
    out = it->get<int>();
    return Status::Ok();
  };
  for (auto [field, out] : {std::pair<const char*, int*>{"d_model", &c.d_model}, {"heads", &c.heads},
                            {"layers", &c.layers}, {"ffn_dim", &c.ffn_dim}, {"head_hidden", &c.head_hidden}}) {
    if (Status s = get_int(field, *out); !s.ok()) return s;
  }
  auto it = json.find("dropout");
  if (it == json.end() || !it->is_number()) {
    return Status::InvalidArgument("architecture.dropout: missing or not a number");
  }
  c.dropout = it->get<float>();
  // Absent in configs written before the field existed: those models had the id embeddings.
  it = json.find("id_embeddings");
  if (it != json.end()) {
    if (!it->is_boolean()) return Status::InvalidArgument("architecture.id_embeddings: must be a boolean");
    c.id_embeddings = it->get<bool>();
  }
  it = json.find("sequence_length");
  if (it == json.end() || !it->is_number_integer() || it->get<int>() != kSequenceLength) {
    return Status::InvalidArgument("architecture.sequence_length: missing or not " +
                                   std::to_string(kSequenceLength) + " (the feature spec's window)");
  }
  if (Status s = c.Validate(); !s.ok()) return s;
  return c;
}

}  // namespace segue
