#pragma once
// Intake's parts, shared by intake.cpp (shards) and committer.cpp (group commit).
#include <deque>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <btt/node/engine/fair_queue.h>
#include <btt/node/engine/intake.h>
#include <btt/node/engine/lru_cache.h>

namespace btt::node {

struct ChannelIdHash {
    std::size_t operator()(const channels::ChannelId& id) const noexcept {
        std::size_t h = 0;
        for (int i = 0; i < 8; ++i)
            h = (h << 8) | id.bytes()[static_cast<std::size_t>(i)];
        return h;  // ids are txids: their bytes are already uniform
    }
};

// A channel as a shard holds it, compact (issue 10: under 512 bytes of memory per open
// channel): the speculative state intake judges against (including proofs not yet
// committed, so a stream can pipeline) and what is durable, to roll back to after a failed
// commit and to show. The rules see a channels::Channel built from it for each judgement
// (view()); the token id is interned per shard, and only the durable signature is kept,
// since only what is durable is ever shown.
struct ChannelEntry {
    tron::TronAddress payer;
    tron::TronAddress payee;
    std::uint16_t token = 0;  // index into Shard::tokens
    channels::ChannelState state = channels::ChannelState::Open;
    channels::ChannelState durable_state = channels::ChannelState::Open;
    std::optional<channels::CloseCause> cause;
    std::optional<channels::CloseCause> durable_cause;
    std::optional<tron::Signature> durable_signature;
    std::uint32_t pending = 0;  // changed in memory, not yet known committed
    channels::Amount deposit;
    channels::Amount accepted;
    channels::Amount durable;
    channels::UnixSeconds opened_at;
    channels::UnixSeconds expiry;
    std::optional<channels::UnixSeconds> settle_at;
    std::optional<channels::UnixSeconds> durable_settle_at;

    ChannelEntry(const channels::Channel& c, std::uint16_t token_index);
    // The speculative channel, as the rules take it.
    [[nodiscard]] channels::Channel view(const channels::ChannelId& id,
                                         const std::string& token_id) const;
    // What is durable, as shown to clients.
    [[nodiscard]] channels::Channel durable_view(const channels::ChannelId& id,
                                                 const std::string& token_id) const;
    // After a rule moved the speculative channel (a proof applied, a lifecycle move).
    void take(const channels::Channel& moved);
    // Back to what is durable (after a failed commit).
    void roll_back();
};

struct Intake::Shard {
    FairQueue<std::function<void()>> work;  // what the posts to `io` run, fairly
    boost::asio::io_context io{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
        io.get_executor()};
    std::thread thread;
    std::unordered_map<channels::ChannelId, ChannelEntry, ChannelIdHash> channels;
    std::vector<std::string> tokens;  // the token ids of `channels` (one, in practice)
    std::uint64_t epoch = 0;          // the committer's epoch this shard's state belongs to

    // Adds the channel unless it is known; a reload (after a failed commit) replaces it.
    void add(const channels::Channel& c);
    void replace(const channels::Channel& c);
    using Slot = std::unordered_map<channels::ChannelId, ChannelEntry, ChannelIdHash>::value_type;
    [[nodiscard]] channels::Channel view(const Slot& e) const {
        return e.second.view(e.first, tokens[e.second.token]);
    }
    [[nodiscard]] channels::Channel durable_view(const Slot& e) const {
        return e.second.durable_view(e.first, tokens[e.second.token]);
    }

private:
    std::uint16_t intern(const std::string& token_id);
};

// What a shard hands the committer: an accepted proof to commit, or a duplicate to answer
// with the receipt of the batch that committed its amount.
struct Intake::Item {
    enum class Kind { Proof, Duplicate, Transition };
    Kind kind = Kind::Proof;
    // Kind::Transition: the move, the close request behind it (if any), and who waits.
    std::optional<TransitionRow> transition;
    std::function<void(CloseReply)> on_transition;
    channels::ChannelId channel;
    channels::Amount amount;
    tron::Signature signature{};
    std::int64_t received_at_ms = 0;
    channels::ChannelState state = channels::ChannelState::Open;  // when judged
    std::shared_ptr<ReplySink> sink;
    std::uint64_t slot = 0;
    std::uint64_t request_id = 0;
    std::uint64_t epoch = 0;
    Source source = kNodeSource;  // who sent it, for the duplicate answerer's turns
};

// The batch's tree over its receipt messages (DESIGN §3), with the header's root filled in.
CommittedBatch make_committed_batch(tron::BatchHeader header, const tron::Signature& signature,
                                    const std::vector<ProofRow>& leaves);

using RecentBatches = std::vector<std::shared_ptr<const CommittedBatch>>;  // newest first

// Durable now: (channel, amount, signature, how many of its proofs the batch held).
struct CommittedUpdate {
    channels::ChannelId channel;
    channels::Amount amount;
    tron::Signature signature{};
    std::uint32_t proofs = 0;
    std::vector<TransitionRow> transitions;  // in commit order
};

struct Intake::Committer {
    Committer(Intake& owner, tron::PrivateKey key) : intake(owner), receipt_key(std::move(key)) {}
    void run();
    void push(Item item);
    // The committer's half of stop(): commit what is queued, then leave run().
    void finish();

