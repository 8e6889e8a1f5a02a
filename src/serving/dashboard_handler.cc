#include "serving/dashboard_handler.h"

#include <string_view>

#include "serving/dashboard/dashboard_assets.h"

namespace segue::serving {
namespace {

// A handler answering with one embedded file. `no-cache` makes a browser revalidate, so an upgraded
// server's page and script are never mixed with a cached older copy.
RouteHandler Serve(std::string_view content_type, std::string_view body) {
  return [content_type, body](HttpRequest, PathParams, ResponseCallback done) {
    HttpResponse r;
    r.content_type = std::string(content_type);
    r.body = std::string(body);
    r.headers.emplace_back("Cache-Control", "no-cache");
    done(std::move(r));
  };
}

}  // namespace

void DashboardHandler::Register(ServerHost& host) {
  host.AddRoute(HttpMethod::kGet, "/dashboard", Serve("text/html; charset=utf-8", dashboard::DashboardHtml()),
                RouteReadiness::kAlways);
  host.AddRoute(HttpMethod::kGet, "/dashboard/dashboard.js",
                Serve("text/javascript; charset=utf-8", dashboard::DashboardJs()), RouteReadiness::kAlways);
  host.AddRoute(HttpMethod::kGet, "/dashboard/chart.js", Serve("text/javascript; charset=utf-8", dashboard::ChartJs()),
                RouteReadiness::kAlways);
}

}  // namespace segue::serving
