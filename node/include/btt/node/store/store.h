#pragma once
// The node's PostgreSQL store: the only code that talks to the database (STYLE.md, node/).
// One Store owns one connection and belongs to one thread (libpqxx's rule). Each method is
// one transaction: it commits fully or not at all, and says which failure it was:
//   StoreError::Kind::Unavailable  connection broken or server gone; nothing committed
//   StoreError::Kind::InDoubt      the COMMIT may or may not have happened: never assume,
//                                  read back (last_batch(), cursor()) after reconnecting
//   StoreError::Kind::Refused      the database said no (constraint, bad state): our bug or
//                                  tampering; the transaction was rolled back
// Retryable serialization failures and deadlocks are retried inside (bounded, counted).

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/connection>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/channels/channel.h>
#include <btt/channels/deposit.h>
#include <btt/channels/lifecycle.h>
#include <btt/tron/channel_messages.h>

namespace btt::node {

struct StoreError {
    enum class Kind { Unavailable, InDoubt, Refused };
    Kind kind;
    std::string detail;
    [[nodiscard]] std::string message() const;
};

template <typename T>
using StoreResult = Expected<T, StoreError>;

// What the store's entry points that cannot answer in a StoreResult throw (constructors,
// start-up steps, the tools' commands that take a URL), so that no caller outside store/
// needs libpqxx's types: the server cannot be reached or refused the login (or the URL is
// not one libpq reads) ...
class DatabaseUnreachable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
// ... or the server answered a statement with an error.
class DatabaseFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the node records about itself at first start (node_meta); a later start against
// the same database must match, or the node refuses to run (issue 10).
struct NodeIdentity {
    std::string escrow_address;  // base58
    std::string token_id;
    std::string chain_id;  // lowercase hex id of the chain's genesis block
};

struct ChainCursor {
    std::int64_t block_number = -1;  // last applied solidified block
    Hash32 block_id{};
};

// Fixed numbers stored in deposits.outcome (migration 0002, enum_tokens): append only.
enum class DepositKind : std::int16_t { Open = 1, TopUp = 2, Held = 3, Unclaimed = 4 };

// One classified transfer to the escrow, as stored.
struct DepositRecord {
    channels::TxId txid;
    std::int64_t block_number = 0;
    channels::UnixSeconds block_time;
    tron::TronAddress sender;
    std::string token_id;
    channels::Amount amount;
    Bytes memo;
    DepositKind kind = DepositKind::Unclaimed;
    std::optional<channels::UnclaimedReason> unclaimed_reason;
    std::optional<channels::ChannelId> channel;
    // Held for the operator, not refunded, should it be (or, for a top-up refused at
    // apply time, become) unclaimed: a foreign token or under channels.min_refund.
    bool held = false;
};

// Everything one solidified block changes, applied with the cursor in one transaction.
struct BlockChanges {
    std::int64_t block_number = 0;
    Hash32 block_id{};
    std::vector<DepositRecord> deposits;
    std::vector<channels::Channel> opened;  // new channels
    struct DepositUpdate {
        channels::ChannelId channel;
        channels::Amount new_deposit;
    };
    std::vector<DepositUpdate> topped_up;  // in order; the last one per channel wins
};

// One accepted proof, as stored with its batch.
struct ProofRow {
    channels::ChannelId channel;
    channels::Amount amount;
    tron::Signature signature{};
    std::int64_t received_at_ms = 0;
    std::uint32_t leaf_index = 0;
};

// A committed lifecycle move of one channel (and the close request behind it, if any).
struct TransitionRow {
    channels::ChannelId channel;
    channels::Transition transition;
    std::optional<channels::Party> party;  // who asked (close requests only)
    std::optional<tron::Signature> signature;
    std::int64_t received_at_ms = 0;
};

struct StoredBatch {
    tron::BatchHeader header;
    tron::Signature signature{};
};

struct LeafLocation {
    std::uint64_t batch_seq = 0;
    std::uint32_t leaf_index = 0;
};

class Store {
public:
    // Connects. Throws DatabaseUnreachable when the server cannot be reached (start-up
    // decides what to do).
    explicit Store(const std::string& url);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Writes the identity at first start; afterwards returns a sentence naming the
    // mismatching field when the database belongs to another escrow, token or chain.
    [[nodiscard]] StoreResult<std::optional<std::string>> check_identity(const NodeIdentity& id);

