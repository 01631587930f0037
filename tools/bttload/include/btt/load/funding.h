#pragma once
// Opening channels on chain (DESIGN §3): one TRC-10 transfer of the node's token to its
// escrow per channel, memo `btt-channel:v1:open:<payee>:<expiry>`; the channel id is the
// transfer's txid. Built and broadcast as `bttctl tx send-asset` does (TAPOS from the
// solidified head, expiration from the head's time), in parallel. Waiting for the node to
// see them is NodeApi::await_channels.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <btt/base/expected.h>
#include <btt/channel/v1/channel.pb.h>
#include <btt/load/fleet.h>
#include <btt/load/options.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::load {

// The payers: the first --payers accounts of --keys-file ([{address, private_key}], each
// key checked against its address), or the --payer-key-file keys. Usage error on a missing,
// malformed or too open file, or too few accounts.
[[nodiscard]] Expected<std::vector<tron::PrivateKey>, RunError> load_payers(const Options& options);

// The payees: --payees-file's base58 addresses, or --payees fresh random addresses (their
// keys are not kept: the load test never closes).
[[nodiscard]] Expected<std::vector<tron::TronAddress>, RunError> load_payees(
    const Options& options);

// The expiry horizon (seconds after the head block) to write in memos: --expiry-s, or
// 7 days; either way inside the node's [min, max] horizon with a minute's margin for the
// time the transfer takes to land in a block. Usage error naming the bounds otherwise.
[[nodiscard]] Expected<std::int64_t, RunError> choose_expiry_horizon(
    const Options& options, const btt::channel::v1::NodeInfo& node);

// "btt-channel:v1:open:<payee base58>:<expiry unix seconds>".
[[nodiscard]] std::string open_memo(const tron::TronAddress& payee, std::int64_t expiry_unix_s);

// Broadcasts channels_per_payer transfers of --deposit (default: the node's min_deposit)
// per payer of `fleet.payers`, payer i paying payee i % payees.size(), and appends to
// `fleet.channels` every channel whose transfer the chain took (deposit as sent,
// last_sent 0). Returns Usage for a deposit under the node's minimum or an expiry outside
// its horizon, Unreachable when the chain cannot be reached, Errors when a transfer was
// refused (e.g. the payer's balance is short); `fleet` then still lists what was sent, so
// the caller can write it down.
[[nodiscard]] Expected<void, RunError> open_channels(const Options& options,
                                                     const btt::channel::v1::NodeInfo& node,
                                                     const std::vector<tron::TronAddress>& payees,
                                                     Fleet& fleet, std::ostream& log);

}  // namespace btt::load
