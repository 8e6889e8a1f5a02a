// GET /dashboard: the operators' live dashboard, one HTML page with its script (/dashboard/dashboard.js)
// and Chart.js (/dashboard/chart.js), all embedded in the binary (dashboard/dashboard_assets.h). The
// page draws its charts in the browser from what the server already serves: it polls /metrics and the
// experiments API (/v1/experiments and each experiment's report); the server does no work for it beyond
// handing out the three files. docs/operations.md, "Dashboard", says what each chart shows.
//
// Served from start-up (kAlways), like /metrics, so a restoring server can be watched. Thread-safety:
// the handlers only read constant data and may run concurrently.
#pragma once

#include "serving/server_host.h"

namespace segue::serving {

class DashboardHandler : public ServerComponent {
 public:
  void Register(ServerHost& host) override;
};

}  // namespace segue::serving
