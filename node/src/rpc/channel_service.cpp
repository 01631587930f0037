// ChannelService's unary methods and the proto translation (see channel_service.h).
#include <btt/node/rpc/channel_service.h>

#include <btt/channels/reject.h>

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

std::string str(ByteView b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

v1::ChannelState wire_state(channels::ChannelState s) {
    switch (s) {
        case channels::ChannelState::Open:
            return v1::CHANNEL_STATE_OPEN;
        case channels::ChannelState::Closing:
            return v1::CHANNEL_STATE_CLOSING;
        case channels::ChannelState::Settling:
            return v1::CHANNEL_STATE_SETTLING;
        case channels::ChannelState::Closed:
            return v1::CHANNEL_STATE_CLOSED;
    }
    return v1::CHANNEL_STATE_UNSPECIFIED;
}

v1::Outcome wire_outcome(channels::Outcome o) {
    switch (o) {
        case channels::Outcome::Accepted:
            return v1::OUTCOME_ACCEPTED;
        case channels::Outcome::Duplicate:
            return v1::OUTCOME_DUPLICATE;
        case channels::Outcome::Rejected:
            return v1::OUTCOME_REJECTED;
    }
    return v1::OUTCOME_UNSPECIFIED;
}

}  // namespace

void to_proto(const ProofReply& reply, v1::ProofResult& out) {
    out.Clear();
    out.set_request_id(reply.request_id);
    out.set_outcome(wire_outcome(reply.outcome));
    out.set_accepted(reply.accepted);
    if (reply.outcome == channels::Outcome::Rejected) {
        out.set_reason(static_cast<std::uint32_t>(reply.reason));
        out.set_reason_token(std::string(channels::token_of(reply.reason)));
        return;
    }
    if (!reply.batch)
        return;
    auto* r = out.mutable_receipt();
    const auto& h = reply.batch->header;
    r->set_batch_seq(h.seq);
    r->set_prev_batch_hash(str(h.prev_hash));
    r->set_leaf_count(h.leaf_count);
    r->set_root(str(h.root));
    r->set_batch_signature(str(reply.batch->signature));
    r->set_leaf_index(reply.leaf_index);
    for (const auto& p : reply.batch->tree.audit_path(reply.leaf_index))
        r->add_path(str(p));
    r->set_amount(reply.amount);
}

void to_proto(const channels::Channel& c, v1::ChannelInfo& out) {
    out.set_channel_id(str(c.id.bytes()));
    out.set_payer(c.payer.to_base58());
    out.set_payee(c.payee.to_base58());
    out.set_token_id(c.token_id);
    out.set_deposit(c.deposit.value());
    out.set_accepted(c.accepted.value());
    if (c.accepted_signature)
        out.set_accepted_signature(str(*c.accepted_signature));
    out.set_state(wire_state(c.state));
    out.set_opened_at(c.opened_at.value);
    out.set_expiry(c.expiry.value);
    if (c.settle_at)
        out.set_settle_at(c.settle_at->value);
    if (c.close_cause)
        out.set_close_cause(channels::cause_token(*c.close_cause));
}

ChannelService::ChannelService(ServiceInfo info, Intake& intake, EventBus& events)
    : m_info(std::move(info)), m_intake(intake), m_events(events) {}

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
    m_intake.lookup(*id, [reactor, response](std::optional<channels::Channel> c) {
        if (!c) {
            reactor->Finish({grpc::StatusCode::NOT_FOUND, "no such channel"});
            return;
        }
        to_proto(*c, *response);
        reactor->Finish(grpc::Status::OK);
    });
    return reactor;
}

grpc::ServerBidiReactor<v1::ProofRequest, v1::ProofResult>* ChannelService::StreamProofs(
    grpc::CallbackServerContext*) {
    return make_proof_stream(m_intake, m_info.inflight_per_stream, m_info.metrics);
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
        }
        reactor->Finish({grpc::StatusCode::INTERNAL, "internal error"});
    });
    return reactor;
}

grpc::ServerWriteReactor<v1::ChannelEvent>* ChannelService::WatchChannel(
    grpc::CallbackServerContext*, const v1::WatchChannelRequest* request) {
    const auto id = channels::ChannelId::from_bytes(as_bytes(request->channel_id()));
    if (!id) {
        class Refused : public grpc::ServerWriteReactor<v1::ChannelEvent> {
        public:
            Refused() {
                Finish({grpc::StatusCode::INVALID_ARGUMENT, "channel_id must be 32 bytes"});
            }
            void OnDone() override { delete this; }
        };
        return new Refused();
    }
    return make_watch_stream(m_events, m_intake, *id);
}

}  // namespace btt::node
