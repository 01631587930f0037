#pragma once
// btt.channel.v1.AdminService (operator role) and AuditService (auditor or operator role),
// DESIGN §9 and issue 12. Unary and server-streaming calls on gRPC's synchronous API: they
// are rare, read PostgreSQL directly (each call on its own connection, one snapshot per
// answer) and must never hold up the callback threads that carry proofs. Every method
// checks the bearer token first (auth.h).
//
// What changes state goes through the engines, never around them: ForceSettle through the
// channel's intake shard (ordered with its proofs), PauseIntake through intake's flag,
// RetryPayout only wakes the settlement engine, which alone signs (so a live payout is
// never signed a second time).
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include <btt/channel/v1/channel.grpc.pb.h>

#include <btt/node/rpc/auth.h>
#include <btt/node/engine/intake.h>
#include <btt/node/store/intake_pause.h>
#include <btt/node/engine/reconcile.h>
#include <btt/node/engine/settler.h>

namespace btt::node {

// Thrown through export_ledger by `emit` when the client went away: the export stops.
struct ExportStopped {};

struct OpsContext {
    std::string database_url;
    const Authorizer* auth = nullptr;
    Intake* intake = nullptr;
    Settler* settler = nullptr;
    // Reconciliation at one solidified height (reconcile.h), on the node's chain client.
    std::function<Expected<Reconciliation, ReconcileError>()> reconcile;
    // The ledger export (btt-ledger/1, ledger_export.h), one JSONL line per call of
    // `emit`, which throws ExportStopped when the client went away. Throws on database
    // trouble.
    std::function<void(const std::function<void(const std::string&)>& emit)> export_ledger;
};

class AdminService final : public btt::channel::v1::AdminService::Service {
public:
    explicit AdminService(OpsContext context) : m_ops(std::move(context)) {}

    grpc::Status ListChannels(grpc::ServerContext* call,
                              const btt::channel::v1::ListChannelsRequest* request,
                              btt::channel::v1::ListChannelsResponse* response) override;
    grpc::Status ForceSettle(grpc::ServerContext* call,
                             const btt::channel::v1::ForceSettleRequest* request,
                             btt::channel::v1::ForceSettleResult* response) override;
    grpc::Status PauseIntake(grpc::ServerContext* call,
                             const btt::channel::v1::PauseIntakeRequest* request,
                             btt::channel::v1::IntakeState* response) override;
    grpc::Status ResumeIntake(grpc::ServerContext* call,
                              const btt::channel::v1::ResumeIntakeRequest* request,
                              btt::channel::v1::IntakeState* response) override;
    grpc::Status ListSettlementBatches(
        grpc::ServerContext* call, const btt::channel::v1::ListSettlementBatchesRequest* request,
        btt::channel::v1::ListSettlementBatchesResponse* response) override;
    grpc::Status ListPayouts(grpc::ServerContext* call,
                             const btt::channel::v1::ListPayoutsRequest* request,
                             btt::channel::v1::ListPayoutsResponse* response) override;
    grpc::Status RetryPayout(grpc::ServerContext* call,
                             const btt::channel::v1::RetryPayoutRequest* request,
                             btt::channel::v1::RetryPayoutResult* response) override;

    // At start: the pause recorded before the restart is in force again.
    void restore_pause(const IntakePause& pause);

private:
    OpsContext m_ops;
    std::mutex m_pause_mutex;
    btt::channel::v1::IntakeState m_pause;  // what PauseIntake/ResumeIntake last set
};

class AuditService final : public btt::channel::v1::AuditService::Service {
public:
    explicit AuditService(OpsContext context) : m_ops(std::move(context)) {}

    grpc::Status GetChannelHistory(grpc::ServerContext* call,
                                   const btt::channel::v1::GetChannelHistoryRequest* request,
                                   btt::channel::v1::ChannelHistory* response) override;
    grpc::Status ListReceiptBatches(
        grpc::ServerContext* call, const btt::channel::v1::ListReceiptBatchesRequest* request,
        btt::channel::v1::ListReceiptBatchesResponse* response) override;
    grpc::Status ListSettlements(grpc::ServerContext* call,
                                 const btt::channel::v1::ListSettlementsRequest* request,
                                 btt::channel::v1::ListSettlementsResponse* response) override;
    grpc::Status Reconcile(grpc::ServerContext* call,
                           const btt::channel::v1::ReconcileRequest* request,
                           btt::channel::v1::ReconcileReport* response) override;
    grpc::Status ExportLedger(grpc::ServerContext* call,
                              const btt::channel::v1::ExportLedgerRequest* request,
                              grpc::ServerWriter<btt::channel::v1::LedgerLine>* writer) override;

private:
    OpsContext m_ops;
};

}  // namespace btt::node
