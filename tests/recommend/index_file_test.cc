// Saved indexes that are truncated, damaged, foreign or of another dimension are a clear kCorruption
// (never a crash: this binary also runs under ASan), and saving never leaves a partial file behind.
#include "recommend/index_file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "recommend/exact_index.h"
#include "recommend/hnsw_index.h"
#include "tests/log/test_util.h"
#include "tests/recommend/ann_test_util.h"

namespace segue::recommend {
namespace {

using testing::kDim;

constexpr size_t kHeaderBytes = 40;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Rewrites the header's checksum so that only the payload's own structure can reject the file.
void ResealChecksum(std::string* file) {
  const uInt crc = static_cast<uInt>(crc32_z(0, reinterpret_cast<const Bytef*>(file->data() + kHeaderBytes),
                                              file->size() - kHeaderBytes));
  const uint32_t crc32 = crc;
  std::memcpy(file->data() + 20, &crc32, sizeof(crc32));
}

class IndexFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<float> x = testing::Vectors(500);
    auto index = HnswIndex::Create(kDim, {.m = 8, .ef_construction = 40});
    ASSERT_TRUE(index.ok());
    ASSERT_TRUE((*index)->Add(500, x.data(), testing::Labels(500).data()).ok());
    ASSERT_TRUE((*index)->Save(hnsw_path_).ok());
    ExactIndex exact(kDim);
    ASSERT_TRUE(exact.Add(500, x.data(), testing::Labels(500).data()).ok());
    ASSERT_TRUE(exact.Save(exact_path_).ok());
    bytes_ = ReadAll(hnsw_path_);
  }

  StatusCode LoadHnsw(const std::string& bytes) {
    WriteAll(bad_path_, bytes);
    return HnswIndex::Load(bad_path_, kDim, {}).status().code();
  }

  ::segue::testing::TempDir dir_;
  const std::string hnsw_path_ = dir_.path() + "/hnsw.idx";
  const std::string exact_path_ = dir_.path() + "/exact.idx";
  const std::string bad_path_ = dir_.path() + "/bad.idx";
  std::string bytes_;
};

TEST_F(IndexFileTest, TheSavedFileLoads) {
  Result<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(hnsw_path_, kDim, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 500u);
  EXPECT_EQ(LoadHnsw(bytes_), StatusCode::kOk);
}

TEST_F(IndexFileTest, TruncatedFilesAreCorrupt) {
  for (size_t size : {size_t{0}, size_t{10}, kHeaderBytes - 1, kHeaderBytes, kHeaderBytes + 50, bytes_.size() / 2,
                      bytes_.size() - 1}) {
    SCOPED_TRACE(size);
    EXPECT_EQ(LoadHnsw(bytes_.substr(0, size)), StatusCode::kCorruption);
  }
  EXPECT_EQ(LoadHnsw(bytes_ + "x"), StatusCode::kCorruption);
}

TEST_F(IndexFileTest, GarbageIsCorrupt) {
  std::mt19937 rng(3);
  std::string garbage(bytes_.size(), '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  EXPECT_EQ(LoadHnsw(garbage), StatusCode::kCorruption);
  // A valid header over a garbage payload, with and without a matching checksum.
  std::copy(bytes_.begin(), bytes_.begin() + kHeaderBytes, garbage.begin());
  EXPECT_EQ(LoadHnsw(garbage), StatusCode::kCorruption);
  ResealChecksum(&garbage);
  EXPECT_EQ(LoadHnsw(garbage), StatusCode::kCorruption);
}

TEST_F(IndexFileTest, AFlippedBitIsCaughtByTheChecksum) {
  std::string damaged = bytes_;
  damaged[damaged.size() / 2] ^= 0x10;
  WriteAll(bad_path_, damaged);
  const Status s = HnswIndex::Load(bad_path_, kDim, {}).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();
}

TEST_F(IndexFileTest, ALinkToAMissingVectorIsCorruptEvenWithAValidChecksum) {
  // The payload opens with 96 bytes of graph fields, then vector 0's bottom-layer link list: a count
  // word and the links. Point its first link far past the end.
  constexpr size_t kFirstLink = kHeaderBytes + 96 + sizeof(uint32_t);
  std::string damaged = bytes_;
  const uint32_t missing = 1'000'000;
  std::memcpy(damaged.data() + kFirstLink, &missing, sizeof(missing));
  ResealChecksum(&damaged);
  WriteAll(bad_path_, damaged);
  const Status s = HnswIndex::Load(bad_path_, kDim, {}).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("missing vector"), std::string::npos) << s.message();
}

TEST_F(IndexFileTest, WrongDimensionOrKindIsCorrupt) {
  const Status dim = HnswIndex::Load(hnsw_path_, kDim * 2, {}).status();
  EXPECT_EQ(dim.code(), StatusCode::kCorruption);
  EXPECT_NE(dim.message().find("dimension"), std::string::npos) << dim.message();
  EXPECT_EQ(HnswIndex::Load(exact_path_, kDim, {}).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ExactIndex::Load(hnsw_path_, kDim).status().code(), StatusCode::kCorruption);
  std::string exact = ReadAll(exact_path_);
  exact.resize(exact.size() - 8);
  WriteAll(bad_path_, exact);
  EXPECT_EQ(ExactIndex::Load(bad_path_, kDim).status().code(), StatusCode::kCorruption);
}

TEST_F(IndexFileTest, AFailedSaveLeavesNoFile) {
  auto index = HnswIndex::Create(kDim, {});
  ASSERT_TRUE(index.ok());
  const std::string path = dir_.path() + "/no/such/folder/hnsw.idx";
  EXPECT_EQ((*index)->Save(path).code(), StatusCode::kIoError);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  // Saving over an existing index replaces it and leaves no temporary file.
  ASSERT_TRUE((*index)->Save(hnsw_path_).ok());
  EXPECT_FALSE(std::filesystem::exists(hnsw_path_ + ".tmp"));
  Result<std::unique_ptr<HnswIndex>> loaded = HnswIndex::Load(hnsw_path_, kDim, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 0u);
}

}  // namespace
}  // namespace segue::recommend
