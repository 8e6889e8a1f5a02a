// The dashboard's files, embedded into the binary at build time (cmake/embed_file.cmake, wired in
// src/serving/CMakeLists.txt): the page and its script (dashboard.html, dashboard.js in this folder) and
// Chart.js from Debian's libjs-chart.js. Nothing is read from disk or fetched from a CDN at run time.
//
// Each function returns the file's exact bytes; the views point at constant arrays and stay valid for the
// program's lifetime. Thread-safe.
#pragma once

#include <string_view>

namespace segue::serving::dashboard {

std::string_view DashboardHtml();
std::string_view DashboardJs();
std::string_view ChartJs();

}  // namespace segue::serving::dashboard
