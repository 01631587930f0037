#pragma once
// The records of the ledger export, schema "btt-ledger/1" (DESIGN §9 "Operators and
// auditors"; issue 12). One JSON object per line; the first line is the header. Record
// types and field names are a contract with auditors' own tools: add fields and types,
// never rename. The JSON form of each field is in jsonl.h; the README documents them all.
//
// Lines come in this order, so a verifier can check the whole file in one pass:
//   header; deposit* (block, txid); channel* (opened_block, channel_id);
//   then per receipt batch, by seq: batch, its proof* in leaf order;
//   close* (at, channel_id); settlement* (batch_id, channel_id); payout* (payout_id).
//
// The structs hold parsed, already-valid values (ids, addresses, amounts, signatures): a
// line that does not parse into them is malformed input, not a failed check.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <btt/base/bytes.h>
#include <btt/channels/amount.h>
#include <btt/channels/channel.h>
#include <btt/channels/ids.h>
#include <btt/channels/lifecycle.h>
#include <btt/channels/settlement.h>
#include <btt/tron/address.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/keys.h>

namespace btt::ledger {

inline constexpr std::string_view kSchema = "btt-ledger/1";

// The first line: what the rest is checked against.
struct HeaderRecord {
    std::string schema{kSchema};
    tron::TronAddress escrow_address;
    tron::TronAddress receipt_address;    // signs every receipt batch header
    std::string token_id;                 // the token the node settles
    std::uint32_t fee_bps = 0;            // the node's current rate (settlements carry their own)
    std::optional<std::string> chain_id;  // lowercase hex id of the chain's genesis block
    std::int64_t exported_at = 0;         // Unix seconds
    std::int64_t solid_block = -1;        // the watcher's cursor: last solidified block applied
    std::optional<Hash32> solid_block_id;
    // What the exporter wrote after the header, so that a file cut short at a line boundary
    // is refused: the number of lines, and the last receipt batch's seq (0: no batch).
    // Optional for files of other exporters; ours always writes both.
    std::optional<std::uint64_t> records;
    std::optional<std::uint64_t> last_batch_seq;
};

// What a transfer to the escrow meant (stored numbers 1..4 of deposits.outcome).
enum class DepositOutcome { Open, TopUp, Held, Unclaimed };

struct DepositRecord {
    channels::TxId txid;
    tron::TronAddress from;
    channels::Amount amount;
    std::string token_id;
    std::int64_t block = 0;
    std::int64_t block_time = 0;  // Unix seconds
    Bytes memo;                   // raw_data.data as sent (JSON: lowercase hex)
    DepositOutcome outcome = DepositOutcome::Unclaimed;
    std::optional<channels::ChannelId> channel_id;  // Open and TopUp only
    std::optional<std::string> unclaimed_reason;    // Unclaimed only: deposit.h's token
    std::optional<std::uint64_t> refund_batch_id;   // the settlement batch that refunds it
    // Unclaimed and held for the operator (a foreign token or under channels.min_refund,
    // DESIGN §10): not refunded until an operator releases it. Absent in older exports.
    bool held = false;
};

struct ChannelRecord {
    channels::ChannelId channel_id;
    tron::TronAddress payer;
    tron::TronAddress payee;
    std::string token_id;
    channels::Amount deposit;   // funding + top-ups
    channels::Amount accepted;  // last accepted cumulative amount (0: none)
    std::int64_t expiry = 0;
    std::int64_t opened_at = 0;
    std::int64_t opened_block = 0;
    channels::ChannelState state = channels::ChannelState::Open;
    std::optional<channels::CloseCause> close_cause;
    std::optional<std::int64_t> settle_at;
};

struct ProofRecord {
    channels::ChannelId channel_id;
    channels::Amount amount;  // cumulative
    tron::Signature signature{};
    std::int64_t received_at = 0;
    std::uint64_t batch_seq = 0;
    std::uint32_t leaf_index = 0;
};

struct BatchRecord {
    tron::BatchHeader header;  // seq, prev_hash, leaf_count, root
    tron::Signature signature{};
    std::optional<std::int64_t> committed_at;
};

struct CloseRecord {
    channels::ChannelId channel_id;
    channels::Party party = channels::Party::Payer;
    tron::Signature signature{};
    std::int64_t at = 0;
};

struct SettlementRecord {
    channels::ChannelId channel_id;
    std::uint64_t batch_id = 0;
    std::uint32_t fee_bps = 0;
    channels::Amount deposit;
    channels::Amount accepted;
    channels::Amount fee;
    channels::Amount payee_amount;
    channels::Amount refund;
};

struct ContributionRecord {
    channels::PayoutRole role = channels::PayoutRole::PayeeShare;
    std::optional<channels::ChannelId> channel_id;  // PayeeShare, PayerRefund
    std::optional<channels::TxId> transfer_txid;    // UnclaimedRefund
    channels::Amount amount;
};

// Stored numbers 1..3 of payouts.state.
enum class PayoutState { Planned, Signed, Confirmed };

struct PayoutRecord {
    std::uint64_t payout_id = 0;
    std::uint64_t batch_id = 0;
    std::optional<channels::TxId> txid;  // confirmed, else the live signed attempt, else none
    tron::TronAddress recipient;
    std::string token_id;
    channels::Amount amount;
    std::optional<std::int64_t> block;  // the solidified block it is confirmed in
    PayoutState state = PayoutState::Planned;
    std::vector<ContributionRecord> contributions;
};

// A record type this reader does not know (a later minor addition): kept, never checked.
struct UnknownRecord {
    std::string type;
};

using Record = std::variant<HeaderRecord, DepositRecord, ChannelRecord, ProofRecord, BatchRecord,
                            CloseRecord, SettlementRecord, PayoutRecord, UnknownRecord>;

// "header", "deposit", "channel", "proof", "batch", "close", "settlement", "payout", or the
// unknown record's own type.
[[nodiscard]] std::string type_of(const Record& r);
// What names the record in a report: deposit txid, channel id, "<channel>:<amount>" for a
// proof, batch seq, "<channel>:<party>" for a close, settlement channel id, payout id.
[[nodiscard]] std::string id_of(const Record& r);

// Tokens of the text forms (stable: part of the format).
[[nodiscard]] const char* outcome_token(DepositOutcome o) noexcept;  // open|topup|held|unclaimed
[[nodiscard]] const char* party_token(channels::Party p) noexcept;   // payer|payee
[[nodiscard]] const char* role_token(
    channels::PayoutRole r) noexcept;  // payee_share|payer_refund|unclaimed_refund
[[nodiscard]] const char* payout_state_token(PayoutState s) noexcept;  // planned|signed|confirmed

[[nodiscard]] std::optional<DepositOutcome> parse_outcome(std::string_view token);
[[nodiscard]] std::optional<channels::Party> parse_party(std::string_view token);
[[nodiscard]] std::optional<channels::PayoutRole> parse_role(std::string_view token);
[[nodiscard]] std::optional<PayoutState> parse_payout_state(std::string_view token);
// "OPEN".."CLOSED" and the close-cause tokens of channel.h.
[[nodiscard]] std::optional<channels::ChannelState> parse_state(std::string_view token);
[[nodiscard]] std::optional<channels::CloseCause> parse_cause(std::string_view token);

}  // namespace btt::ledger
