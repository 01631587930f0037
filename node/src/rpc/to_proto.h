#pragma once
// Every conversion from the engine's and the store's types to the API's messages, in one
// place for every service (ChannelService, its streams, AdminService, AuditService), so a
// field means the same in every answer.
#include <btt/channel/v1/channel.pb.h>

#include <btt/channels/channel.h>
#include <btt/node/engine/intake.h>
#include <btt/node/store/ops_reads.h>

namespace btt::node {

[[nodiscard]] btt::channel::v1::ChannelState wire_state(channels::ChannelState s);

// The wire form of an engine reply (receipt and audit path included).
void to_proto(const ProofReply& reply, btt::channel::v1::ProofResult& out);
void to_proto(const channels::Channel& channel, btt::channel::v1::ChannelInfo& out);

void to_proto(const PayoutRow& row, btt::channel::v1::PayoutInfo& out);
void to_proto(const SettlementBatchRow& row, btt::channel::v1::SettlementBatchInfo& out);
void to_proto(const SettlementRow& row, btt::channel::v1::SettlementRecord& out);
void to_proto(const ChannelHistoryRows& rows, btt::channel::v1::ChannelHistory& out);
void to_proto(const ReceiptBatchRow& row, btt::channel::v1::ReceiptBatchHeader& out);

}  // namespace btt::node
