#include "serving/connection_admission.h"

#include <algorithm>

namespace segue::serving {
namespace {

// IPv4-mapped IPv6 addresses count as the IPv4 client they are.
std::string ClientKey(const boost::asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

}  // namespace

ConnectionAdmission::Decision ConnectionAdmission::Admit(const boost::asio::ip::address& client) {
  std::string key = ClientKey(client);
  std::lock_guard lock(mu_);
  PerClient& mine = per_client_[key];
  RefusalReason why = RefusalReason::kNone;
  if (data_ >= limits_.max_connections) {
    why = RefusalReason::kMaxConnections;
  } else if (limits_.max_per_client > 0 && mine.data >= limits_.max_per_client) {
    why = RefusalReason::kPerClient;
  }
  if (why == RefusalReason::kNone) {
    ++data_;
    ++mine.data;
    return {Kind::kData, why};
  }
  const size_t probe_share = std::max<size_t>(1, limits_.probe_reserve / 4);
  if (probe_ < limits_.probe_reserve && mine.probe < probe_share) {
    ++probe_;
    ++mine.probe;
    return {Kind::kProbe, why};
  }
  if (mine.data == 0 && mine.probe == 0) per_client_.erase(key);
  return {Kind::kRefused, why};
}

void ConnectionAdmission::Release(Kind kind, const boost::asio::ip::address& client) {
  if (kind == Kind::kRefused) return;
  std::lock_guard lock(mu_);
  auto it = per_client_.find(ClientKey(client));
  if (kind == Kind::kProbe) {
    --probe_;
    if (it != per_client_.end()) --it->second.probe;
  } else {
    --data_;
    if (it != per_client_.end()) --it->second.data;
  }
  if (it != per_client_.end() && it->second.data == 0 && it->second.probe == 0) per_client_.erase(it);
}

size_t ConnectionAdmission::data_connections() const {
  std::lock_guard lock(mu_);
  return data_;
}

size_t ConnectionAdmission::probe_connections() const {
  std::lock_guard lock(mu_);
  return probe_;
}

}  // namespace segue::serving
