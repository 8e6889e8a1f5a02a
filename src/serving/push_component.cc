#include "serving/push_component.h"

#include <memory>
#include <utility>

#include "serving/message_stream.h"

namespace segue::serving {
namespace {

// Listener ids are bounded like the events' user_id (events/event_parser.h).
constexpr size_t kMaxUserIdBytes = 128;

enum class Framing { kSse, kWebSocket };

// A subscription seen as a MessageStream: what the subscriber buffered, framed for the transport.
class SubscriptionStream final : public MessageStream {
 public:
  SubscriptionStream(push::Subscription subscription, Framing framing, std::chrono::milliseconds keepalive)
      : subscription_(std::move(subscription)), framing_(framing), keepalive_(keepalive) {}

  void Start(std::function<void()> wake) override { subscription_.subscriber().SetWake(std::move(wake)); }

  Batch Next() override {
    push::Subscriber& s = subscription_.subscriber();
    Batch batch;
    batch.end = s.closed();  // read before draining: a message offered before Close is drained below
    for (const push::PushMessagePtr& m : s.Drain()) {
      batch.messages.push_back(framing_ == Framing::kSse ? SseEvent(*m) : m->json);
    }
    return batch;
  }

  std::chrono::milliseconds keepalive_interval() const override { return keepalive_; }
  std::string keepalive_bytes() const override { return ": keep-alive\n\n"; }

 private:
  push::Subscription subscription_;
  const Framing framing_;
  const std::chrono::milliseconds keepalive_;
};

std::string WithoutLineBreaks(std::string s) {
  std::erase_if(s, [](char c) { return c == '\n' || c == '\r'; });
  return s;
}

}  // namespace

std::string SseEvent(const push::PushMessage& message) {
  std::string out = "event: recommendations\nid: " + WithoutLineBreaks(message.rec_id) + "\n";
  size_t start = 0;
  while (start <= message.json.size()) {
    size_t end = message.json.find('\n', start);
    if (end == std::string::npos) end = message.json.size();
    std::string_view line(message.json.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.append("data: ").append(line).append("\n");
    start = end + 1;
  }
  out += "\n";
  return out;
}

RouteHandler PushStreamHandler(push::PushHub& hub, std::chrono::milliseconds keepalive_interval) {
  return [&hub, keepalive_interval](HttpRequest request, PathParams params, ResponseCallback done) {
    const std::string& user = params.at(0);
    if (user.empty() || user.size() > kMaxUserIdBytes) {
      return done(JsonError(400, "listener id must be 1.." + std::to_string(kMaxUserIdBytes) + " bytes"));
    }
    Result<push::Subscription> subscription = hub.Subscribe(user);
    if (!subscription.ok()) {
      HttpResponse busy = JsonError(503, subscription.status().message());
      busy.headers.emplace_back("Retry-After", "5");
      return done(std::move(busy));
    }
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
    response.stream = std::make_shared<SubscriptionStream>(
        std::move(*subscription), request.websocket_upgrade ? Framing::kWebSocket : Framing::kSse, keepalive_interval);
    done(std::move(response));
  };
}

Result<std::unique_ptr<PushComponent>> PushComponent::Create(const push::PushOptions& options,
                                                             metrics::Registry& registry) {
  Result<std::unique_ptr<push::PushService>> service = push::PushService::Start(options, registry);
  if (!service.ok()) return service.status();
  return std::unique_ptr<PushComponent>(new PushComponent(std::move(*service)));
}

PushComponent::PushComponent(std::unique_ptr<push::PushService> service) : service_(std::move(service)) {}

PushComponent::~PushComponent() { service_->Stop(); }

void PushComponent::Register(ServerHost& host) {
  host.AddRoute(HttpMethod::kGet, kPushStreamRoute,
                PushStreamHandler(service_->hub(), service_->options().keepalive_interval), RouteReadiness::kAlways);
}

}  // namespace segue::serving
