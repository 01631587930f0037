// AdminService and AuditService (see ops_services.h).
#include <btt/node/rpc/ops_services.h>

#include <btt/node/store/intake_pause.h>

#include <future>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <btt/base/hex.h>
#include <btt/channels/ids.h>

#include "../store/ops_queries.h"

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

constexpr auto kEngineDeadline = std::chrono::seconds(30);

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Token check, then `body` on a fresh database connection; exceptions become statuses.
// A database that is down or a transaction that lost a race is UNAVAILABLE (retry), a bad
// filter INVALID_ARGUMENT, anything else (our bug, a malformed stored row) INTERNAL with
// the details in the log only.
template <typename Body>
grpc::Status guarded(const OpsContext& ops, grpc::ServerContext* call, Role role,
                     const char* method, Body&& body) {
    if (auto denied = ops.auth->check(*call, role); !denied.ok())
        return denied;
    try {
        pqxx::connection db(ops.database_url);
        return body(db);
    } catch (const std::invalid_argument& e) {
        return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
    } catch (const pqxx::broken_connection& e) {
        spdlog::warn("{}: database unreachable: {}", method, e.what());
        return {grpc::StatusCode::UNAVAILABLE, "database unreachable; retry"};
    } catch (const pqxx::transaction_rollback& e) {
        spdlog::warn("{}: {}", method, e.what());
        return {grpc::StatusCode::UNAVAILABLE, "the database rolled the read back; retry"};
    } catch (const std::exception& e) {
        spdlog::error("{}: {}", method, e.what());
        return {grpc::StatusCode::INTERNAL, "internal error (see the node's log)"};
    }
}

v1::ChannelState wire_state(channels::ChannelState s) {
    return static_cast<v1::ChannelState>(static_cast<int>(s));
}

}  // namespace

// ---- AdminService ----

