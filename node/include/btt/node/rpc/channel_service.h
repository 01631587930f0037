#pragma once
// btt.channel.v1.ChannelService (DESIGN §9) on gRPC's callback API: the proto <-> engine
// translation at the node's edge. No token needed: proofs authenticate themselves.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <btt/channel/v1/channel.grpc.pb.h>

#include <btt/channels/rules.h>
#include <btt/node/engine/events.h>
#include <btt/node/engine/intake.h>
#include <btt/node/metrics.h>
#include <btt/node/rpc/peer_limits.h>

namespace btt::node {

struct ServiceInfo {
    channels::Rules rules;
    std::string receipt_address;  // base58
    std::string version;
    std::uint32_t inflight_per_stream = 256;
    std::function<std::int64_t()> solid_block;  // the last block the watcher applied
    Metrics* metrics = nullptr;                 // active streams (optional)
    PeerLimitOptions peer_limits;               // DESIGN §10's per-connection bounds
};

// What a stream tells the service's connection table (both optional).
struct StreamHooks {
    std::function<bool()> malformed_allowed;  // one more malformed proof: still allowed?
    std::function<void()> done;               // the stream is over (its OnDone)
    Intake::Source source = Intake::kNodeSource;  // whose turn its work takes (fair_queue.h)
};

class ChannelService final : public btt::channel::v1::ChannelService::CallbackService {
public:
    ChannelService(ServiceInfo info, Intake& intake, EventBus& events);

    grpc::ServerUnaryReactor* GetNodeInfo(grpc::CallbackServerContext* ctx,
                                          const btt::channel::v1::GetNodeInfoRequest* request,
                                          btt::channel::v1::NodeInfo* response) override;
    grpc::ServerUnaryReactor* GetChannel(grpc::CallbackServerContext* ctx,
                                         const btt::channel::v1::GetChannelRequest* request,
                                         btt::channel::v1::ChannelInfo* response) override;
    grpc::ServerBidiReactor<btt::channel::v1::ProofRequest, btt::channel::v1::ProofResult>*
    StreamProofs(grpc::CallbackServerContext* ctx) override;
    grpc::ServerUnaryReactor* CloseChannel(grpc::CallbackServerContext* ctx,
                                           const btt::channel::v1::CloseRequest* request,
                                           btt::channel::v1::CloseResult* response) override;
    grpc::ServerWriteReactor<btt::channel::v1::ChannelEvent>* WatchChannel(
        grpc::CallbackServerContext* ctx,
        const btt::channel::v1::WatchChannelRequest* request) override;

private:
    ServiceInfo m_info;
    Intake& m_intake;
    EventBus& m_events;
    PeerLimits m_limits;
};

// A WatchChannel call.
[[nodiscard]] grpc::ServerWriteReactor<btt::channel::v1::ChannelEvent>* make_watch_stream(
    EventBus& bus, Intake& intake, const channels::ChannelId& id, StreamHooks hooks = {});

// A bidirectional StreamProofs call (exposed for tests of flow control).
[[nodiscard]] grpc::ServerBidiReactor<btt::channel::v1::ProofRequest,
                                      btt::channel::v1::ProofResult>*
make_proof_stream(Intake& intake, std::uint32_t window, Metrics* metrics = nullptr,
                  StreamHooks hooks = {});

}  // namespace btt::node