    [[nodiscard]] StoreResult<std::optional<ChainCursor>> cursor();
    // Sets the cursor when none exists yet (first start); no-op otherwise.
    [[nodiscard]] StoreResult<void> init_cursor(const ChainCursor& cursor);

    // Every channel, for intake's in-memory tables. CLOSED ones too: a proof resent to a
    // closed channel must still be answered DUPLICATE or channel_not_open, not
    // unknown_channel, and GetChannel must find it. TODO(#12): evict long-closed channels
    // to a database lookup once memory matters more than that.
    [[nodiscard]] StoreResult<std::vector<channels::Channel>> load_channels();
    // One channel as stored (nullopt: none). A plain read: the watcher classifies a top-up
    // against it, and apply_block decides again, in its own transaction, whether it counts.
    [[nodiscard]] StoreResult<std::optional<channels::Channel>> channel(
        const channels::ChannelId& id);

    // The block's deposits, new channels, deposit updates and the cursor, in one
    // transaction. Refused (nothing written) if the cursor is not at block_number - 1.
    // A top-up counts only if its channel is OPEN in that same transaction (DESIGN §10):
    // intake may have moved it to CLOSING or SETTLING since the watcher classified the
    // transfer, and a deposit raised after a settlement plan would break the books. Such a
    // top-up is stored unclaimed (channel_not_open), refunded by the next settlement
    // window, and named in the answer so the watcher does not hand it to intake.
    struct AppliedBlock {
        std::vector<channels::ChannelId> refused_topups;
    };
    [[nodiscard]] StoreResult<AppliedBlock> apply_block(const BlockChanges& changes);

    // The newest receipt batch (nullopt: none yet).
    [[nodiscard]] StoreResult<std::optional<StoredBatch>> last_batch();
    // One receipt batch, header and signature, and its leaves in leaf order.
    [[nodiscard]] StoreResult<std::optional<StoredBatch>> batch(std::uint64_t seq);
    [[nodiscard]] StoreResult<std::vector<ProofRow>> batch_leaves(std::uint64_t seq);
    // Where the proof (channel, amount) was committed (nullopt: it was not).
    [[nodiscard]] StoreResult<std::optional<LeafLocation>> proof_location(
        const channels::ChannelId& channel, channels::Amount amount);

    // Group commit (issue 10): the proofs of one batch, the latest state of each channel
    // they touch, and the batch header (none when `proofs` is empty), then the lifecycle
    // transitions judged with them, in one transaction. `proofs` are in leaf order.
    // Refused when a channel's stored amount is not below the new one (never lowers) or a
    // transition's channel is not in its `from` state.
    [[nodiscard]] StoreResult<void> commit_batch(
        const StoredBatch& batch, const std::vector<ProofRow>& proofs,
        const std::vector<TransitionRow>& transitions = {});

    // Statements retried after a deadlock or serialization failure (for metrics).
    [[nodiscard]] std::uint64_t retries() const noexcept { return m_retries; }

    // One unit of work on this store's connection (for the other repositories in node/,
    // e.g. SettlementStore), with the same reconnect, retry and error translation.
    template <typename F>
    auto run_unit(F&& body) {
        return run(std::forward<F>(body));
    }

private:
    // Runs one unit of work, reconnecting first if needed, translating exceptions and
    // rerunning the whole unit on a retryable rollback (defined in store_sql.h).
    template <typename F>
    auto run(F&& body);

    std::string m_url;
    std::unique_ptr<pqxx::connection> m_connection;
    std::uint64_t m_retries = 0;
};

}  // namespace btt::node
