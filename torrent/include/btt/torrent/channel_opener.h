#pragma once
// The payer's channel to a seller's payee: opened on chain (a TRC-10 transfer of the node's
// token to its escrow with the open memo, DESIGN §3; the channel id is the txid) and
// waited for until the node reports it OPEN, or an existing one reused after checking
// that the node knows it as ours, to that payee, OPEN.

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include <btt/base/expected.h>
#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/channels/ids.h>
#include <btt/tron/keys.h>

namespace btt::torrent {

struct OpenedChannel {
    channels::ChannelId id;
    std::uint64_t deposit = 0;
    std::uint64_t accepted = 0;  // already committed (reuse); 0 for a new channel
};

struct OpenError {
    bool is_unreachable = false;  // the node or the chain did not answer
    std::string message;
};

struct OpenRequest {
    const tron::PrivateKey* payer = nullptr;
    tron::TronAddress payee;
    std::int64_t deposit = 0;   // 0: the node's min_deposit
    std::int64_t expiry_s = 0;  // horizon after the head block; 0: a day, within the node's
    std::string tron;           // full node host:port
    std::chrono::seconds open_timeout{90};
};

[[nodiscard]] Expected<OpenedChannel, OpenError> open_channel(
    btt::channel::v1::ChannelService::Stub& node, const btt::channel::v1::NodeInfo& info,
    const OpenRequest& request, std::ostream& log);

[[nodiscard]] Expected<OpenedChannel, OpenError> reuse_channel(
    btt::channel::v1::ChannelService::Stub& node, const channels::ChannelId& id,
    const tron::TronAddress& payer, const tron::TronAddress& payee);

}  // namespace btt::torrent
