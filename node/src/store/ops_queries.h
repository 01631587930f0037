#pragma once
// The reads behind AdminService and AuditService: straight from PostgreSQL into the API's
// messages. They only read, each in one read-only transaction (one snapshot), and are
// shared by both services. Throws pqxx exceptions on database trouble and
// std::invalid_argument on a bad filter (the services map both to statuses).
#include <cstdint>
#include <optional>

#include <btt/channel/v1/channel.pb.h>
#include <pqxx/pqxx>

namespace btt::node::ops {

namespace v1 = btt::channel::v1;

void list_channels(pqxx::connection& db, const v1::ListChannelsRequest& request,
                   v1::ListChannelsResponse& out);

void list_settlement_batches(pqxx::connection& db, const v1::ListSettlementBatchesRequest& request,
                             v1::ListSettlementBatchesResponse& out);

void list_payouts(pqxx::connection& db, const v1::ListPayoutsRequest& request,
                  v1::ListPayoutsResponse& out);

// nullopt: no such payout.
[[nodiscard]] std::optional<v1::PayoutInfo> payout(pqxx::connection& db, std::uint64_t payout_id);

// false: no such channel.
[[nodiscard]] bool channel_history(pqxx::connection& db, const std::string& channel_id,
                                   v1::ChannelHistory& out);

void list_receipt_batches(pqxx::connection& db, const v1::ListReceiptBatchesRequest& request,
                          v1::ListReceiptBatchesResponse& out);

void list_settlements(pqxx::connection& db, const v1::ListSettlementsRequest& request,
                      v1::ListSettlementsResponse& out);

}  // namespace btt::node::ops
