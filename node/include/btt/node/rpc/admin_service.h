#pragma once
// btt.channel.v1.AdminService: the operator role (see ops_context.h).
#include <mutex>

#include <btt/channel/v1/channel.grpc.pb.h>

#include <btt/node/rpc/ops_context.h>

namespace btt::node {

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
    grpc::Status ListHeldTransfers(grpc::ServerContext* call,
                                   const btt::channel::v1::ListHeldTransfersRequest* request,
                                   btt::channel::v1::ListHeldTransfersResponse* response) override;
    grpc::Status RefundUnclaimed(grpc::ServerContext* call,
                                 const btt::channel::v1::RefundUnclaimedRequest* request,
                                 btt::channel::v1::RefundUnclaimedResult* response) override;

    // At start: the pause recorded before the restart is in force again.
    void restore_pause(const IntakePause& pause);

private:
    OpsContext m_ops;
    std::mutex m_pause_mutex;
    btt::channel::v1::IntakeState m_pause;  // what PauseIntake/ResumeIntake last set
};

}  // namespace btt::node
