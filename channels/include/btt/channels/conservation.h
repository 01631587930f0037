#pragma once
// The books must balance (DESIGN §5 "Conservation", §8; issue 11), checked over what node/
// STORES, by code that did not do the work (as rippled's InvariantCheck). The planner
// (settlement.h) computes each split as floor(accepted * bps / 10000) and nets the shares;
// this file never calls it (no split_channel, fee_for or plan_settlement) and re-derives
// nothing the planner's way. Instead it checks, row by row:
//   - every channel's accepted proof is within its deposit;
//   - every stored settlement (the split kept with the plan, so a later fee change never
//     rewrites history) belongs to a known SETTLING or CLOSED channel, at most once, and
//     adds up: payee_amount + fee = accepted, + refund = deposit, and the fee is the floor
//     of accepted * fee_bps / 10000, verified as a bracket in 128-bit arithmetic
//     (fee * 10000 <= accepted * fee_bps < (fee + 1) * 10000);
//   - every payout equals the sum of its contributions, each contribution comes from a
//     stored settlement (or unclaimed transfer), goes to the right party in the right token
//     for exactly the stored amount, and no source contributes twice in one role;
// and then, per token, the identity with each term from a different source:
//   deposits (channels) = payee payouts (PayeeShare contributions) + fees (settlements)
//                       + payer refunds (PayerRefund contributions)
//                       + still held (deposits of channels with no settlement),
// which is what catches a settled channel whose payout was never stored. Unclaimed
// transfers are not deposits: they are totalled apart, and their stored refunds must be
// exactly those of the transfers marked refund_planned.
//
// node/ runs it after every settlement plan and before any payout is signed; on failure it
// stops SIGNING PAYOUTS (fail closed) and says why (message()); intake goes on, since
// accepting proofs moves no money. `bttctl audit` runs it over history. Reconciliation
// against the chain (escrow balance >= liabilities) is node/'s, not this file's.
//
// Pure: no I/O, clock or randomness; never throws in normal operation.

#include <cstdint>
#include <map>
#include <optional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <btt/base/expected.h>
#include <btt/channels/amount.h>
#include <btt/channels/channel.h>
#include <btt/channels/ids.h>
#include <btt/channels/settlement.h>  // PayoutRole only
#include <btt/tron/address.h>

