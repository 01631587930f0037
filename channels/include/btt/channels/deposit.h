#pragma once
// What a confirmed TRC-10 transfer to the escrow means (DESIGN §3, §8 "Memos"): it opens
// a channel, tops one up, is held for the operator (it came from a peer escrow), or is
// unclaimed and must be refunded to its sender in the token it came in. Nothing sent to
// the escrow is ever silently kept.
//
// Decides: the classification and the channel or top-up that results. Leaves to node/:
// confirming the transfer (solidified, SUCCESS), fetching the channel a top-up names
// (topup_target) before classifying, TRX transfers (never refunded: they pay the escrow's
// fees), remembering what was classified, and refunding.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <btt/base/bytes.h>
#include <btt/channels/channel.h>
#include <btt/channels/rules.h>

namespace btt::channels {

struct IncomingTransfer {
    TxId txid;
    tron::TronAddress from;  // the transfer's owner
    tron::TronAddress to;
    std::string token_id;    // TransferAssetContract.asset_name
    Amount amount;
    Bytes memo;              // raw_data.data
    UnixSeconds block_time;
};

// Why a transfer is refunded. The numbers are stored in PostgreSQL: append only, never
// renumber.
enum class UnclaimedReason : std::uint8_t {
    ZeroAmount = 1,
    WrongToken = 2,
    BadMemo = 3,              // not exactly one of the memo forms
    PayeeIsEscrow = 4,        // payee is our escrow or a peer escrow
    BelowMinimumDeposit = 5,
    ExpiryOutOfRange = 6,     // expiry - block time outside [min, max] horizon
    UnknownChannel = 7,       // top-up of a channel that does not exist
    TopUpNotFromPayer = 8,
    ChannelNotOpen = 9,       // top-up of a channel not OPEN (or already expired)
    DepositOverflow = 10,     // top-up would pass INT64_MAX
};

[[nodiscard]] const char* reason_token(UnclaimedReason r) noexcept;

struct OpenChannel {
    Channel channel;
};
struct TopUp {
    ChannelId channel;
    Amount amount;
    Amount new_deposit;
};
struct HeldForOperator {};  // from a peer escrow: neither opened nor refunded
struct Unclaimed {
    UnclaimedReason reason;
    // Recorded and held for the operator instead of refunded (DESIGN §10): a token other
    // than rules.token_id (its refund could fail or overflow and hold payouts), or less
    // than rules.min_refund. AdminService lists it; RefundUnclaimed pays it back.
    bool held = false;
};

using DepositOutcome = std::variant<OpenChannel, TopUp, HeldForOperator, Unclaimed>;

// The channel a well-formed top-up memo names, else nullopt (opens and bad memos): the
// channel node/ fetches before calling classify_deposit.
[[nodiscard]] std::optional<ChannelId> topup_target(ByteView memo);

// Classifies one transfer to the escrow. `existing` is the channel named by a top-up memo
// (topup_target), nullptr when no such channel exists; it is ignored for any other memo.
// Returns HeldForOperator for a peer escrow's transfer, else OpenChannel, TopUp, or
// Unclaimed with the first reason that applies, checked in this order: ZeroAmount,
// WrongToken, BadMemo; for an open PayeeIsEscrow, BelowMinimumDeposit, ExpiryOutOfRange;
// for a top-up UnknownChannel, TopUpNotFromPayer, ChannelNotOpen, WrongToken (not the
// channel's token), DepositOverflow. An Unclaimed is `held` when its token is not
// rules.token_id or its amount is under rules.min_refund.
// Preconditions (our bugs, BTT_ASSERT): transfer.to == rules.escrow (node/ only hands in
// transfers to its escrow); `existing`, when given for a top-up, has the memo's channel id.
// Pure: never mutates `existing` (apply the TopUp's new_deposit yourself), no I/O.
[[nodiscard]] DepositOutcome classify_deposit(const Rules& rules, const IncomingTransfer& transfer,
                                              const Channel* existing);

}  // namespace btt::channels
