// `segue import spotify-history|mssd|catalog|mpd`: real data formats → NDJSON events / tracks / playlists
// (docs/data.md). Each output goes to "<file>.partial" and is renamed to <file> only when the whole import
// succeeded.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/track_json.h"
#include "cli/commands.h"
#include "events/event_json.h"
#include "importers/catalog_csv.h"
#include "importers/mpd.h"
#include "importers/mssd.h"
#include "importers/ndjson_file.h"
#include "importers/spotify_history.h"

namespace segue::cli {

namespace {

struct ImportArgs {
  std::vector<std::string> paths;
  std::string out;
  std::string tracks_out;  // empty: no tracks file
  std::string user;
  bool json = false;
};

void AddCommonOptions(CLI::App* app, ImportArgs* args, const std::string& paths_help) {
  app->add_option("paths", args->paths, paths_help)->required();
  app->add_option("--out", args->out, "Output NDJSON file (written as FILE.partial, renamed when complete)")
      ->required();
  app->add_flag("--json", args->json, "Print the summary as one JSON object on stdout (default: text on stderr)");
}

void AddTracksOutOption(CLI::App* app, ImportArgs* args, const std::string& help) {
  app->add_option("--tracks-out", args->tracks_out,
                  help + " → NDJSON tracks accepted by POST /v1/tracks and --catalog, one per track id (written "
                         "as FILE.partial, renamed when complete)");
}

// Runs `import` against the NDJSON outputs (`tracks` is null without --tracks-out), then reports. Outputs
// are committed only when the whole import succeeded.
int Finish(const ImportArgs& args, const std::function<Status(NdjsonFile*, NdjsonFile*, ImportSummary*)>& import) {
  if (!args.tracks_out.empty() && args.tracks_out == args.out) {
    std::cerr << "segue import: --tracks-out must name another file than --out\n";
    return 1;
  }
  Result<NdjsonFile> file = NdjsonFile::Create(args.out);
  std::optional<Result<NdjsonFile>> tracks;
  if (file.ok() && !args.tracks_out.empty()) tracks.emplace(NdjsonFile::Create(args.tracks_out));
  if (!file.ok() || (tracks && !tracks->ok())) {
    std::cerr << "segue import: " << (file.ok() ? tracks->status() : file.status()).message() << "\n";
    return 1;
  }
  ImportSummary summary;
  Status st = import(&*file, tracks ? &**tracks : nullptr, &summary);
  // Tracks first: if the events' rename then failed, a catalog without its events is the lesser harm.
  if (st.ok() && tracks) st = (*tracks)->Commit();
  if (st.ok()) st = file->Commit();
  if (!st.ok()) {
    std::cerr << "segue import: " << st.message() << " (nothing written to " << args.out
              << (tracks ? " or " + args.tracks_out : "") << ")\n";
    return 1;
  }
  if (args.json) {
    std::cout << summary.ToJson() << "\n";
  } else {
    std::cerr << summary.ToText() << "  output: " << args.out << (tracks ? ", tracks: " + args.tracks_out : "")
              << "\n";
  }
  return 0;
}

EventSink EventsTo(NdjsonFile* file) {
  auto line = std::make_shared<std::string>();
  return [file, line](const Event& e) {
    line->clear();
    AppendEventJson(e, line.get());
    return file->WriteLine(*line);
  };
}

// Null file → an empty sink (the importer then collects no tracks).
TrackSink TracksTo(NdjsonFile* file) {
  if (file == nullptr) return nullptr;
  auto line = std::make_shared<std::string>();
  return [file, line](const Track& t) {
    line->clear();
    AppendTrackJson(t, line.get());
    return file->WriteLine(*line);
  };
}

}  // namespace

void AddImportCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand("import", "Convert real listening data and catalogs into Segue NDJSON");
  app->require_subcommand(1);
  app->footer("Mappings, the synthetic parts (MSSD times and listeners) and what is dropped: docs/data.md");
  auto args = std::make_shared<ImportArgs>();

  CLI::App* history = app->add_subcommand(
      "spotify-history",
      "Spotify streaming history (extended endsong_*.json / Streaming_History_Audio_*.json, or basic "
      "StreamingHistory*.json; detected per file from its field names) → events accepted by POST /v1/events");
  AddCommonOptions(history, args.get(),
                   "Files or folders (searched recursively for endsong*, Streaming_History_Audio*, "
                   "StreamingHistory* .json; podcast files are left out)");
  history->add_option("--user", args->user,
                      "user_id for every event (default: the name of the folder holding each file)");
  AddTracksOutOption(history, args.get(),
                     "Also write every track the kept plays name, with the events' track_id and the metadata the "
                     "export states (extended: title, artist, album; basic: title, artist)");
  out.push_back({history, [args] {
                   return Finish(*args, [&](NdjsonFile* file, NdjsonFile* tracks, ImportSummary* summary) {
                     SpotifyHistoryOptions options{args->user, true, TracksTo(tracks)};
                     return ImportSpotifyHistory(args->paths, options, EventsTo(file), summary);
                   });
                 }});

  CLI::App* mssd = app->add_subcommand(
      "mssd",
      "Music Streaming Sessions Dataset session logs (log_*.csv; canonical or True/False, DD-MM-YY layout) → "
      "events, one synthetic listener per session (user_id mssd:<session_id>). No --tracks-out: session logs carry "
      "no track metadata (it is in MSSD's track-features file, which is not imported)");
  AddCommonOptions(mssd, args.get(), "Session-log CSV files");
  out.push_back({mssd, [args] {
                   return Finish(*args, [&](NdjsonFile* file, NdjsonFile*, ImportSummary* summary) {
                     return ImportMssd(args->paths, MssdOptions{true}, EventsTo(file), summary);
                   });
                 }});

  CLI::App* catalog = app->add_subcommand(
      "catalog",
      "Track catalog CSV in the spotify_songs.csv layout → NDJSON tracks accepted by POST /v1/tracks (one per "
      "track_id; genres merged from playlist_genre/subgenre)");
  AddCommonOptions(catalog, args.get(), "The catalog CSV file");
  catalog->get_option("paths")->expected(1);
  out.push_back({catalog, [args] {
                   return Finish(*args, [&](NdjsonFile* file, NdjsonFile*, ImportSummary* summary) {
                     return ImportCatalogCsv(args->paths[0], CatalogOptions{true}, TracksTo(file), summary);
                   });
                 }});

  CLI::App* mpd = app->add_subcommand(
      "mpd",
      "Million Playlist Dataset slices (mpd.slice.*.json) → playlists NDJSON, one object per playlist "
      "{playlist_id \"mpd:<pid>\", name, description, collaborative, modified_at_ms, num_followers, num_edits, "
      "tracks: [track_id…]} with the track ids of the Spotify-history importer");
  AddCommonOptions(mpd, args.get(), "MPD slice files");
  AddTracksOutOption(mpd, args.get(), "Also write every track the playlists hold (title, artist, album, duration_ms)");
  out.push_back({mpd, [args] {
                   return Finish(*args, [&](NdjsonFile* file, NdjsonFile* tracks, ImportSummary* summary) {
                     auto line = std::make_shared<std::string>();
                     PlaylistSink sink = [file, line](const Playlist& p) {
                       line->clear();
                       AppendPlaylistJson(p, line.get());
                       return file->WriteLine(*line);
                     };
                     return ImportMpd(args->paths, MpdOptions{true, TracksTo(tracks)}, sink, summary);
                   });
                 }});
}

}  // namespace segue::cli
