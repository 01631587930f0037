// AuditService (see audit_service.h and ops_context.h).
#include <btt/node/rpc/audit_service.h>

#include <spdlog/spdlog.h>

#include <btt/channels/ids.h>

#include "ops_status.h"
#include "to_proto.h"

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

// A TRC-10 token id as Tron writes it: a positive int64 in decimal, no leading zero.
bool looks_like_token_id(const std::string& s) {
    if (s.empty() || s.size() > 19 || s.front() == '0')
        return false;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    return s.size() < 19 || s <= "9223372036854775807";
}

}  // namespace

grpc::Status AuditService::GetChannelHistory(grpc::ServerContext* call,
                                             const v1::GetChannelHistoryRequest* request,
                                             v1::ChannelHistory* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Auditor); !denied.ok())
        return denied;
    const auto id = channels::ChannelId::from_bytes(as_bytes(request->channel_id()));
    if (!id)
        return {grpc::StatusCode::INVALID_ARGUMENT, "channel_id: must be 32 bytes"};
    const auto history = m_ops.reads->channel_history(*id);
    if (!history)
        return read_failed("GetChannelHistory", history.error());
    if (!*history)
        return {grpc::StatusCode::NOT_FOUND, "unknown channel"};
    to_proto(**history, *response);
    return grpc::Status::OK;
}

grpc::Status AuditService::ListReceiptBatches(grpc::ServerContext* call,
                                              const v1::ListReceiptBatchesRequest* request,
                                              v1::ListReceiptBatchesResponse* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Auditor); !denied.ok())
        return denied;
    const auto batches = m_ops.reads->list_receipt_batches(request->from_seq(), request->to_seq());
    if (!batches)
        return read_failed("ListReceiptBatches", batches.error());
    for (const auto& b : *batches)
        to_proto(b, *response->add_batches());
    return grpc::Status::OK;
}

grpc::Status AuditService::ListSettlements(grpc::ServerContext* call,
                                           const v1::ListSettlementsRequest* request,
                                           v1::ListSettlementsResponse* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Auditor); !denied.ok())
        return denied;
    for (const auto& [seconds, field] :
         {std::pair<std::int64_t, const char*>{request->from(), "from"}, {request->to(), "to"}}) {
        if (auto bad = bad_time_bound(seconds, field))
            return {grpc::StatusCode::INVALID_ARGUMENT, std::move(*bad)};
    }
    const auto settlements = m_ops.reads->list_settlements(request->from(), request->to());
    if (!settlements)
        return read_failed("ListSettlements", settlements.error());
    for (const auto& s : *settlements)
        to_proto(s, *response->add_settlements());
    return grpc::Status::OK;
}

grpc::Status AuditService::Reconcile(grpc::ServerContext* call,
                                     const v1::ReconcileRequest* request,
                                     v1::ReconcileReport* response) {
    if (auto denied = m_ops.auth->check(*call, Role::Auditor); !denied.ok())
        return denied;
    const std::string& asked = request->token_id();
    if (!asked.empty() && !looks_like_token_id(asked))
        return {grpc::StatusCode::INVALID_ARGUMENT,
                "token_id must be a TRC-10 token id (1 to 19 decimal digits, no leading zero) "
                "or empty for the node's own token"};
    const auto r = m_ops.reconcile(asked);
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
    } catch (const DatabaseUnreachable& e) {
        spdlog::warn("ExportLedger: database unreachable: {}", e.what());
        return {grpc::StatusCode::UNAVAILABLE, "database unreachable; retry"};
    } catch (const std::exception& e) {
        spdlog::error("ExportLedger: {}", e.what());
        return {grpc::StatusCode::INTERNAL, "internal error (see the node's log)"};
    }
    return grpc::Status::OK;
}

}  // namespace btt::node
