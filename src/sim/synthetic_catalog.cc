#include "sim/synthetic_catalog.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace segue::sim {
namespace {

constexpr std::array<std::string_view, kSimGenres> kGenreNames = {"pop", "rock", "rap", "edm", "r&b", "latin",
                                                                  "jazz"};
// Share of the catalog per genre (pop-heavy, like streaming catalogs).
constexpr std::array<float, kSimGenres> kGenreShare = {0.26f, 0.18f, 0.17f, 0.13f, 0.11f, 0.10f, 0.05f};
// Explicit share per genre before CatalogParams::explicit_scale (overall ≈ 0.18).
constexpr std::array<double, kSimGenres> kExplicitShare = {0.12, 0.08, 0.55, 0.08, 0.22, 0.15, 0.01};
// Typical length factor per genre.
constexpr std::array<double, kSimGenres> kDurationFactor = {0.98, 1.12, 0.95, 1.05, 1.0, 0.98, 1.35};
// Centroids in taste space (danceability, energy, speechiness, acousticness, valence, tempo/250), close to
// the per-genre means of spotify_songs.csv, spread a little so genres are distinguishable.
constexpr std::array<TasteVector, kSimGenres> kCentroids = {{
    {0.64f, 0.70f, 0.07f, 0.17f, 0.50f, 0.48f},  // pop
    {0.50f, 0.78f, 0.06f, 0.15f, 0.52f, 0.50f},  // rock
    {0.75f, 0.63f, 0.25f, 0.18f, 0.50f, 0.48f},  // rap
    {0.66f, 0.85f, 0.08f, 0.05f, 0.40f, 0.51f},  // edm
    {0.67f, 0.57f, 0.11f, 0.26f, 0.53f, 0.46f},  // r&b
    {0.72f, 0.71f, 0.10f, 0.20f, 0.62f, 0.47f},  // latin
    {0.52f, 0.35f, 0.05f, 0.70f, 0.45f, 0.45f},  // jazz
}};
constexpr std::array<std::string_view, kSimLanguages> kLanguages = {"en", "es", "pt", "fr", "de", "ko"};
constexpr std::array<float, kSimLanguages> kLanguageShare = {0.72f, 0.10f, 0.05f, 0.05f, 0.04f, 0.04f};

constexpr std::array<std::string_view, 16> kSyllables = {"la", "mo", "ri", "ven", "sa", "to", "ki", "nu",
                                                         "el", "dar", "fi", "ou", "ra", "zen", "mi", "tor"};

// Appends a capitalised pseudo-word of `syllables` syllables chosen by the bits of `h`.
void AppendWord(uint64_t h, int syllables, std::string* out) {
  const size_t first = out->size();
  for (int i = 0; i < syllables; ++i, h >>= 4) out->append(kSyllables[h & 15]);
  (*out)[first] = static_cast<char>((*out)[first] - 'a' + 'A');
}

// One or two pseudo-words: names that look like names, derived from a hash.
std::string Name(uint64_t h) {
  std::string name;
  AppendWord(h, 2 + static_cast<int>(h >> 62), &name);
  if (h >> 58 & 1) {
    name += ' ';
    AppendWord(h >> 24, 2, &name);
  }
  return name;
}

float Clamp01(double v) { return static_cast<float>(std::clamp(v, 0.0, 1.0)); }

}  // namespace

std::string_view SimGenreName(int genre) { return kGenreNames[genre]; }
std::string_view SimLanguageName(int language) { return kLanguages[language]; }
TasteVector GenreCentroid(int genre) { return kCentroids[genre]; }