grpc::Status AdminService::ListChannels(grpc::ServerContext* call,
                                        const v1::ListChannelsRequest* request,
                                        v1::ListChannelsResponse* response) {
    return guarded(m_ops, call, Role::Operator, "ListChannels", [&](pqxx::connection& db) {
        ops::list_channels(db, *request, *response);
        return grpc::Status::OK;
    });
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
    try {
        pqxx::connection db(m_ops.database_url);
        record_intake_pause(db, IntakePause{m_pause.reason(), m_pause.since()});
    } catch (const std::exception& e) {
        spdlog::error("PauseIntake: the pause is in force but not recorded: {}", e.what());
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
        try {
            pqxx::connection db(m_ops.database_url);
            clear_intake_pause(db);
        } catch (const std::exception& e) {
            spdlog::error("ResumeIntake: the pause could not be removed: {}", e.what());
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
    return guarded(m_ops, call, Role::Operator, "ListSettlementBatches", [&](pqxx::connection& db) {
        ops::list_settlement_batches(db, *request, *response);
        return grpc::Status::OK;
    });
}

grpc::Status AdminService::ListPayouts(grpc::ServerContext* call,
                                       const v1::ListPayoutsRequest* request,
                                       v1::ListPayoutsResponse* response) {
    return guarded(m_ops, call, Role::Operator, "ListPayouts", [&](pqxx::connection& db) {
        ops::list_payouts(db, *request, *response);
        return grpc::Status::OK;
    });
}

grpc::Status AdminService::RetryPayout(grpc::ServerContext* call,
                                       const v1::RetryPayoutRequest* request,
                                       v1::RetryPayoutResult* response) {
    return guarded(m_ops, call, Role::Operator, "RetryPayout", [&](pqxx::connection& db) {
        auto payout = ops::payout(db, request->payout_id());
        if (!payout)
            return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown payout");
        if (payout->state() == v1::PAYOUT_STATE_CONFIRMED)
            return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "payout already confirmed");
        bool live = false;
        for (const auto& a : payout->attempts())
            live = live || a.state() == v1::ATTEMPT_STATE_LIVE;
        const auto& status = m_ops.settler->status();
        if (live) {
            response->set_action("rebroadcast");
        } else if (!status.conservation_ok || !status.reconciled_ok || !status.funded) {
            response->set_action("blocked");
            response->set_detail(!status.conservation_ok ? "the books do not balance"
                                 : !status.reconciled_ok ? "the escrow holds less than it owes"
                                                         : "the escrow lacks TRX or tokens");
        } else {
            response->set_action("sign");
        }
        m_ops.settler->retry_now();
        spdlog::info("operator asked to retry payout {} ({})", payout->payout_id(),
                     response->action());
        *response->mutable_payout() = std::move(*payout);
        return grpc::Status::OK;
    });
}

// ---- AuditService ----

grpc::Status AuditService::GetChannelHistory(grpc::ServerContext* call,
                                             const v1::GetChannelHistoryRequest* request,
                                             v1::ChannelHistory* response) {
    return guarded(m_ops, call, Role::Auditor, "GetChannelHistory", [&](pqxx::connection& db) {
        if (!ops::channel_history(db, request->channel_id(), *response))
            return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown channel");
        return grpc::Status::OK;
    });
}

grpc::Status AuditService::ListReceiptBatches(grpc::ServerContext* call,
                                              const v1::ListReceiptBatchesRequest* request,
                                              v1::ListReceiptBatchesResponse* response) {
    return guarded(m_ops, call, Role::Auditor, "ListReceiptBatches", [&](pqxx::connection& db) {
        ops::list_receipt_batches(db, *request, *response);
        return grpc::Status::OK;
    });
}

grpc::Status AuditService::ListSettlements(grpc::ServerContext* call,
                                           const v1::ListSettlementsRequest* request,
                                           v1::ListSettlementsResponse* response) {
    return guarded(m_ops, call, Role::Auditor, "ListSettlements", [&](pqxx::connection& db) {
        ops::list_settlements(db, *request, *response);
        return grpc::Status::OK;
    });
}

grpc::Status AuditService::Reconcile(grpc::ServerContext* call, const v1::ReconcileRequest*,
                                     v1::ReconcileReport* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Auditor); !denied.ok())
        return denied;
    const auto r = m_ops.reconcile();
    if (!r)  // store or chain unreachable, or the watcher behind the solid head: retry
        return {grpc::StatusCode::UNAVAILABLE, r.error().message};
    response->set_height(r->height);
    response->set_balance(r->balance);
    response->set_liabilities(r->liabilities);
    response->set_deficit(r->deficit);
    response->set_surplus(r->surplus);
    response->set_ok(r->ok());
    return grpc::Status::OK;
}

grpc::Status AuditService::ExportLedger(grpc::ServerContext* call, const v1::ExportLedgerRequest*,
                                        grpc::ServerWriter<v1::LedgerLine>* writer) {
    if (auto denied = m_ops.auth->check(*call, Role::Auditor); !denied.ok())
        return denied;
    if (!m_ops.export_ledger)
        return {grpc::StatusCode::UNIMPLEMENTED, "ledger export is not built in"};
    try {
        v1::LedgerLine line;
        m_ops.export_ledger([&](const std::string& json) {
            line.set_json(json);
            if (call->IsCancelled() || !writer->Write(line))
                throw ExportStopped{};
        });
    } catch (const ExportStopped&) {
        return {grpc::StatusCode::CANCELLED, "the client went away"};
    } catch (const pqxx::broken_connection& e) {
        spdlog::warn("ExportLedger: database unreachable: {}", e.what());
        return {grpc::StatusCode::UNAVAILABLE, "database unreachable; retry"};
    } catch (const std::exception& e) {
        spdlog::error("ExportLedger: {}", e.what());
        return {grpc::StatusCode::INTERNAL, "internal error (see the node's log)"};
    }
    return grpc::Status::OK;
}

}  // namespace btt::node
