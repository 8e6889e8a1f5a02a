#include "serving/connection_admission.h"

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
  RefusalReason why = RefusalReason::kNone;
  if (data_ >= limits_.max_connections) {
    why = RefusalReason::kMaxConnections;
  } else if (limits_.max_per_client > 0) {
    auto it = per_client_.find(key);
    if (it != per_client_.end() && it->second >= limits_.max_per_client) why = RefusalReason::kPerClient;
  }
  if (why == RefusalReason::kNone) {
    ++data_;
    ++per_client_[key];
    return {Kind::kData, why};
  }
  if (probe_ < limits_.probe_reserve) {
    ++probe_;
    return {Kind::kProbe, why};
  }
  return {Kind::kRefused, why};
}

void ConnectionAdmission::Release(Kind kind, const boost::asio::ip::address& client) {
  std::lock_guard lock(mu_);
  if (kind == Kind::kProbe) {
    --probe_;
    return;
  }
  if (kind != Kind::kData) return;
  --data_;
  auto it = per_client_.find(ClientKey(client));
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
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
