#pragma once
// The reads behind AdminService and AuditService, in the store's own structs (rpc/to_proto
// turns them into the API's messages). Each call is one read-only transaction, so an answer
// is one snapshot, on a connection taken from a small pool: the services never open a
// connection per call. Every filter value reaches PostgreSQL as a $n parameter, and every
// list call runs a fixed number of queries whatever its page size:
//   list_channels 1, list_settlement_batches 4, list_payouts 3, payout 3,
//   channel_history 8, list_receipt_batches 1, list_settlements 1.
// The filters are typed, so a value that is not one (an address that does not parse, an
// unknown state) is refused by the caller before anything is read.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <btt/base/expected.h>
#include <btt/channels/channel.h>
#include <btt/channels/ids.h>
#include <btt/tron/address.h>

namespace btt::node {

struct ReadError {
    enum class Kind {
        Unavailable,  // the database cannot be reached: retry
        RolledBack,   // the read lost a race (serialization failure, deadlock): retry
        Internal,     // a stored row that does not parse, or our bug: see the detail
    };
    Kind kind;
    std::string detail;
};

template <typename T>
using ReadResult = Expected<T, ReadError>;

// Byte fields below are raw bytes in a std::string, as the API carries them.

struct ChannelFilter {
    std::optional<channels::ChannelState> state;
    std::optional<tron::TronAddress> payer;
    std::optional<tron::TronAddress> payee;
    std::int64_t opened_from = 0;   // Unix seconds; 0: no bound (also for the three below)
    std::int64_t opened_to = 0;     // exclusive
    std::int64_t settled_from = 0;  // the settlement batch's planned_at
    std::int64_t settled_to = 0;    // exclusive
    std::optional<channels::ChannelId> after;  // the page token: the last id already seen
    std::uint32_t limit = 100;
};

struct ChannelPage {
    std::vector<channels::Channel> channels;  // in channel id order
    bool more = false;                        // another page follows the last one here
};

struct PayoutAttemptRow {
    std::string txid;
    std::uint32_t attempt = 0;
    int state = 0;  // payout_attempts.state (the API's AttemptState numbers)
    std::int64_t block = 0;
    std::int64_t signed_at = 0;
    std::int64_t expiration = 0;  // Unix seconds
};

struct PayoutContributionRow {
    std::string role;  // payee_share|payer_refund|unclaimed_refund
    std::string channel_id;
    std::string transfer_txid;
    std::int64_t amount = 0;
};

struct PayoutRow {
    std::uint64_t payout_id = 0;
    std::uint64_t batch_id = 0;
    std::string recipient;  // base58
    std::string token_id;
    std::int64_t amount = 0;
    int state = 0;       // payouts.state (the API's PayoutState numbers)
    std::string txid;    // the confirmed attempt's, else the live one's, else empty
    std::int64_t block = 0;
    std::vector<PayoutAttemptRow> attempts;  // in attempt order
    std::vector<PayoutContributionRow> contributions;
};

struct SettlementBatchRow {
    std::uint64_t batch_id = 0;
    std::uint32_t fee_bps = 0;
    std::int64_t planned_at = 0;
    std::uint32_t channels = 0;
    std::vector<PayoutRow> payouts;  // in payout id order
};

struct SettlementRow {
    std::string channel_id;
    std::uint64_t batch_id = 0;
    std::uint32_t fee_bps = 0;
    std::int64_t deposit = 0;
    std::int64_t accepted = 0;
    std::int64_t fee = 0;
    std::int64_t payee_amount = 0;
    std::int64_t refund = 0;
    std::int64_t planned_at = 0;
};

struct DepositRow {
    std::string txid;
    std::string from;  // base58
    std::int64_t amount = 0;
    std::string token_id;
    std::int64_t block = 0;
    std::int64_t block_time = 0;
    std::string memo;
    std::string outcome;           // open|topup|held|unclaimed
    std::string unclaimed_reason;  // empty unless unclaimed
};

struct ProofHistoryRow {
    std::int64_t amount = 0;
    std::string signature;
    std::int64_t received_at_us = 0;
    std::uint64_t batch_seq = 0;
    std::uint32_t leaf_index = 0;
};

struct CloseRow {
    std::string party;  // payer|payee
    std::string signature;
    std::int64_t at = 0;
};

struct ChannelHistoryRows {
    channels::Channel channel;
    std::vector<DepositRow> deposits;  // in block order
    std::vector<ProofHistoryRow> proofs;      // in amount order
    std::optional<CloseRow> close;     // the first party's request
    std::optional<SettlementRow> settlement;
    std::vector<PayoutRow> payouts;  // those carrying a share of this channel
};

struct ReceiptBatchRow {
    std::uint64_t seq = 0;
    std::string prev_hash;
    std::uint32_t leaf_count = 0;
    std::string root;
    std::string signature;
    std::string batch_hash;
    std::int64_t committed_at = 0;
};

class ConnectionPool;

// Safe to call from any number of threads at once (each call holds its own connection).
class OpsReads {
public:
    // Connects lazily: a node whose database is down at a call answers that call with
    // Unavailable and the next one tries again.
    explicit OpsReads(std::string database_url);
    ~OpsReads();
    OpsReads(const OpsReads&) = delete;
    OpsReads& operator=(const OpsReads&) = delete;

    static constexpr std::uint32_t kMaxChannelPage = 1000;
    static constexpr std::uint32_t kMaxBatchPage = 500;
    static constexpr std::uint32_t kMaxPayoutPage = 1000;
    static constexpr std::uint32_t kMaxReceiptBatches = 1000;
    static constexpr std::uint32_t kMaxSettlements = 1000;

    [[nodiscard]] ReadResult<ChannelPage> list_channels(const ChannelFilter& filter);
    // The newest `limit` batches with an id below `before_batch` (0: no bound).
    [[nodiscard]] ReadResult<std::vector<SettlementBatchRow>> list_settlement_batches(
        std::uint32_t limit, std::uint64_t before_batch);
    // The newest `limit` payouts in `state` (nullopt: any) with an id below `before_payout`.
    [[nodiscard]] ReadResult<std::vector<PayoutRow>> list_payouts(std::uint32_t limit,
                                                                  std::optional<int> state,
                                                                  std::uint64_t before_payout);
    // nullopt: no such payout.
    [[nodiscard]] ReadResult<std::optional<PayoutRow>> payout(std::uint64_t payout_id);
    // nullopt: no such channel. One REPEATABLE READ snapshot: the parts agree.
    [[nodiscard]] ReadResult<std::optional<ChannelHistoryRows>> channel_history(
        const channels::ChannelId& id);
    // Batches with from_seq <= seq < to_seq (0: no upper bound), at most kMaxReceiptBatches.
    [[nodiscard]] ReadResult<std::vector<ReceiptBatchRow>> list_receipt_batches(
        std::uint64_t from_seq, std::uint64_t to_seq);
    // Settlements planned in [from, to) (Unix seconds, 0: no bound), at most kMaxSettlements.
    [[nodiscard]] ReadResult<std::vector<SettlementRow>> list_settlements(std::int64_t from,
                                                                          std::int64_t to);

private:
    std::unique_ptr<ConnectionPool> m_pool;
};

}  // namespace btt::node
