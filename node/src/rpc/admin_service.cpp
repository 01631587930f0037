// AdminService (see admin_service.h and ops_context.h).
#include <btt/node/rpc/admin_service.h>

#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <btt/base/hex.h>
#include <btt/channels/ids.h>

#include "ops_status.h"
#include "to_proto.h"

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

constexpr auto kEngineDeadline = std::chrono::seconds(30);

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint32_t bounded(std::uint32_t asked, std::uint32_t fallback, std::uint32_t most) {
    if (asked == 0)
        return fallback;
    return std::min(asked, most);
}

// A base58 filter: nullopt when empty (any), the refusal's text when it does not parse.
Expected<std::optional<tron::TronAddress>, std::string> address_filter(const std::string& text,
                                                                       const char* what) {
    if (text.empty())
        return std::optional<tron::TronAddress>{};
    auto a = tron::TronAddress::parse(text);
    if (!a)
        return unexpected(fmt::format("{}: {}", what, a.error().message()));
    return std::optional<tron::TronAddress>{*a};
}

// The request as a typed filter, or the INVALID_ARGUMENT it earns.
Expected<ChannelFilter, grpc::Status> channel_filter(const v1::ListChannelsRequest& request) {
    const auto invalid = [](std::string text) {
        return unexpected(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(text)));
    };
    ChannelFilter f;
    if (request.state() != v1::CHANNEL_STATE_UNSPECIFIED) {
        if (!v1::ChannelState_IsValid(request.state()))
            return invalid("state: unknown value");
        f.state = static_cast<channels::ChannelState>(static_cast<int>(request.state()));
    }
    auto payer = address_filter(request.payer(), "payer");
    if (!payer)
        return invalid(payer.error());
    f.payer = *payer;
    auto payee = address_filter(request.payee(), "payee");
    if (!payee)
        return invalid(payee.error());
    f.payee = *payee;
    const std::pair<std::int64_t, const char*> bounds[] = {
        {request.opened_from(), "opened_from"},
        {request.opened_to(), "opened_to"},
        {request.settled_from(), "settled_from"},
        {request.settled_to(), "settled_to"}};
    for (const auto& [seconds, field] : bounds) {
        if (auto bad = bad_time_bound(seconds, field))
            return invalid(std::move(*bad));
    }
    f.opened_from = request.opened_from();
    f.opened_to = request.opened_to();
    f.settled_from = request.settled_from();
    f.settled_to = request.settled_to();
    if (!request.page_token().empty()) {
        const auto after = channels::ChannelId::from_bytes(as_bytes(request.page_token()));
        if (!after)
            return invalid("page_token: not one this node gave");
        f.after = *after;
    }
    f.limit = bounded(request.page_size(), 100, OpsReads::kMaxChannelPage);
    return f;
}

void to_proto(const HeldTransfer& h, v1::HeldTransfer& out) {
    out.set_txid(std::string(reinterpret_cast<const char*>(h.txid.bytes().data()), h.txid.bytes().size()));
    out.set_from(h.from.to_base58());
    out.set_token_id(h.token_id);
    out.set_amount(h.amount.value());
    out.set_block(h.block);
    out.set_block_time(h.block_time);
    out.set_unclaimed_reason(channels::reason_token(h.reason));
}

// A store call of the operator's that failed: UNAVAILABLE when the database is away or
// the outcome is unknown (retry: both calls are idempotent), else INTERNAL.
grpc::Status store_failed(const char* method, const StoreError& e) {
    if (e.kind == StoreError::Kind::Refused) {
        spdlog::error("{}: {}", method, e.message());
        return {grpc::StatusCode::INTERNAL, "internal error (see the node's log)"};
    }
    spdlog::warn("{}: {}", method, e.message());
    return {grpc::StatusCode::UNAVAILABLE, "database unavailable; retry"};
}

}  // namespace

grpc::Status AdminService::ListChannels(grpc::ServerContext* call,
                                        const v1::ListChannelsRequest* request,
                                        v1::ListChannelsResponse* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    const auto filter = channel_filter(*request);
    if (!filter)
        return filter.error();
    const auto page = m_ops.reads->list_channels(*filter);
    if (!page)
        return read_failed("ListChannels", page.error());
    for (const auto& c : page->channels)
        to_proto(c, *response->add_channels());
    if (page->more)
        response->set_next_page_token(response->channels(response->channels_size() - 1).channel_id());
    return grpc::Status::OK;
}

