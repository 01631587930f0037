#pragma once
// What the chain watcher makes of one solidified block, without any I/O (issue 25: split
// out of watcher.cpp so the rules are read and tested apart from the thread that fetches
// blocks). The transfers to the escrow are read from the block as java-tron encodes it;
// their meaning (open, top-up, held, unclaimed) is channels/' rule (classify_deposit):
// this file only orders them and lets a block see what it opened itself.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <btt/base/bytes.h>
#include <btt/channels/deposit.h>
#include <btt/channels/rules.h>
#include <btt/node/store/store.h>
#include <btt/tron/address.h>

namespace protocol {
class BlockExtention;
}

namespace btt::node {

// The TRC-10 transfers to `escrow` in a block that executed successfully, in block order
// (reference §5.14). TRX transfers and other contracts are skipped. Pure.
[[nodiscard]] std::vector<channels::IncomingTransfer> escrow_transfers(
    const protocol::BlockExtention& block, const tron::TronAddress& escrow);

// Classifies a block's transfers in order. `stored` looks up a channel as stored before
// this block (top-ups name one); channels opened or topped up earlier in the same block
// are taken from the block itself, so an open and a top-up in one block both count.
[[nodiscard]] BlockChanges classify_block(
    const channels::Rules& rules, std::int64_t block_number, const Hash32& block_id,
    const std::vector<channels::IncomingTransfer>& transfers,
    const std::function<std::optional<channels::Channel>(const channels::ChannelId&)>& stored);

}  // namespace btt::node