    Intake& intake;
    tron::PrivateKey receipt_key;
    std::unique_ptr<Store> store;
    std::optional<StoredBatch> tip;                            // the newest committed batch
    std::deque<std::shared_ptr<const CommittedBatch>> recent;  // newest first, for duplicates

    std::mutex mutex;
    std::condition_variable wake;
    std::vector<Item> queue;
    std::chrono::steady_clock::time_point oldest;  // when the oldest queued item came
    bool finishing = false;
    std::thread thread;
    // Answers of committed batches are delivered here, in commit order.
    boost::asio::io_context replier{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> replier_guard{
        replier.get_executor()};
    std::thread replier_thread;

private:
    void commit(std::vector<Item>& items);
    // Sets intake down and starts a new epoch; returns it. Before any failed item is
    // answered.
    std::uint64_t begin_recovery();
    void recover(const std::optional<StoredBatch>& attempted,
                 const std::vector<CommittedUpdate>& touched, std::uint64_t epoch);
    void fail(Item& item);
    void answer_stale();
    void post_committed(std::vector<CommittedUpdate> updates);
    bool sleep_for(std::chrono::milliseconds d);
};

// Duplicates (issue 20 defect 6, DESIGN §10): every duplicate the committer meets is
// handed here, with the committer's recent batches, and answered on this thread, never the
// group commit's. Where a (channel, amount) was committed and the batches rebuilt for it
// are kept in bounded LRU caches, so a replay of the same signature (GetChannel shows it
// to anyone) costs a hash look-up; only a miss on both the caches and the recent batches
// reads the database (three reads and a tree rebuild). Bounded in all and per source, and
// served round robin between sources: a replay flood waits behind its own turns and is
// refused `overloaded` before anyone else.
struct Intake::Duplicates {
    explicit Duplicates(Intake& owner) : intake(owner) {}
    // From the committer, once the batch that carried them is committed.
    void hand(std::vector<Item>& dups,
              const std::deque<std::shared_ptr<const CommittedBatch>>& recent);
    void run();
    // Answers what is queued, then leaves run(). After the committer's thread is joined.
    void finish();

    Intake& intake;
    std::unique_ptr<Store> store;
    std::thread thread;

private:
    struct Pending {
        Item item;
        std::shared_ptr<const RecentBatches> recent;
    };
    struct Where {
        std::uint64_t seq = 0;
        std::uint32_t leaf = 0;
    };
    struct KeyHash {
        std::size_t operator()(const std::pair<channels::ChannelId, channels::Amount>& k) const {
            return ChannelIdHash{}(k.first) ^
                   (static_cast<std::size_t>(k.second.value()) * 0x9e3779b97f4a7c15ull);
        }
    };
    using Located = std::pair<std::shared_ptr<const CommittedBatch>, std::uint32_t>;

    void answer(Pending& p);
    void count_reads(std::uint64_t n);
    std::optional<Located> locate(const Item& item, const RecentBatches& recent);
    std::shared_ptr<const CommittedBatch> batch_by_seq(std::uint64_t seq,
                                                       const RecentBatches& recent);

    std::mutex m_mutex;
    std::condition_variable m_wake;
    FairQueue<Pending> m_queue;
    bool m_finishing = false;
    // Only the answerer's thread touches these.
    LruCache<std::pair<channels::ChannelId, channels::Amount>, Where, KeyHash> m_where{65536};
    LruCache<std::uint64_t, std::shared_ptr<const CommittedBatch>> m_batches{64};
};

}  // namespace btt::node