grpc::Status AdminService::ForceSettle(grpc::ServerContext* call,
                                       const v1::ForceSettleRequest* request,
                                       v1::ForceSettleResult* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    const auto id = channels::ChannelId::from_bytes(as_bytes(request->channel_id()));
    if (!id)
        return {grpc::StatusCode::INVALID_ARGUMENT, "channel_id: must be 32 bytes"};
    auto promise = std::make_shared<std::promise<CloseReply>>();
    auto answer = promise->get_future();
    m_ops.intake->force_settle(*id, [promise](CloseReply r) { promise->set_value(r); });
    if (answer.wait_for(kEngineDeadline) != std::future_status::ready)
        return {grpc::StatusCode::UNAVAILABLE, "intake did not answer in time; retry"};
    const auto reply = answer.get();
    switch (reply.outcome) {
        case CloseOutcome::Done:
            spdlog::warn("operator force-settled channel {}", to_hex(id->bytes()));
            response->set_state(wire_state(reply.state));
            if (reply.settle_at)
                response->set_settle_at(reply.settle_at->value);
            return grpc::Status::OK;
        case CloseOutcome::UnknownChannel:
            return {grpc::StatusCode::NOT_FOUND, "unknown channel"};
        case CloseOutcome::WrongState:
            return {grpc::StatusCode::FAILED_PRECONDITION, "channel is already SETTLING or CLOSED"};
        case CloseOutcome::StoreUnavailable:
            return {grpc::StatusCode::UNAVAILABLE, "store unavailable; retry"};
        case CloseOutcome::BadSignature:
        case CloseOutcome::NotAParty:
        case CloseOutcome::Overloaded:  // the operator's work is never refused for a queue
            break;
    }
    return {grpc::StatusCode::INTERNAL, "unexpected force settle outcome"};
}

grpc::Status AdminService::PauseIntake(grpc::ServerContext* call,
                                       const v1::PauseIntakeRequest* request,
                                       v1::IntakeState* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    std::lock_guard lock(m_pause_mutex);
    // Stop first, record second: an operator's stop takes effect even with the database
    // down; only its surviving a restart then depends on calling again.
    if (!m_ops.intake->is_paused()) {
        m_pause.set_paused(true);
        m_pause.set_since(now_s());
        m_pause.set_reason(request->reason());
        m_ops.intake->set_paused(true);
        // The reason is the operator's own text: logged as data, never as a format.
        spdlog::warn("intake paused by an operator: {}", request->reason());
    }
    *response = m_pause;
    if (const auto recorded = m_ops.pause_record->record({m_pause.reason(), m_pause.since()});
        !recorded) {
        spdlog::error("PauseIntake: the pause is in force but not recorded: {}",
                      recorded.error().message());
        return {grpc::StatusCode::UNAVAILABLE,
                "intake is paused, but the pause could not be recorded (database unavailable): "
                "a restart would resume intake; call PauseIntake again"};
    }
    return grpc::Status::OK;
}

grpc::Status AdminService::ResumeIntake(grpc::ServerContext* call, const v1::ResumeIntakeRequest*,
                                        v1::IntakeState* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    std::lock_guard lock(m_pause_mutex);
    if (m_ops.intake->is_paused()) {
        // Unrecorded first: a resume that could not be recorded would come back paused
        // after a restart, so it does not happen at all.
        if (const auto cleared = m_ops.pause_record->clear(); !cleared) {
            spdlog::error("ResumeIntake: the pause could not be removed: {}",
                          cleared.error().message());
            return {grpc::StatusCode::UNAVAILABLE,
                    "intake stays paused: the database is unavailable; retry"};
        }
        m_ops.intake->set_paused(false);
        m_pause.Clear();
        m_pause.set_since(now_s());
        spdlog::warn("intake resumed by an operator");
    }
    *response = m_pause;
    return grpc::Status::OK;
}

void AdminService::restore_pause(const IntakePause& pause) {
    std::lock_guard lock(m_pause_mutex);
    m_pause.set_paused(true);
    m_pause.set_since(pause.since);
    m_pause.set_reason(pause.reason);
    m_ops.intake->set_paused(true);
    spdlog::warn("intake stays paused, as an operator left it at {}: {} (ResumeIntake resumes it)",
                 pause.since, pause.reason);
}

