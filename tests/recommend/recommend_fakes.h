// Small fakes for the recommender's tests: a catalog of named tracks, retrievers that answer a fixed
// list (optionally slowly, or with an error), embeddings from a table, in-memory preferences and
// impressions.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "impressions/impression_sink.h"
#include "preferences/preference_store.h"
#include "recommend/embedding_lookup.h"
#include "recommend/retriever.h"

namespace segue::recommend::testing {

struct TrackSpec {
  TrackSpec(std::string i, std::string a, bool e = false, std::string r = "")
      : id(std::move(i)), artist(std::move(a)), explicit_content(e), release_date(std::move(r)) {}
  std::string id;
  std::string artist;
  bool explicit_content = false;
  std::string release_date;
};

// Upserts the tracks; returns their interned ids in order.
inline std::vector<uint32_t> AddTracks(Catalog& catalog, const std::vector<TrackSpec>& specs) {
  std::vector<uint32_t> ids;
  for (const TrackSpec& s : specs) {
    Track t;
    t.track_id = s.id;
    t.artist = s.artist;
    t.explicit_content = s.explicit_content;
    t.release_date = s.release_date;
    catalog.Upsert(t);
    ids.push_back(catalog.FindTrack(s.id));
  }
  return ids;
}

class FakeRetriever : public Retriever {
 public:
  FakeRetriever(std::string name, std::vector<Candidate> answer) : name_(std::move(name)), answer_(std::move(answer)) {}

  std::string_view name() const override { return name_; }
  Status Retrieve(const RetrievalQuery&, size_t n, std::vector<Candidate>* out) const override {
    calls_.fetch_add(1);
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    if (!error_.ok()) return error_;
    out->assign(answer_.begin(), answer_.begin() + static_cast<std::ptrdiff_t>(std::min(n, answer_.size())));
    return Status::Ok();
  }

  void set_delay(std::chrono::milliseconds d) { delay_ = d; }
  void set_error(Status s) { error_ = std::move(s); }
  int calls() const { return calls_.load(); }

 private:
  std::string name_;
  std::vector<Candidate> answer_;
  std::chrono::milliseconds delay_{0};
  Status error_;
  mutable std::atomic<int> calls_{0};
};

// Candidates for the tracks, scored len, len-1, ..., 1 (best first).
inline std::vector<Candidate> Descending(const std::vector<uint32_t>& tracks) {
  std::vector<Candidate> out;
  for (size_t i = 0; i < tracks.size(); ++i) out.push_back({tracks[i], static_cast<float>(tracks.size() - i)});
  return out;
}

class FakeEmbeddings : public EmbeddingLookup {
 public:
  explicit FakeEmbeddings(int dim) : dim_(dim) {}
  void Set(uint32_t track, std::vector<float> v) { table_[track] = std::move(v); }
  int dim() const override { return dim_; }
  const float* Find(uint32_t track) const override {
    auto it = table_.find(track);
    return it == table_.end() ? nullptr : it->second.data();
  }

 private:
  int dim_;
  std::unordered_map<uint32_t, std::vector<float>> table_;
};

class MemoryPreferences : public preferences::PreferenceStore {
 public:
  Result<preferences::Preferences> Get(std::string_view user) const override {
    std::lock_guard lock(mu_);
    auto it = map_.find(std::string(user));
    return it == map_.end() ? preferences::Preferences{} : it->second;
  }
  Status Put(std::string_view user, const preferences::Preferences& p) override {
    std::lock_guard lock(mu_);
    map_[std::string(user)] = p;
    return Status::Ok();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, preferences::Preferences> map_;
};

class MemoryImpressions : public impressions::ImpressionSink {
 public:
  void Record(impressions::Impression m) override {
    std::lock_guard lock(mu_);
    recorded_.push_back(std::move(m));
  }
  std::vector<impressions::Impression> recorded() const {
    std::lock_guard lock(mu_);
    return recorded_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<impressions::Impression> recorded_;
};

}  // namespace segue::recommend::testing