SyntheticCatalog SyntheticCatalog::Generate(const CatalogParams& params, uint64_t seed) {
  SyntheticCatalog c;
  c.seed_ = seed;
  SimRandom rng(DeriveSeed(seed, 0xCA7A106));
  const uint32_t n = std::max<uint32_t>(params.tracks, 1);
  const uint32_t n_artists = std::max<uint32_t>(1, n / std::max<uint32_t>(params.tracks_per_artist, 1));

  // Artists: a home genre, a language (Latin artists mostly sing in Spanish or Portuguese), a sound
  // (their centroid near the genre's) and a fame that their tracks inherit.
  std::vector<TasteVector> sound(n_artists);
  std::vector<double> fame(n_artists);
  c.artists_.resize(n_artists);
  for (uint32_t a = 0; a < n_artists; ++a) {
    SimArtist& artist = c.artists_[a];
    artist.genre = static_cast<uint8_t>(rng.Categorical(kGenreShare));
    if (artist.genre == 5) {
      artist.language = rng.Bernoulli(0.8) ? 1 : (rng.Bernoulli(0.5) ? 2 : 0);
    } else {
      artist.language = static_cast<uint8_t>(rng.Categorical(kLanguageShare));
      if (artist.language == 1 && rng.Bernoulli(0.5)) artist.language = 0;  // Spanish is mostly Latin
    }
    for (int d = 0; d < kTasteDims; ++d) sound[a][d] = Clamp01(kCentroids[artist.genre][d] + rng.Normal(0, 0.08));
    fame[a] = rng.LogNormal(1.0, 1.2);
  }

  c.tracks_.resize(n);
  std::vector<double> score(n);
  for (uint32_t i = 0; i < n; ++i) {
    SimTrack& t = c.tracks_[i];
    // Every artist gets at least one track; the rest go to artists at random.
    t.artist = i < n_artists ? i : static_cast<uint32_t>(rng.Below(n_artists));
    const SimArtist& artist = c.artists_[t.artist];
    t.genre = artist.genre;
    if (rng.Bernoulli(0.2)) {
      uint8_t g = static_cast<uint8_t>(rng.Categorical(kGenreShare));
      if (g != t.genre) t.second_genre = g;
    }
    t.language = artist.language;
    t.explicit_content = rng.Bernoulli(std::min(1.0, kExplicitShare[t.genre] * params.explicit_scale));
    double seconds = rng.LogNormal(params.median_duration_s * kDurationFactor[t.genre], 0.22);
    t.duration_ms = static_cast<uint32_t>(std::clamp(seconds, 60.0, 600.0) * 1000);
    int age = static_cast<int>(rng.Exponential(params.release_age_mean_years));
    t.release_year = static_cast<uint16_t>(std::max(1960, params.reference_year - age));
    t.release_month = static_cast<uint8_t>(1 + rng.Below(12));
    t.release_day = static_cast<uint8_t>(1 + rng.Below(28));
    for (int d = 0; d < kTasteDims; ++d) t.taste[d] = Clamp01(sound[t.artist][d] + rng.Normal(0, 0.07));
    score[i] = fame[t.artist] * rng.LogNormal(1.0, 0.8);
  }

  // Popularity: rank tracks by (artist fame × track luck); Zipf weights by rank.
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return score[a] > score[b]; });
  c.weight_.resize(n);
  double total = 0;
  for (uint32_t r = 0; r < n; ++r) {
    c.tracks_[order[r]].popularity_rank = r;
    c.weight_[order[r]] = 1.0 / std::pow(r + 1.0, params.zipf_exponent);
    total += c.weight_[order[r]];
  }
  for (double& w : c.weight_) w /= total;

  auto add = [&c](GenreIndex& index, uint32_t track) {
    index.tracks.push_back(track);
    index.cumulative.push_back((index.cumulative.empty() ? 0.0 : index.cumulative.back()) + c.weight_[track]);
  };
  for (uint32_t track : order) {
    add(c.all_, track);
    add(c.by_genre_[c.tracks_[track].genre], track);
  }
  return c;
}

uint32_t SyntheticCatalog::SampleFrom(const GenreIndex& index, SimRandom& rng) const {
  double r = rng.Uniform() * index.cumulative.back();
  auto it = std::upper_bound(index.cumulative.begin(), index.cumulative.end(), r);
  size_t pos = std::min<size_t>(it - index.cumulative.begin(), index.tracks.size() - 1);
  return index.tracks[pos];
}

uint32_t SyntheticCatalog::SamplePopular(SimRandom& rng, int genre) const {
  if (genre >= 0 && genre < kSimGenres && !by_genre_[genre].tracks.empty()) return SampleFrom(by_genre_[genre], rng);
  return SampleFrom(all_, rng);
}

std::string SyntheticCatalog::TrackId(uint32_t index) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "sim-t%06u", index);
  return buf;
}

std::string SyntheticCatalog::ArtistName(uint32_t index) const {
  return Name(DeriveSeed(seed_, 0xA000000000ULL + index));
}

float SyntheticCatalog::Popularity(uint32_t index) const {
  double r = tracks_[index].popularity_rank;
  return static_cast<float>(std::round(100.0 * (1.0 - std::log1p(r) / std::log1p(static_cast<double>(size())))));
}

Track SyntheticCatalog::ToTrack(uint32_t index) const {
  const SimTrack& t = tracks_[index];
  Track out;
  out.track_id = TrackId(index);
  uint64_t h = DeriveSeed(seed_, 0x7000000000ULL + index);
  out.title = Name(h);
  out.artist = ArtistName(t.artist);
  out.album = Name(SplitMix64(h));
  out.genres.emplace_back(kGenreNames[t.genre]);
  if (t.second_genre < kSimGenres) out.genres.emplace_back(kGenreNames[t.second_genre]);
  out.language = std::string(kLanguages[t.language]);
  out.duration_ms = t.duration_ms;
  char date[16];
  std::snprintf(date, sizeof date, "%04u-%02u-%02u", t.release_year, t.release_month, t.release_day);
  out.release_date = date;
  out.popularity = Popularity(index);
  out.explicit_content = t.explicit_content;
  // spotify_songs.csv order and units; the non-taste columns are derived deterministically from the hash.
  const TasteVector& v = t.taste;
  double u1 = static_cast<double>(h & 0xffff) / 65536.0, u2 = static_cast<double>(h >> 16 & 0xffff) / 65536.0;
  out.audio_features = {v[0],
                        v[1],
                        static_cast<float>(h >> 32 & 0xf) < 12 ? static_cast<float>(h >> 32 & 0xf) : 0.f,  // key
                        static_cast<float>(-18.0 + 14.0 * v[1] + 2.0 * (u1 - 0.5)),                           // loudness dB
                        static_cast<float>(h >> 36 & 1),                                                      // mode
                        v[2],
                        v[3],
                        static_cast<float>(t.genre == 3 || t.genre == 6 ? 0.4 * u2 : 0.03 * u2),  // instrumentalness
                        static_cast<float>(0.08 + 0.25 * u1 * u2),                                // liveness
                        v[4],
                        static_cast<float>(250.0 * v[5])};
  return out;
}

}  // namespace segue::sim
