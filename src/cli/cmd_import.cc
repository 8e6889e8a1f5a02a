// `segue import spotify-history|mssd|catalog`: real data formats → NDJSON events / tracks (docs/data.md).
// Output goes to "<out>.partial" and is renamed to <out> only when the whole import succeeded.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "catalog/track_json.h"
#include "cli/commands.h"
#include "events/event_json.h"
#include "importers/catalog_csv.h"
#include "importers/mssd.h"
#include "importers/ndjson_file.h"
#include "importers/spotify_history.h"

namespace segue::cli {

namespace {

struct ImportArgs {
  std::vector<std::string> paths;
  std::string out;
  std::string user;
  bool json = false;
};

void AddCommonOptions(CLI::App* app, ImportArgs* args, const std::string& paths_help) {
  app->add_option("paths", args->paths, paths_help)->required();
  app->add_option("--out", args->out, "Output NDJSON file (written as FILE.partial, renamed when complete)")
      ->required();
  app->add_flag("--json", args->json, "Print the summary as one JSON object on stdout (default: text on stderr)");
}

// Runs `import` against an NDJSON file, then reports. `import` receives a line writer.
int Finish(const ImportArgs& args, const std::function<Status(NdjsonFile*, ImportSummary*)>& import) {
  Result<NdjsonFile> file = NdjsonFile::Create(args.out);
  if (!file.ok()) {
    std::cerr << "segue import: " << file.status().message() << "\n";
    return 1;
  }
  ImportSummary summary;
  Status st = import(&*file, &summary);
  if (st.ok()) st = file->Commit();
  if (!st.ok()) {
    std::cerr << "segue import: " << st.message() << " (nothing written to " << args.out << ")\n";
    return 1;
  }
  if (args.json) {
    std::cout << summary.ToJson() << "\n";
  } else {
    std::cerr << summary.ToText() << "  output: " << args.out << "\n";
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
  out.push_back({history, [args] {
                   return Finish(*args, [&](NdjsonFile* file, ImportSummary* summary) {
                     SpotifyHistoryOptions options{args->user, true};
                     return ImportSpotifyHistory(args->paths, options, EventsTo(file), summary);
                   });
                 }});

  CLI::App* mssd = app->add_subcommand(
      "mssd",
      "Music Streaming Sessions Dataset session logs (log_*.csv; canonical or True/False, DD-MM-YY layout) → "
      "events, one synthetic listener per session (user_id mssd:<session_id>)");
  AddCommonOptions(mssd, args.get(), "Session-log CSV files");
  out.push_back({mssd, [args] {
                   return Finish(*args, [&](NdjsonFile* file, ImportSummary* summary) {
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
                   return Finish(*args, [&](NdjsonFile* file, ImportSummary* summary) {
                     auto line = std::make_shared<std::string>();
                     TrackSink sink = [file, line](const Track& t) {
                       line->clear();
                       AppendTrackJson(t, line.get());
                       return file->WriteLine(*line);
                     };
                     return ImportCatalogCsv(args->paths[0], CatalogOptions{true}, sink, summary);
                   });
                 }});
}

}  // namespace segue::cli
