#include "serving/tracks_handler.h"

#include "catalog/catalog.h"
#include "serving/batch_request.h"
#include "serving/catalog_store.h"
#include "serving/log_health.h"

namespace segue::serving {

void TracksHandler::Register(ServerHost& host) {
  host.AddRoute(
      HttpMethod::kPost, "/v1/tracks",
      [this](HttpRequest r, PathParams p, ResponseCallback d) { HandlePost(std::move(r), std::move(p), std::move(d)); },
      RouteReadiness::kAlways);
  host.AddRoute(
      HttpMethod::kGet, "/v1/tracks/{id}",
      [this](HttpRequest r, PathParams p, ResponseCallback d) { HandleGet(std::move(r), std::move(p), std::move(d)); },
      RouteReadiness::kAlways);
}

void TracksHandler::HandlePost(HttpRequest request, PathParams, ResponseCallback done) {
  std::optional<BodyFormat> format = BatchFormatOf(request.content_type);
  if (!format) return done(UnsupportedMediaType(request.content_type));
  Result<ParsedTracks> parsed = ParseTrackBatch(request.body, *format, limits_);
  if (!parsed.ok()) return done(BatchParseError(parsed.status()));
  ParsedTracks& batch = *parsed;
  if (!batch.tracks.empty()) {
    if (Status s = PersistTracks(batch.tracks, *store_); !s.ok()) {
      const std::string message = "could not store the tracks: " + s.message();
      return done(s.code() == StatusCode::kNoSpace ? InsufficientStorage(message) : JsonError(500, message));
    }
  }
  std::string body = "{\"upserted\":" + std::to_string(batch.tracks.size()) + ",";
  std::vector<uint32_t> changed;
  for (Track& t : batch.tracks) {
    const std::string id = t.track_id;
    if (catalog_->Upsert(std::move(t))) changed.push_back(catalog_->FindTrack(id));
  }
  if (observer_ != nullptr && !changed.empty()) observer_->OnTracksChanged(changed);
  AppendRejectionsJson(batch.rejected, &body);
  body.push_back('}');
  done(JsonResponse(200, std::move(body)));
}

void TracksHandler::HandleGet(HttpRequest, PathParams params, ResponseCallback done) const {
  std::optional<Track> t = catalog_->Get(params.at(0));
  if (!t) return done(JsonError(404, "no track '" + params.at(0) + "' in the catalog"));
  done(JsonResponse(200, TrackToJson(*t)));
}

}  // namespace segue::serving
