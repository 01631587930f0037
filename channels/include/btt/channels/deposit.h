#pragma once
// What a confirmed TRC-10 transfer to the escrow means (DESIGN §3, §8 "Memos"): it opens
// a channel, tops one up, is held for the operator (it came from a peer escrow), or is
// unclaimed and must be refunded to its sender in the token it came in. Nothing sent to
// the escrow is ever silently kept.
//
// Decides: the classification and the channel or top-up that results. Leaves to node/:
// confirming the transfer (solidified, SUCCESS), TRX transfers (never refunded: they pay
// the escrow's fees), remembering what was classified, and refunding.

#include <functional>
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

enum class UnclaimedReason {
    NotToEscrow,          // precondition broken: to is not the escrow (should not reach here)
    ZeroAmount,
    WrongToken,
    BadMemo,              // not exactly one of the memo forms
    PayeeIsEscrow,        // payee is our escrow or a peer escrow
    BelowMinimumDeposit,
    ExpiryOutOfRange,     // expiry - block time outside [min, max] horizon
    UnknownChannel,       // top-up of a channel that does not exist
    TopUpNotFromPayer,
    ChannelNotOpen,       // top-up of a channel not OPEN (or already expired)
    DepositOverflow,      // top-up would pass INT64_MAX
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
};

using DepositOutcome = std::variant<OpenChannel, TopUp, HeldForOperator, Unclaimed>;

// Looks up an existing channel (nullptr: none). Supplied by node/.
using ChannelLookup = std::function<const Channel*(const ChannelId&)>;

// Classifies one transfer. Pure: never mutates the looked-up channel (apply the TopUp's
// new_deposit yourself).
[[nodiscard]] DepositOutcome classify_deposit(const Rules& rules, const IncomingTransfer& transfer,
                                              const ChannelLookup& lookup);

}  // namespace btt::channels
