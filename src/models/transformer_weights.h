// TransformerWeights: the trained parameters as named, flat float arrays (row-major, LibTorch's
// layout), independent of LibTorch so the server can load and run a model without it.
//
// On disk (weights.bin) they are a simple self-checking binary:
//   "SEGUEWT1" | u32 count | count × { u32 name_len | name | u32 ndim | i64 dims[ndim] | f32 data[] }
//   | u64 FNV-1a of every preceding byte
// little-endian. Decode() rejects truncation, trailing bytes, absurd sizes and checksum mismatches
// with a kCorruption status, so a damaged file is never half-loaded.
// Plain value type; no synchronisation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace segue {

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;  // product(shape) values
};

class TransformerWeights {
 public:
  void Add(std::string name, std::vector<int64_t> shape, std::vector<float> data);
  // nullptr when absent.
  const NamedTensor* Find(std::string_view name) const;
  // The tensor `name` with exactly `shape`, or an error naming the tensor and what differs.
  Result<const NamedTensor*> Expect(std::string_view name, const std::vector<int64_t>& shape) const;
  const std::vector<NamedTensor>& tensors() const { return tensors_; }
  NamedTensor* FindMutable(std::string_view name);

  std::string Encode() const;
  static Result<TransformerWeights> Decode(std::string_view bytes);

 private:
  std::vector<NamedTensor> tensors_;
};

}  // namespace segue
