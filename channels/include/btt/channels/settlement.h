#pragma once
// Settlement planning (DESIGN §4): from channels in SETTLING and unclaimed transfers to
// refund, the on-chain payouts of one settlement window. Each channel pays its payee
// accepted - fee and refunds its payer deposit - accepted; fee = floor(accepted * bps /
// 10000) stays with the operator. Payouts to the same (recipient, token) are netted into
// one transfer (into more than one only where the sum would pass INT64_MAX, which no
// input may turn into a plan that cannot be made); zero amounts are dropped; every payout
// records which channel or transfer contributed what, so auditors can re-add it. All
// arithmetic is checked.
// Leaves to node/: choosing which channels are due, building/signing/broadcasting the
// TransferAsset transactions, and marking channels CLOSED when payouts confirm.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <btt/base/expected.h>
#include <btt/channels/channel.h>

namespace btt::channels {

enum class PayoutRole { PayeeShare, PayerRefund, UnclaimedRefund };

struct Contribution {
    PayoutRole role;
    std::optional<ChannelId> channel;   // PayeeShare, PayerRefund
    std::optional<TxId> transfer;       // UnclaimedRefund: the transfer refunded
    Amount amount;
};

struct PlannedPayout {
    tron::TronAddress recipient;
    std::string token_id;
    Amount amount;  // = sum of contributions
    std::vector<Contribution> contributions;
};

struct ChannelSettlement {
    ChannelId channel;
    Amount payee_amount;
    Amount fee;
    Amount refund;
};

struct UnclaimedRefund {
    TxId transfer;
    tron::TronAddress to;  // the sender
    std::string token_id;  // the token it came in
    Amount amount;
};

struct SettlementPlan {
    std::vector<PlannedPayout> payouts;      // sorted by (recipient, token)
    std::vector<ChannelSettlement> channels;  // in input order
    std::map<std::string, Amount> fees_by_token;
};

enum class SettlementError {
    ChannelNotSettling,   // only SETTLING channels are planned
    ProofExceedsDeposit,  // accepted > deposit: the books are already wrong
    DuplicateChannel,     // the same channel twice in one plan
    DuplicateRefund,      // the same unclaimed transfer twice
    BadFeeRate,           // bps > 10000
    Overflow,             // a token's fees sum past INT64_MAX
};

[[nodiscard]] const char* error_token(SettlementError e) noexcept;

// floor(amount * bps / 10000) without overflow; nullopt for bps > 10000.
[[nodiscard]] std::optional<Amount> fee_for(Amount amount, std::uint32_t fee_bps);

// The split of one channel; nullopt if accepted > deposit or bps > 10000.
[[nodiscard]] std::optional<ChannelSettlement> split_channel(const Channel& channel,
                                                             std::uint32_t fee_bps);

[[nodiscard]] Expected<SettlementPlan, SettlementError> plan_settlement(
    std::span<const Channel> channels, std::span<const UnclaimedRefund> refunds,
    std::uint32_t fee_bps);

}  // namespace btt::channels
