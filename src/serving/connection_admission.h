// Decides whether a newly accepted connection may stay open, so that neither one client nor many can
// starve the server of connections, and health probes still get through when the data connections are
// exhausted.
//
// A connection is admitted as:
//  - kData while fewer than max_connections data connections are open and its client address holds
//    fewer than max_per_client of them (0 = no per-address limit);
//  - kProbe otherwise, while fewer than probe_reserve probe connections are open and the address holds
//    fewer than max(1, probe_reserve / 4) of them (so one address flooding the server cannot also take
//    the whole reserve from the prober): such a connection may carry one GET/HEAD request for a probe
//    path (/healthz, /readyz) and is then closed; any other request on it gets 503 (http_server.cc);
//  - kRefused otherwise (503, closed).
// Every admitted connection must be released exactly once with the same kind and address.
//
// Thread-safety: all methods are thread-safe (one mutex; called once per accept and per close).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

namespace segue::serving {

struct AdmissionLimits {
  size_t max_connections = 1024;
  size_t max_per_client = 128;  // 0 = unlimited
  size_t probe_reserve = 16;
};

class ConnectionAdmission {
 public:
  enum class Kind { kData, kProbe, kRefused };
  enum class RefusalReason { kNone, kMaxConnections, kPerClient };

  struct Decision {
    Kind kind;
    RefusalReason why_not_data;  // why it is not a data connection (kNone for kData)
  };

  explicit ConnectionAdmission(AdmissionLimits limits) : limits_(limits) {}

  Decision Admit(const boost::asio::ip::address& client);
  void Release(Kind kind, const boost::asio::ip::address& client);

  size_t data_connections() const;
  size_t probe_connections() const;

 private:
  const AdmissionLimits limits_;
  mutable std::mutex mu_;
  size_t data_ = 0;
  size_t probe_ = 0;
  struct PerClient {
    size_t data = 0;
    size_t probe = 0;
  };
  std::unordered_map<std::string, PerClient> per_client_;  // by address; no all-zero entries
};

}  // namespace segue::serving
