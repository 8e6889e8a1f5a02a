// The retrieval bundle: round trip, every corruption a clear error naming the file (never a crash), and
// the loaded model serving through TwoTowerRetriever exactly what brute force over its embeddings gives.
#include "models/retrieval_bundle.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "features/session_features.h"
#include "models/disengagement_bundle.h"
#include "models/two_tower_model.h"
#include "recommend/exact_index.h"
#include "recommend/two_tower_retriever.h"
#include "tiny_retrieval_bundle.h"
#include "session/session_state.h"

namespace segue {
namespace {

namespace fs = std::filesystem;

using segue::testing::NumberedId;

class RetrievalBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("segue_retrieval_bundle_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    bundle_ = segue::testing::TinyRetrievalBundle();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Saved() {
    const std::string path = (dir_ / "v1").string();
    Status s = SaveRetrievalBundle(bundle_, path);
    EXPECT_TRUE(s.ok()) << s.message();
    return path;
  }
  static void Overwrite(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  }
  static std::string ReadAll(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Loads `path` expecting failure; returns the message.
  static std::string LoadError(const std::string& path) {
    auto model = LoadRetrievalModel(path);
    EXPECT_FALSE(model.ok());
    return model.ok() ? "" : model.status().message();
  }
  void EditConfig(const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(ReadAll(fs::path(path) / "config.json"));
    edit(j);
    Overwrite(fs::path(path) / "config.json", j.dump());
  }

  fs::path dir_;
  RetrievalBundle bundle_;
};

TEST_F(RetrievalBundleTest, RoundTripsEverything) {
  const std::string path = Saved();
  auto loaded = LoadRetrievalBundle(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->version, "v1");
  EXPECT_EQ(loaded->track_ids, bundle_.track_ids);
  EXPECT_EQ(loaded->song_embeddings, bundle_.song_embeddings);
  EXPECT_EQ(loaded->architecture.ToJson(), bundle_.architecture.ToJson());
  EXPECT_EQ(loaded->weights.tensors().size(), bundle_.weights.tensors().size());
  EXPECT_EQ(loaded->training.train_pairs, 100u);
  const nlohmann::json metrics = nlohmann::json::parse(ReadAll(fs::path(path) / "metrics.json"));
  EXPECT_DOUBLE_EQ(metrics.at("validation").at("recall@100").get<double>(), 0.9);
  EXPECT_EQ(metrics.at("epochs").size(), 1u);
  auto model = LoadRetrievalModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->index->size(), 30u);
  auto newest = FindNewestBundle(dir_.string());
  ASSERT_TRUE(newest.ok()) << newest.status().message();
  EXPECT_EQ(*newest, path);
  // Bundles are immutable.
  EXPECT_EQ(SaveRetrievalBundle(bundle_, path).code(), StatusCode::kAlreadyExists);
}

TEST_F(RetrievalBundleTest, ATrackListedTwiceIsRefusedAtSave) {
  bundle_.track_ids[5] = bundle_.track_ids[2];
  const Status s = SaveRetrievalBundle(bundle_, (dir_ / "v1").string());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("track id " + bundle_.track_ids[2] + " is listed twice"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(dir_ / "v1"));
}

TEST_F(RetrievalBundleTest, EveryCorruptionIsAClearError) {
  const std::string path = Saved();
  const fs::path root(path);
  const std::string weights = ReadAll(root / "weights.bin"), ids = ReadAll(root / "track_ids.txt"),
                    embeddings = ReadAll(root / "song_embeddings.bin"), ann = ReadAll(root / "ann.hnsw"),
                    config = ReadAll(root / "config.json");
  auto restore = [&] {
    Overwrite(root / "weights.bin", weights);
    Overwrite(root / "track_ids.txt", ids);
    Overwrite(root / "song_embeddings.bin", embeddings);
    Overwrite(root / "ann.hnsw", ann);
    Overwrite(root / "config.json", config);
  };
  struct Case {
    std::string name, expected_in_message;
    std::function<void()> damage;
  };
  std::string flipped = weights;
  flipped[flipped.size() / 2] ^= 0x10;
  std::string ids_flipped = ids;
  ids_flipped[1] ^= 0x01;
  std::vector<Case> cases = {
      {"missing config", "config.json", [&] { fs::remove(root / "config.json"); }},
      {"config not JSON", "config.json", [&] { Overwrite(root / "config.json", "{nope"); }},
      {"other format", "format", [&] { EditConfig(path, [](nlohmann::json& j) { j["format"] = "x"; }); }},
      {"feature spec", "feature spec",
       [&] { EditConfig(path, [](nlohmann::json& j) { j["feature_spec_version"] = kFeatureSpecVersion + 1; }); }},
      {"architecture field", "architecture.song_hidden",
       [&] { EditConfig(path, [](nlohmann::json& j) { j["architecture"].erase("song_hidden"); }); }},
      {"architecture shape", "song.fc1.weight",
       [&] { EditConfig(path, [](nlohmann::json& j) { j["architecture"]["song_hidden"] = 17; }); }},
      {"missing weights", "weights.bin", [&] { fs::remove(root / "weights.bin"); }},
      {"weights checksum", "weights.bin", [&] { Overwrite(root / "weights.bin", flipped); }},
      {"track ids checksum", "track_ids.txt", [&] { Overwrite(root / "track_ids.txt", ids_flipped); }},
      {"track count", "track_ids.txt", [&] { EditConfig(path, [](nlohmann::json& j) { j["tracks"] = 29; }); }},
      {"missing embeddings", "song_embeddings.bin", [&] { fs::remove(root / "song_embeddings.bin"); }},
      {"embeddings truncated", "song_embeddings.bin",
       [&] { Overwrite(root / "song_embeddings.bin", embeddings.substr(0, embeddings.size() - 9)); }},
      {"embedding width", "song_embeddings.bin",
       [&] { EditConfig(path, [](nlohmann::json& j) { j["architecture"]["embedding_dim"] = 9; }); }},
      {"missing index", "ann.hnsw", [&] { fs::remove(root / "ann.hnsw"); }},
      {"index truncated", "ann.hnsw", [&] { Overwrite(root / "ann.hnsw", ann.substr(0, ann.size() / 2)); }},
  };
  for (const Case& c : cases) {
    c.damage();
    const std::string message = LoadError(path);
    EXPECT_NE(message.find(c.expected_in_message), std::string::npos) << c.name << ": " << message;
    restore();
  }
  EXPECT_TRUE(LoadRetrievalModel(path).ok());
  EXPECT_EQ(LoadRetrievalModel((dir_ / "absent").string()).status().code(), StatusCode::kNotFound);
}

TEST_F(RetrievalBundleTest, RetrieverReturnsTheBruteForceTopOfTheUserVector) {
  auto model = LoadRetrievalModel(Saved());
  ASSERT_TRUE(model.ok()) << model.status().message();
  Catalog catalog;
  // The brute-force reference index over the same embeddings (any VectorIndex works).
  auto exact = std::make_shared<recommend::ExactIndex>(8);
  std::vector<uint64_t> labels(30);
  for (uint64_t i = 0; i < 30; ++i) labels[i] = i;
  ASSERT_TRUE(exact->Add(30, bundle_.song_embeddings.data(), labels.data()).ok());
  std::vector<uint32_t> tracks;
  for (const std::string& id : model->track_ids) tracks.push_back(catalog.InternTrack(id));
  recommend::TwoTowerRetriever retriever(model->user, exact, std::make_shared<recommend::TrackLabels>(tracks), &catalog);
  EXPECT_EQ(retriever.name(), "two_tower");

  SessionState session;
  session.user_id = "u1";
  session.start_ms = 1'700'000'000'000;
  session.last_event_ms = session.start_ms + 400'000;
  for (int i = 0; i < 3; ++i) {
    PlayRecord r;
    r.track = catalog.InternTrack(NumberedId("t", i));
    r.dwell_ms = 100'000;
    r.start_offset_ms = static_cast<uint32_t>(i) * 120'000;
    r.end = i == 1 ? PlayEnd::kSkipped : PlayEnd::kCompleted;
    session.plays.push_back(r);
  }
  recommend::RetrievalQuery query{.user_id = "u1", .session = &session, .history = nullptr, .now_ms = session.last_event_ms};
  std::vector<recommend::Candidate> got;
  ASSERT_TRUE(retriever.Retrieve(query, 5, &got).ok());
  ASSERT_EQ(got.size(), 5u);

  std::vector<float> u(8);
  model->user->EmbedSession(session, catalog, u.data());
  std::vector<std::pair<float, size_t>> all;
  for (size_t r = 0; r < 30; ++r) {
    float dot = 0;
    for (size_t k = 0; k < 8; ++k) dot += u[k] * bundle_.song_embeddings[r * 8 + k];
    all.push_back({dot, r});
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(got[i].track, tracks[all[i].second]) << i;
    EXPECT_NEAR(got[i].score, all[i].first, 1e-5f);
  }
  // The loaded HNSW index agrees on this small catalog; a cold-start listener still gets candidates.
  auto from_bundle =
      recommend::TwoTowerRetriever::FromModel(*model, recommend::TrackLabels::Intern(model->track_ids, &catalog), &catalog);
  std::vector<recommend::Candidate> hnsw;
  ASSERT_TRUE(from_bundle->Retrieve(query, 5, &hnsw).ok());
  ASSERT_EQ(hnsw.size(), got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(hnsw[i].track, got[i].track) << i;
    EXPECT_NEAR(hnsw[i].score, got[i].score, 1e-5f) << i;
  }
  query.session = nullptr;
  ASSERT_TRUE(from_bundle->Retrieve(query, 5, &hnsw).ok());
  EXPECT_EQ(hnsw.size(), 5u);
}

}  // namespace
}  // namespace segue
