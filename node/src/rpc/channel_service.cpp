// ChannelService's unary methods (see channel_service.h); the translation is to_proto.cpp.
#include <btt/node/rpc/channel_service.h>

#include <btt/channels/reject.h>

#include "to_proto.h"

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

// A stream refused before it started (a bad argument, a limit).
template <class Response>
class Refused final : public grpc::ServerWriteReactor<Response> {
public:
    explicit Refused(grpc::Status status) { this->Finish(std::move(status)); }
    void OnDone() override { delete this; }
};

class RefusedBidi final : public grpc::ServerBidiReactor<v1::ProofRequest, v1::ProofResult> {
public:
    explicit RefusedBidi(grpc::Status status) { Finish(std::move(status)); }
    void OnDone() override { delete this; }
};

grpc::Status too_many_requests() {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "the node has too many close requests and look-ups queued; retry later"};
}

grpc::Status too_many_connections(std::uint32_t limit) {
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "the node serves its limit of " + std::to_string(limit) +
                " connections with streams (limits.max_connections); retry later"};
}

}  // namespace

ChannelService::ChannelService(ServiceInfo info, Intake& intake, EventBus& events)
    : m_info(std::move(info)), m_intake(intake), m_events(events), m_limits(m_info.peer_limits) {}

grpc::ServerUnaryReactor* ChannelService::GetNodeInfo(grpc::CallbackServerContext* ctx,
                                                      const v1::GetNodeInfoRequest*,
                                                      v1::NodeInfo* response) {
    const auto& r = m_info.rules;
    response->set_escrow_address(r.escrow.to_base58());
    response->set_receipt_address(m_info.receipt_address);
    response->set_token_id(r.token_id);
    response->set_fee_bps(r.fee_bps);
    response->set_min_deposit(r.min_deposit.value());
    response->set_settle_delay_s(r.settle_delay.count());
    response->set_min_expiry_horizon_s(r.min_expiry_horizon.count());
    response->set_max_expiry_horizon_s(r.max_expiry_horizon.count());
    response->set_version(m_info.version);
    response->set_solid_block(m_info.solid_block ? m_info.solid_block() : -1);
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
}

grpc::ServerUnaryReactor* ChannelService::GetChannel(grpc::CallbackServerContext* ctx,
                                                     const v1::GetChannelRequest* request,
                                                     v1::ChannelInfo* response) {
    auto* reactor = ctx->DefaultReactor();
    const auto id = channels::ChannelId::from_bytes(as_bytes(request->channel_id()));
    if (!id) {
        reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, "channel_id must be 32 bytes"});
        return reactor;
    }
    // Answered on the shard that owns the channel, from what intake judges against.
    const bool queued = m_intake.lookup(
        *id,
        [reactor, response](std::optional<channels::Channel> c) {
            if (!c) {
                reactor->Finish({grpc::StatusCode::NOT_FOUND, "no such channel"});
                return;
            }
            to_proto(*c, *response);
            reactor->Finish(grpc::Status::OK);
        },
        Intake::source_of(ctx->peer()));
    if (!queued)
        reactor->Finish(too_many_requests());
    return reactor;
}

grpc::ServerBidiReactor<v1::ProofRequest, v1::ProofResult>* ChannelService::StreamProofs(
    grpc::CallbackServerContext* ctx) {
    auto peer = ctx->peer();
    if (!m_limits.begin_stream(peer))
        return new RefusedBidi(too_many_connections(m_info.peer_limits.max_connections));
    StreamHooks hooks;
    hooks.malformed_allowed = [this, peer] {
        return m_limits.note_malformed(peer, PeerLimits::Clock::now());
    };
    hooks.done = [this, peer] { m_limits.end_stream(peer); };
    hooks.source = Intake::source_of(peer);
    return make_proof_stream(m_intake, m_info.inflight_per_stream, m_info.metrics,
                             std::move(hooks));
}

grpc::ServerUnaryReactor* ChannelService::CloseChannel(grpc::CallbackServerContext* ctx,
                                                       const v1::CloseRequest* request,
                                                       v1::CloseResult* response) {
    auto* reactor = ctx->DefaultReactor();
    const auto id = channels::ChannelId::from_bytes(as_bytes(request->channel_id()));
    if (!id) {
        reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, "channel_id must be 32 bytes"});
        return reactor;
    }
    channels::CloseRequest close{*id,
                                 Bytes(request->signature().begin(), request->signature().end())};
    // Answered after the transition is committed (DESIGN §9's statuses).
    m_intake.close_channel(close, [reactor, response](CloseReply r) {
        switch (r.outcome) {
            case CloseOutcome::Done:
                response->set_state(wire_state(r.state));
                if (r.settle_at)
                    response->set_settle_at(r.settle_at->value);
                return reactor->Finish(grpc::Status::OK);
            case CloseOutcome::UnknownChannel:
                return reactor->Finish({grpc::StatusCode::NOT_FOUND, "no such channel"});
            case CloseOutcome::BadSignature:
                return reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT,
                                        "signature is not a valid BTT-CLOSE-V1 signature"});
            case CloseOutcome::NotAParty:
                return reactor->Finish({grpc::StatusCode::PERMISSION_DENIED,
                                        "signed by neither the payer nor the payee"});
            case CloseOutcome::WrongState:
                return reactor->Finish(
                    {grpc::StatusCode::FAILED_PRECONDITION,
                     std::string("channel is ") + channels::state_name(r.state)});
            case CloseOutcome::StoreUnavailable:
                return reactor->Finish({grpc::StatusCode::UNAVAILABLE, "store unavailable: retry"});
            case CloseOutcome::Overloaded:
                return reactor->Finish(too_many_requests());
        }
        reactor->Finish({grpc::StatusCode::INTERNAL, "internal error"});
    }, Intake::source_of(ctx->peer()));
    return reactor;
}

grpc::ServerWriteReactor<v1::ChannelEvent>* ChannelService::WatchChannel(
    grpc::CallbackServerContext* ctx, const v1::WatchChannelRequest* request) {
    using RefusedWatch = Refused<v1::ChannelEvent>;
    const auto id = channels::ChannelId::from_bytes(as_bytes(request->channel_id()));
    if (!id)
        return new RefusedWatch({grpc::StatusCode::INVALID_ARGUMENT, "channel_id must be 32 bytes"});
    auto peer = ctx->peer();
    if (!m_limits.begin_stream(peer))
        return new RefusedWatch(too_many_connections(m_info.peer_limits.max_connections));
    if (!m_limits.add_watcher(peer, *id)) {
        m_limits.end_stream(peer);
        return new RefusedWatch(
            {grpc::StatusCode::RESOURCE_EXHAUSTED,
             "too many watchers: " + std::to_string(m_info.peer_limits.max_watchers) +
                 " in all (limits.max_watchers) or " +
                 std::to_string(m_info.peer_limits.watchers_per_channel) +
                 " of one channel per connection"});
    }
    StreamHooks hooks;
    hooks.done = [this, peer, channel = *id] {
        m_limits.remove_watcher(peer, channel);
        m_limits.end_stream(peer);
    };
    hooks.source = Intake::source_of(peer);
    return make_watch_stream(m_events, m_intake, *id, std::move(hooks));
}

}  // namespace btt::node
