#include "catalog/catalog.h"

#include <algorithm>
#include <array>
#include <deque>
#include <cmath>
#include <mutex>
#include <utility>

namespace segue {

namespace {

// Ordered: the first keyword contained in the normalised genre wins, so specific phrases ("dance pop",
// "pop punk") come before the broad words they contain ("dance", "pop"). Documented in docs/api.md.
struct GenreRule {
  std::string_view keyword;
  uint16_t bucket;
};
constexpr uint16_t kPop = 1, kRock = 2, kHipHop = 3, kElectronic = 4, kRnb = 5, kLatin = 6, kOther = 7;
constexpr GenreRule kGenreRules[] = {
    // phrases that would otherwise fall into the wrong broad bucket
    {"dancehall", kOther}, {"dance pop", kPop}, {"electropop", kPop}, {"synthpop", kPop}, {"synth pop", kPop},
    {"indie pop", kPop}, {"poptimism", kPop}, {"pop rap", kHipHop}, {"pop punk", kRock}, {"pop rock", kRock},
    {"soul jazz", kOther}, {"jazz funk", kOther}, {"country rock", kRock}, {"folk rock", kRock},
    // latin
    {"latin", kLatin}, {"reggaeton", kLatin}, {"salsa", kLatin}, {"bachata", kLatin}, {"cumbia", kLatin},
    {"merengue", kLatin}, {"tropical", kLatin}, {"bossa", kLatin}, {"samba", kLatin}, {"sertanejo", kLatin},
    {"flamenco", kLatin}, {"tango", kLatin}, {"mariachi", kLatin}, {"ranchera", kLatin}, {"corrido", kLatin},
    // hip-hop / rap
    {"hip hop", kHipHop}, {"hiphop", kHipHop}, {"rap", kHipHop}, {"trap", kHipHop}, {"drill", kHipHop},
    {"grime", kHipHop},
    // r&b / soul
    {"r&b", kRnb}, {"rnb", kRnb}, {"r and b", kRnb}, {"rhythm and blues", kRnb}, {"soul", kRnb}, {"funk", kRnb},
    {"motown", kRnb}, {"new jack swing", kRnb}, {"urban contemporary", kRnb},
    // electronic / edm
    {"edm", kElectronic}, {"electro", kElectronic}, {"house", kElectronic}, {"techno", kElectronic},
    {"trance", kElectronic}, {"dubstep", kElectronic}, {"drum and bass", kElectronic}, {"dnb", kElectronic},
    {"big room", kElectronic}, {"dance", kElectronic}, {"disco", kElectronic}, {"hardstyle", kElectronic},
    {"garage", kElectronic}, {"synthwave", kElectronic}, {"idm", kElectronic},
    // rock
    {"rock", kRock}, {"metal", kRock}, {"punk", kRock}, {"grunge", kRock}, {"indie", kRock},
    {"alternative", kRock}, {"emo", kRock}, {"hardcore", kRock}, {"shoegaze", kRock}, {"permanent wave", kRock},
    {"new wave", kRock},
    // pop
    {"pop", kPop}, {"boy band", kPop}, {"girl group", kPop}, {"idol", kPop},
    // everything else we recognise
    {"jazz", kOther}, {"classical", kOther}, {"country", kOther}, {"folk", kOther}, {"blues", kOther},
    {"reggae", kOther}, {"ambient", kOther}, {"soundtrack", kOther}, {"score", kOther}, {"opera", kOther},
    {"orchestra", kOther}, {"gospel", kOther}, {"christian", kOther}, {"worship", kOther}, {"children", kOther},
    {"comedy", kOther}, {"instrumental", kOther}, {"new age", kOther}, {"singer songwriter", kOther},
    {"bluegrass", kOther}, {"americana", kOther}, {"lounge", kOther}, {"easy listening", kOther},
    {"acoustic", kOther}, {"piano", kOther}, {"ska", kOther}, {"world", kOther}, {"afrobeat", kOther},
    {"podcast", kOther}, {"spoken word", kOther},
};

constexpr std::array<std::string_view, kGenreBuckets> kBucketNames = {
    "unknown", "pop", "rock", "hip-hop", "electronic", "r&b", "latin", "other"};

// Lower-case ASCII, '-', '_' and '/' as spaces, runs of spaces collapsed, trimmed.
std::string NormaliseGenre(std::string_view genre) {
  std::string out;
  out.reserve(genre.size());
  for (char c : genre) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-' || c == '_' || c == '/' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Strings ↔ dense ids starting at 1; id 0 is "unknown" and maps to "".
class InternTable {
 public:
  InternTable() : names_(1) {}

  uint32_t Find(std::string_view s) const {
    auto it = ids_.find(s);
    return it == ids_.end() ? 0 : it->second;
  }
  // 0 for "" or when the table already holds `max` names.
  uint32_t Intern(std::string_view s, size_t max) {
    if (s.empty()) return 0;
    if (uint32_t id = Find(s)) return id;
    if (size() >= max) return 0;
    const auto id = static_cast<uint32_t>(names_.size());
    names_.emplace_back(s);
    ids_.emplace(names_.back(), id);
    return id;
  }
  const std::string& Name(uint32_t id) const { return id < names_.size() ? names_[id] : names_[0]; }
  size_t size() const { return names_.size() - 1; }

 private:
  // Keys view into names_: a deque never moves its elements, so each string is stored once.
  std::unordered_map<std::string_view, uint32_t> ids_;
  std::deque<std::string> names_;
};

}  // namespace

uint16_t GenreBucket(std::string_view genre) {
  const std::string g = NormaliseGenre(genre);
  if (g.empty()) return 0;
  for (const GenreRule& rule : kGenreRules) {
    if (g.find(rule.keyword) != std::string::npos) return rule.bucket;
  }
  return 0;
}

std::string_view GenreBucketName(uint16_t bucket) {
  return bucket < kBucketNames.size() ? kBucketNames[bucket] : kBucketNames[0];
}

uint16_t TrackGenreBucket(const Track& track) {
  for (const std::string& g : track.genres) {
    if (const uint16_t bucket = GenreBucket(g); bucket != 0) return bucket;
  }
  return 0;
}

struct Catalog::Impl {
  mutable std::shared_mutex mu;
  InternTable tracks;
  InternTable artists;
  InternTable languages;
  std::vector<TrackMeta> metas{1};                  // by interned track id; [0] is the unknown track
  std::unordered_map<uint32_t, Track> records;      // catalog entries by interned track id
};

Catalog::Catalog() : impl_(std::make_unique<Impl>()) {}
Catalog::~Catalog() = default;

bool Catalog::Upsert(Track track) {
  std::unique_lock lock(impl_->mu);
  const uint32_t id = impl_->tracks.Intern(track.track_id, kMaxInternedTracks);
  if (id == 0) return false;  // the intern table is full: the catalog cannot grow any further
  if (auto it = impl_->records.find(id); it != impl_->records.end() && it->second == track) return false;
  if (impl_->metas.size() <= id) impl_->metas.resize(id + 1);
  TrackMeta& m = impl_->metas[id];
  m.artist = impl_->artists.Intern(track.artist, kMaxInternedArtists);
  m.duration_ms = track.duration_ms;
  m.genre = TrackGenreBucket(track);
  m.language = static_cast<uint16_t>(impl_->languages.Intern(LowerAscii(track.language), UINT16_MAX - 1));
  m.popularity = static_cast<uint8_t>(std::lround(std::clamp(track.popularity, 0.0f, 100.0f)));
  m.explicit_content = track.explicit_content;
  m.known = true;
  impl_->records.insert_or_assign(id, std::move(track));
  return true;
}

std::optional<Track> Catalog::Get(std::string_view track_id) const {
  std::shared_lock lock(impl_->mu);
  auto it = impl_->records.find(impl_->tracks.Find(track_id));
  if (it == impl_->records.end()) return std::nullopt;
  return it->second;
}

void Catalog::ForEachTrack(const std::function<void(uint32_t, const Track&)>& fn) const {
  std::shared_lock lock(impl_->mu);
  std::vector<uint32_t> ids;
  ids.reserve(impl_->records.size());
  for (const auto& entry : impl_->records) ids.push_back(entry.first);
  std::sort(ids.begin(), ids.end());
  for (uint32_t id : ids) fn(id, impl_->records.at(id));
}

size_t Catalog::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->records.size();
}

uint32_t Catalog::InternTrack(std::string_view track_id) {
  {
    std::shared_lock lock(impl_->mu);
    if (uint32_t id = impl_->tracks.Find(track_id)) return id;
  }
  std::unique_lock lock(impl_->mu);
  const uint32_t id = impl_->tracks.Intern(track_id, kMaxInternedTracks);
  if (id != 0 && impl_->metas.size() <= id) impl_->metas.resize(id + 1);
  return id;
}

uint32_t Catalog::FindTrack(std::string_view track_id) const {
  std::shared_lock lock(impl_->mu);
  return impl_->tracks.Find(track_id);
}

std::string Catalog::TrackIdOf(uint32_t interned) const {
  std::shared_lock lock(impl_->mu);
  return impl_->tracks.Name(interned);
}

uint32_t Catalog::InternArtist(std::string_view artist) {
  {
    std::shared_lock lock(impl_->mu);
    if (uint32_t id = impl_->artists.Find(artist)) return id;
  }
  std::unique_lock lock(impl_->mu);
  return impl_->artists.Intern(artist, kMaxInternedArtists);
}

std::string Catalog::ArtistOf(uint32_t interned_artist) const {
  std::shared_lock lock(impl_->mu);
  return impl_->artists.Name(interned_artist);
}

TrackMeta Catalog::Meta(uint32_t interned_track) const {
  std::shared_lock lock(impl_->mu);
  return interned_track < impl_->metas.size() ? impl_->metas[interned_track] : TrackMeta{};
}

}  // namespace segue
