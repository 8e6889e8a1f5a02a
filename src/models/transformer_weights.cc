#include "models/transformer_weights.h"

#include <cstring>

#include "common/hash.h"

namespace segue {
namespace {

constexpr std::string_view kMagic = "SEGUEWT1";
constexpr uint32_t kMaxTensors = 4096;
constexpr uint32_t kMaxNameLen = 256;
constexpr uint32_t kMaxDims = 8;

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

template <typename T>
void Put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

// Bounds-checked little-endian reader over the encoded bytes.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  template <typename T>
  bool Get(T& v) {
    if (b_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool Bytes(size_t n, std::string_view& out) {
    if (b_.size() - pos_ < n) return false;
    out = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

}  // namespace

void TransformerWeights::Add(std::string name, std::vector<int64_t> shape, std::vector<float> data) {
  tensors_.push_back({std::move(name), std::move(shape), std::move(data)});
}

const NamedTensor* TransformerWeights::Find(std::string_view name) const {
  for (const NamedTensor& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

NamedTensor* TransformerWeights::FindMutable(std::string_view name) {
  return const_cast<NamedTensor*>(Find(name));
}

Result<const NamedTensor*> TransformerWeights::Expect(std::string_view name,
                                                      const std::vector<int64_t>& shape) const {
  const NamedTensor* t = Find(name);
  if (t == nullptr) return Status::Corruption("weights: tensor '" + std::string(name) + "' is missing");
  if (t->shape != shape) {
    return Status::Corruption("weights: tensor '" + std::string(name) + "' has shape " + ShapeString(t->shape) +
                              ", the architecture needs " + ShapeString(shape));
  }
  return t;
}

std::string TransformerWeights::Encode() const {
  std::string out(kMagic);
  Put<uint32_t>(out, static_cast<uint32_t>(tensors_.size()));
  for (const NamedTensor& t : tensors_) {
    Put<uint32_t>(out, static_cast<uint32_t>(t.name.size()));
    out += t.name;
    Put<uint32_t>(out, static_cast<uint32_t>(t.shape.size()));
    for (int64_t d : t.shape) Put<int64_t>(out, d);
    out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * sizeof(float));
  }
  Put<uint64_t>(out, Fnv1a64(out));
  return out;
}

Result<TransformerWeights> TransformerWeights::Decode(std::string_view bytes) {
  auto corrupt = [](const std::string& why) { return Status::Corruption("weights.bin: " + why); };
  if (bytes.size() < kMagic.size() + sizeof(uint32_t) + sizeof(uint64_t) ||
      bytes.substr(0, kMagic.size()) != kMagic) {
    return corrupt("not a Segue weights file (bad magic or too short)");
  }
  std::string_view body = bytes.substr(0, bytes.size() - sizeof(uint64_t));
  uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body.size(), sizeof(stored));
  if (stored != Fnv1a64(body)) return corrupt("checksum mismatch (file damaged or truncated)");

  Reader r(body.substr(kMagic.size()));
  uint32_t count = 0;
  r.Get(count);
  if (count > kMaxTensors) return corrupt("tensor count " + std::to_string(count) + " is absurd");
  TransformerWeights w;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_len = 0, ndim = 0;
    std::string_view name;
    if (!r.Get(name_len) || name_len > kMaxNameLen || !r.Bytes(name_len, name)) {
      return corrupt("tensor " + std::to_string(i) + ": bad name");
    }
    if (!r.Get(ndim) || ndim > kMaxDims) return corrupt("tensor '" + std::string(name) + "': bad rank");
    std::vector<int64_t> shape(ndim);
    uint64_t numel = 1;
    for (int64_t& d : shape) {
      if (!r.Get(d) || d < 0 || d > (int64_t{1} << 28)) return corrupt("tensor '" + std::string(name) + "': bad dim");
      numel *= static_cast<uint64_t>(d);
      if (numel > (uint64_t{1} << 28)) return corrupt("tensor '" + std::string(name) + "': too large");
    }
    std::string_view raw;
    if (!r.Bytes(numel * sizeof(float), raw)) return corrupt("tensor '" + std::string(name) + "': truncated data");
    std::vector<float> data(numel);
    std::memcpy(data.data(), raw.data(), raw.size());
    w.Add(std::string(name), std::move(shape), std::move(data));
  }
  if (r.pos() + kMagic.size() != body.size()) return corrupt("trailing bytes after the last tensor");
  return w;
}

}  // namespace segue