namespace btt::channels {

// A channel as stored (the fields of Channel that money depends on).
struct LedgerChannel {
    ChannelId id;
    tron::TronAddress payer;
    tron::TronAddress payee;
    std::string token_id;
    Amount deposit;   // funding + top-ups
    Amount accepted;  // last accepted cumulative proof
    ChannelState state = ChannelState::Open;
};

// The split stored with a settlement plan, one per planned channel: what the planner
// decided at the fee rate of that plan.
struct StoredSettlement {
    ChannelId channel;
    std::uint32_t fee_bps = 0;  // the rate the plan used
    Amount accepted;            // the channel's accepted amount when planned
    Amount fee;
    Amount payee_amount;
    Amount refund;
};

// One stored line of a payout: which channel (PayeeShare, PayerRefund) or unclaimed
// transfer (UnclaimedRefund) paid how much into it.
struct StoredContribution {
    PayoutRole role = PayoutRole::PayeeShare;
    std::optional<ChannelId> channel;  // PayeeShare, PayerRefund
    std::optional<TxId> transfer;      // UnclaimedRefund
    Amount amount;
};

// A stored payout (one netted TransferAsset), whatever its signing or confirmation state.
struct StoredPayout {
    std::uint64_t id = 0;
    tron::TronAddress recipient;
    std::string token_id;
    Amount amount;
    std::vector<StoredContribution> contributions;
};

// A transfer to the escrow that opened or topped up nothing, owed back to its sender.
struct StoredUnclaimed {
    TxId transfer;
    tron::TronAddress sender;
    std::string token_id;
    Amount amount;
    bool refund_planned = false;  // a stored payout refunds it
};

// A per-token total of stored amounts, in 128 bits (DESIGN §10): each row is at most
// 2^63-1, so no number of rows the database can hold makes it wrap. Anyone can send the
// escrow a self-issued token in amounts near 2^63; summed in int64 two such transfers
// would stop the books, and every payout with them, for good.
class Total {
public:
    constexpr Total() = default;
    constexpr void add(Amount a) { m_value += a.value(); }
    [[nodiscard]] constexpr Total plus(const Total& other) const {
        Total t = *this;
        t.m_value += other.m_value;
        return t;
    }
    [[nodiscard]] constexpr bool operator==(const Total& o) const { return m_value == o.m_value; }
    [[nodiscard]] constexpr bool operator<(const Total& o) const { return m_value < o.m_value; }
    [[nodiscard]] constexpr bool operator>(const Total& o) const { return o < *this; }
    [[nodiscard]] constexpr bool operator==(Amount a) const { return m_value == a.value(); }
    // May be negative: a difference of two totals (liabilities = incoming - paid).
    [[nodiscard]] constexpr Total minus(const Total& other) const {
        Total t = *this;
        t.m_value -= other.m_value;
        return t;
    }
    [[nodiscard]] constexpr bool is_negative() const { return m_value < 0; }
    // Clamped into int64, for report fields that the fixed API types as int64.
    [[nodiscard]] constexpr std::int64_t saturated() const {
        constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
        constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
        if (m_value > kMax) return kMax;
        if (m_value < kMin) return kMin;
        return static_cast<std::int64_t>(m_value);
    }
    // The decimal digits (a total may exceed what an Amount holds).
    [[nodiscard]] std::string to_string() const;
    // Unsigned decimal digits, as SQL prints a numeric sum of amounts (no sign, point or
    // exponent); nullopt for anything else or past 2^127 - 1.
    [[nodiscard]] static std::optional<Total> from_decimal(std::string_view digits);

private:
    __extension__ __int128 m_value = 0;
};

// Per token. deposits = payee_payouts + fees + refunds + held always holds in a result.
struct Books {
    Total deposits;           // every channel's deposit
    Total payee_payouts;      // PayeeShare contributions
    Total fees;               // stored settlement fees (kept by the operator)
    Total refunds;            // PayerRefund contributions
    Total held;               // deposits of channels with no settlement yet
    Total unclaimed;          // every unclaimed transfer; outside the equation
    Total unclaimed_refunds;  // UnclaimedRefund contributions (<= unclaimed)
};

struct ConservationError {
    // Tokens (kind_token) are for logs, metrics and `bttctl audit`: never rename.
    enum class Kind {
        ProofExceedsDeposit,   // a channel's accepted amount is above its deposit
        SplitMismatch,         // a settlement's accepted differs from its channel's, or
                               // payee_amount + fee != accepted, or + refund != deposit
        FeeMismatch,           // fee != floor(accepted * fee_bps / 10000), or fee_bps > 10000
        PayoutSumMismatch,     // a payout's amount is not the sum of its contributions
        UnknownChannel,        // a settlement or contribution names a channel that is not
                               // stored (contributions: that has no stored settlement)
        UnknownTransfer,       // a refund contribution names no stored unclaimed transfer
        DoubleContribution,    // a channel settled twice, a channel or transfer contributing
                               // twice in one role, or a channel or payout stored twice
        ContributionMismatch,  // a contribution differs from its source's stored amount or
                               // token, or refunds a transfer not marked refund_planned
        WrongRecipient,        // a contribution sits in a payout to someone else
        OpenChannelPaid,       // an OPEN or CLOSING channel has a settlement
        Overflow,              // a row's own sum (payee_amount + fee + refund) passes
                               // INT64_MAX; totals are 128-bit and never overflow
        BooksUnbalanced,       // the per-token identity, or the unclaimed refunds, do not hold
    };
    Kind kind;
    std::string detail;  // the channel id (hex), payout id, transfer (hex) or token concerned
    // "conservation violated: <sentence> (<detail>)", for the log line and the alert.
    [[nodiscard]] std::string message() const;
};

// "proof_exceeds_deposit", "split_mismatch", "fee_mismatch", "payout_sum_mismatch",
// "unknown_channel", "unknown_transfer", "double_contribution", "contribution_mismatch",
// "wrong_recipient", "open_channel_paid", "overflow", "books_unbalanced".
[[nodiscard]] const char* kind_token(ConservationError::Kind k) noexcept;

// Checks the stored ledger of one escrow: every channel, every stored settlement, every
// stored payout (planned, signed or confirmed) and every unclaimed transfer.
// Returns: the books per token (every token of a channel or unclaimed transfer), or the
//   first violation found. Rows are checked in this order: channels, settlements, payouts
//   (each contribution before its payout's sum), then the per-token totals; so one
//   tampered row yields one definite kind. Zero-amount contributions may be absent (the
//   planner drops zero payouts): their absence is no violation.
// Never reads anything but its arguments. The books of a clean ledger do not depend on the
// order of the rows.
[[nodiscard]] Expected<std::map<std::string, Books>, ConservationError> check_conservation(
    std::span<const LedgerChannel> channels, std::span<const StoredSettlement> settlements,
    std::span<const StoredPayout> payouts, std::span<const StoredUnclaimed> unclaimed);

}  // namespace btt::channels
