#pragma once
// btt.channel.v1.AuditService: the auditor role, which the operator's token also holds
// (see ops_context.h).
#include <btt/channel/v1/channel.grpc.pb.h>

#include <btt/node/rpc/ops_context.h>

namespace btt::node {

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
