// `segue serve`: the HTTP ingestion server (serving/server_app.h). Operations guide: docs/operations.md.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "serving/server_app.h"
#include "serving/server_config.h"

namespace segue::cli {

void AddServeCommand(CLI::App& root, CommandList& out) {
  CLI::App* app = root.add_subcommand(
      "serve",
      "Run the HTTP ingestion server: POST /v1/events, GET /v1/users/{id}/session, POST /v1/tracks, "
      "GET /v1/tracks/{id}, /healthz, /readyz, /metrics (docs/api.md). The first stdout line is "
      "'listening on HOST:PORT'. SIGTERM/SIGINT shut it down cleanly (exit 0).");
  struct Flags {
    std::string data_dir, listen, config, models, retrieval_models, log_level = "info", retrain_interval, retrain_args,
        bus, node_id;
    int threads = 0;
    bool no_sync = false;
  };
  auto f = std::make_shared<Flags>();
  app->add_option("--data-dir", f->data_dir, "Directory of the event log and state (created if missing)");
  app->add_option("--listen", f->listen, "HOST:PORT to listen on (port 0 picks a free port) [127.0.0.1:8080]");
  app->add_option("--config", f->config, "TOML config file; flags override its values (keys: docs/operations.md)")
      ->check(CLI::ExistingFile);
  app->add_option("--models", f->models,
                  "Folder of disengagement model bundles (segue train disengagement --out DIR/<version>); the "
                  "newest is loaded and newer ones are swapped in while serving. A bad bundle is logged and the "
                  "server runs on (with the previous model, or without scoring)");
  app->add_option("--retrieval-models", f->retrieval_models,
                  "Folder of retrieval (two-tower) bundles (segue train retrieval --out DIR/<version>); sets "
                  "[recommend] retriever = \"two_tower\". The newest is served and newer ones are swapped in; "
                  "until one loads, the blend baseline serves");
  app->add_option("--retrain-interval", f->retrain_interval,
                  "Retrain the models every this long (90s, 30m, 24h, 7d): `segue train all` on this server's log "
                  "as a child process at nice 19 with one thread, its candidates promoted only past the gate, "
                  "then swapped in (docs/operations.md). Off by default");
  app->add_option("--retrain-args", f->retrain_args,
                  "Extra flags for each retraining's `segue train all`, space-separated (e.g. \"--horizon-min 5 "
                  "--epochs 3\")");
  app->add_option("--bus", f->bus,
                  "redis://HOST:PORT[,HOST:PORT...]: use a Redis deployment (one server or a Cluster's seeds) as the "
                  "event bus shared by several nodes instead of the embedded log: ingest appends there (acked once "
                  "Redis has it under AOF appendfsync always, plus WAIT with [bus] wait_replicas), and this node "
                  "processes the partitions it owns under leases, keeping sessions in Redis so any node answers "
                  "for any listener (docs/scaling.md). The data dir still holds node-local state (feedback "
                  "outcomes, impressions, preferences, experiments). Off by default");
  app->add_option("--node-id", f->node_id,
                  "With --bus: this node's id, unique among the nodes [<hostname>-<pid>]");
  app->add_option("--threads", f->threads, "HTTP I/O threads [2]")->check(CLI::Range(1, 64));
  app->add_flag("--no-sync", f->no_sync,
                "Do not fsync log writes: acknowledged events survive a process crash but not an OS crash");
  app->add_option("--log-level", f->log_level, "trace, debug, info, warn, error or off [info]")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  out.push_back({app, [app, f] {
                   auto logger = spdlog::stderr_color_mt("segue");
                   spdlog::set_default_logger(logger);
                   spdlog::set_level(spdlog::level::from_str(f->log_level));

                   serving::ServerConfig config;
                   if (!f->config.empty()) {
                     if (Status s = serving::LoadServerConfig(f->config, &config); !s.ok()) {
                       std::cerr << "segue serve: " << s.message() << "\n";
                       return 2;
                     }
                   }
                   if (app->count("--data-dir")) config.data_dir = f->data_dir;
                   if (app->count("--listen")) config.listen = f->listen;
                   if (app->count("--threads")) config.threads = f->threads;
                   if (app->count("--bus")) config.bus.redis.url = f->bus;
                   if (app->count("--node-id")) config.bus.node_id = f->node_id;
                   if (app->count("--models")) config.scoring.models_dir = f->models;
                   if (app->count("--retrieval-models")) {
                     config.recommend.retrieval_models_dir = f->retrieval_models;
                     config.recommend.retriever = "two_tower";
                   }
                   if (f->no_sync) config.log.sync = false;
                   if (Status s = serving::ParseRetrainOptions("--retrain-interval", f->retrain_interval, f->retrain_args,
                                                               &config.retrain); !s.ok()) {
                     std::cerr << "segue serve: " << s.message() << "\n";
                     return 2;
                   }
                   if (Status s = serving::ValidateServerConfig(config); !s.ok()) {
                     std::cerr << "segue serve: " << s.message() << "\n";
                     return 2;
                   }
                   Status s = serving::RunServer(config, [](const std::string& address) {
                     std::printf("listening on %s\n", address.c_str());
                     std::fflush(stdout);
                   });
                   if (!s.ok()) {
                     std::cerr << "segue serve: " << s.message() << "\n";
                     return 1;
                   }
                   return 0;
                 }});
}

}  // namespace segue::cli