grpc::Status AdminService::ListSettlementBatches(grpc::ServerContext* call,
                                                 const v1::ListSettlementBatchesRequest* request,
                                                 v1::ListSettlementBatchesResponse* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    const auto batches = m_ops.reads->list_settlement_batches(
        bounded(request->limit(), 50, OpsReads::kMaxBatchPage), request->before_batch());
    if (!batches)
        return read_failed("ListSettlementBatches", batches.error());
    for (const auto& b : *batches)
        to_proto(b, *response->add_batches());
    return grpc::Status::OK;
}

grpc::Status AdminService::ListPayouts(grpc::ServerContext* call,
                                       const v1::ListPayoutsRequest* request,
                                       v1::ListPayoutsResponse* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    std::optional<int> state;
    if (request->state() != v1::PAYOUT_STATE_UNSPECIFIED) {
        if (!v1::PayoutState_IsValid(request->state()))
            return {grpc::StatusCode::INVALID_ARGUMENT, "state: unknown value"};
        state = static_cast<int>(request->state());
    }
    const auto payouts = m_ops.reads->list_payouts(
        bounded(request->limit(), 100, OpsReads::kMaxPayoutPage), state, request->before_payout());
    if (!payouts)
        return read_failed("ListPayouts", payouts.error());
    for (const auto& p : *payouts)
        to_proto(p, *response->add_payouts());
    return grpc::Status::OK;
}

grpc::Status AdminService::RetryPayout(grpc::ServerContext* call,
                                       const v1::RetryPayoutRequest* request,
                                       v1::RetryPayoutResult* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    const auto payout = m_ops.reads->payout(request->payout_id());
    if (!payout)
        return read_failed("RetryPayout", payout.error());
    if (!*payout)
        return {grpc::StatusCode::NOT_FOUND, "unknown payout"};
    const PayoutRow& p = **payout;
    if (p.state == v1::PAYOUT_STATE_CONFIRMED)
        return {grpc::StatusCode::FAILED_PRECONDITION, "payout already confirmed"};
    bool live = false;
    for (const auto& a : p.attempts)
        live = live || a.state == v1::ATTEMPT_STATE_LIVE;
    const auto& status = m_ops.settler->status();
    if (live) {
        response->set_action("rebroadcast");
    } else if (const auto held = status.held_because(); !held.empty()) {
        response->set_action("blocked");
        response->set_detail(held);
    } else {
        response->set_action("sign");
    }
    m_ops.settler->retry_now();
    spdlog::info("operator asked to retry payout {} ({})", p.payout_id, response->action());
    to_proto(p, *response->mutable_payout());
    return grpc::Status::OK;
}

grpc::Status AdminService::ListHeldTransfers(grpc::ServerContext* call,
                                             const v1::ListHeldTransfersRequest* request,
                                             v1::ListHeldTransfersResponse* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    if (request->after_block() < 0)
        return {grpc::StatusCode::INVALID_ARGUMENT, "after_block: must be 0 or more"};
    const auto held = m_ops.held->list(bounded(request->limit(), 100, HeldTransfers::kMaxPage),
                                       request->after_block());
    if (!held)
        return store_failed("ListHeldTransfers", held.error());
    for (const auto& h : *held)
        to_proto(h, *response->add_transfers());
    return grpc::Status::OK;
}

grpc::Status AdminService::RefundUnclaimed(grpc::ServerContext* call,
                                           const v1::RefundUnclaimedRequest* request,
                                           v1::RefundUnclaimedResult* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Operator); !denied.ok())
        return denied;
    const auto txid = channels::TxId::from_bytes(as_bytes(request->txid()));
    if (!txid)
        return {grpc::StatusCode::INVALID_ARGUMENT, "txid: must be 32 bytes"};
    const auto released = m_ops.held->release(*txid);
    if (!released)
        return store_failed("RefundUnclaimed", released.error());
    switch (released->outcome) {
        case ReleaseOutcome::NotFound:
            return {grpc::StatusCode::NOT_FOUND, "no transfer to the escrow has this txid"};
        case ReleaseOutcome::NotHeld:
            return {grpc::StatusCode::FAILED_PRECONDITION,
                    released->transfer
                        ? "not held: its refund is already released or done"
                        : "not held: it opened or topped up a channel, or came from a peer "
                          "escrow"};
        case ReleaseOutcome::Released:
            break;
    }
    const auto& h = *released->transfer;
    spdlog::warn("operator released held transfer {}: {} of token {} back to {}",
                 txid->to_hex(), h.amount.value(), h.token_id, h.from.to_base58());
    to_proto(h, *response->mutable_transfer());
    response->set_action("refund_queued");  // the next settlement window plans it
    return grpc::Status::OK;
}

}  // namespace btt::node
