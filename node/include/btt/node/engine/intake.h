#pragma once
// Intake (issue 10): balance proofs in, durable acknowledgements with batch receipts out.
//
// Channels are split into shards by channel id; each shard is one Asio executor run by one
// thread, owns its channels' in-memory state, and verifies (the expensive signature
// recovery), judges and applies its proofs in arrival order: no lock is shared on the hot
// path, and shards recover signatures in parallel. Accepted proofs (and duplicates) go to
// one committer, which closes a group-commit batch on size or a short time bound, builds
// its RFC 6962 tree, signs the hash-chained header once with the receipt key, writes
// proofs + latest channel state + header in one transaction, and only then answers.
//
// What is answered before durability: rejections (nothing to store), `overloaded` (the
// shard's queue is full) and `store_unavailable` (PostgreSQL down or a commit failed or
// in doubt). After a failed commit the in-memory state of every shard goes back to what
// is durable (an epoch number invalidates everything judged on top of the lost state), the
// committer reconnects and reads the batch chain back (an in-doubt commit may have
// happened) and intake resumes by itself.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <btt/channels/channel.h>
#include <btt/channels/lifecycle.h>
#include <btt/channels/proof.h>
#include <btt/channels/rules.h>
#include <btt/node/engine/events.h>
#include <btt/node/metrics.h>
#include <btt/node/store/store.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/keys.h>
#include <btt/tron/merkle.h>

namespace btt::node {

// A committed receipt batch; every reply it answers shares it (paths are cut lazily).
struct CommittedBatch {
    tron::BatchHeader header;
    tron::Signature signature{};
    tron::MerkleTree tree;
    std::vector<std::pair<channels::ChannelId, channels::Amount>> leaves;  // leaf order
};

struct ProofReply {
    std::uint64_t request_id = 0;
    channels::Outcome outcome = channels::Outcome::Rejected;
    channels::Reject reason = channels::Reject::Internal;  // when Rejected
    std::uint64_t accepted = 0;  // the channel's accepted amount right after judging
    std::shared_ptr<const CommittedBatch> batch;  // ACCEPTED and DUPLICATE
    std::uint32_t leaf_index = 0;
    std::uint64_t amount = 0;  // what the receipt commits to
};

// Where a proof's reply goes (a stream). Called from engine threads, in any order: the
// stream puts replies back in request order. Must not block.
class ReplySink {
public:
    virtual ~ReplySink() = default;
    virtual void deliver(std::uint64_t slot, ProofReply reply) = 0;
};

// What a close request or force settle came to (CloseChannel maps it to gRPC statuses,
// DESIGN §9).
enum class CloseOutcome {
    Done,              // the transition is committed
    UnknownChannel,    // NOT_FOUND
    BadSignature,      // INVALID_ARGUMENT: malformed, high-S, or nothing recovers
    NotAParty,         // PERMISSION_DENIED: neither payer nor payee signed
    WrongState,        // FAILED_PRECONDITION: SETTLING or CLOSED, or the payer asked twice
    StoreUnavailable,  // UNAVAILABLE: not committed; ask again
    Overloaded,        // RESOURCE_EXHAUSTED: too many requests queued; ask again later
};

struct CloseReply {
    CloseOutcome outcome = CloseOutcome::StoreUnavailable;
    channels::ChannelState state = channels::ChannelState::Open;  // after the request
    std::optional<channels::UnixSeconds> settle_at;
};

struct IntakeOptions {
    std::string database_url;
    channels::Rules rules;       // settle delay and expiry grace for the lifecycle moves
    EventBus* events = nullptr;  // proof_accepted, closing, settling (optional)
    Metrics* metrics = nullptr;  // optional
    unsigned shards = 2;
    std::size_t queue_limit = 65536;  // proofs queued across shards before `overloaded`
    // Clients' close requests and look-ups (GetChannel, WatchChannel) queued across shards
    // before they are refused RESOURCE_EXHAUSTED: each close costs a signature recovery.
    std::size_t request_queue_limit = 4096;
    // Duplicates of amounts older than the committer's recent batches, queued for the
    // duplicate answerer: in all, and per source (a replay flood from one connection is
    // refused `overloaded` before another connection's duplicate is).
    std::size_t duplicate_queue_limit = 16384;
    std::size_t duplicate_queue_per_source = 1024;  // four streams' windows
    std::size_t batch_max = 1000;
    std::chrono::microseconds batch_delay{5000};
};

struct IntakeStats {
    std::atomic<std::uint64_t> accepted{0}, duplicate{0}, rejected{0}, batches{0},
        commit_failures{0};
    // Database reads made to answer duplicates (0 when the caches answer them).
    std::atomic<std::uint64_t> duplicate_reads{0};
};

class Intake {
public:
    using Clock = std::function<channels::UnixSeconds()>;
    // Who asks, for fair scheduling (fair_queue.h): a client connection's key, or
    // kNodeSource for the node's own work (watcher, settler, operator).
    using Source = std::uint64_t;
    static constexpr Source kNodeSource = 0;
    [[nodiscard]] static Source source_of(const std::string& peer);
    Intake(IntakeOptions options, tron::PrivateKey receipt_key, Clock clock);
    ~Intake();
    Intake(const Intake&) = delete;
    Intake& operator=(const Intake&) = delete;

    // Starts the shards and the committer over the channels loaded from the store and the
    // tip of the batch chain (nullopt: no batch yet). Throws if the store is unreachable.
    void start(std::vector<channels::Channel> channels);

    // From gRPC threads; never blocks. The reply reaches `sink` with `slot`.
    void submit(const std::shared_ptr<ReplySink>& sink, std::uint64_t slot,
                std::uint64_t request_id, channels::ProofMsg msg, Source source = kNodeSource);

    // From the chain watcher, after the block that caused them is committed.
    void add_channel(const channels::Channel& channel);
    void set_deposit(const channels::ChannelId& id, channels::Amount deposit);

    // Close requests (DESIGN §4, §8 "Lifecycle") and operator force settle: judged on the
    // channel's shard in arrival order with its proofs, and committed by the committer in
    // the same order, so a transition is never durable before a proof accepted ahead of it.
    // `done` runs once, after the commit (or with the refusal; Overloaded at once when
    // request_queue_limit requests wait).
    void close_channel(const channels::CloseRequest& request, std::function<void(CloseReply)> done,
                       Source source = kNodeSource);
    void force_settle(const channels::ChannelId& id, std::function<void(CloseReply)> done);
    // What time alone does (CLOSING past settle_at, OPEN past expiry + grace), on every
    // shard; the transitions are committed like close requests.
    void advance_time();
    // SETTLING -> CLOSED, once the settlement engine has seen every payout of the channel
    // confirmed: judged on the channel's shard and committed like any other move, so
    // intake's committer stays the only writer of channels.state (issue 25). Refused
    // (WrongState) unless the channel is SETTLING; `done` runs once, after the commit.
    void close_paid(const channels::ChannelId& id, std::function<void(CloseReply)> done);

    // The in-memory state of a channel (what intake judges against), on a shard thread.
    // False, and `done` never runs, when request_queue_limit requests already wait.
    [[nodiscard]] bool lookup(const channels::ChannelId& id,
                              std::function<void(std::optional<channels::Channel>)> done,
                              Source source = kNodeSource);

    void set_paused(bool paused) {
        m_paused.store(paused);
        if (m_options.metrics != nullptr)
            m_options.metrics->intake_paused(paused);
    }
    [[nodiscard]] bool is_paused() const { return m_paused.load(); }
    [[nodiscard]] bool is_store_down() const { return m_store_down.load(); }
    [[nodiscard]] const IntakeStats& stats() const { return m_stats; }

    // From now on submit() answers store_unavailable at once (a retry class: the client
    // goes to the node again once it is back). Call before stop().
    void close();

    // Judges and commits everything already submitted, answers it, and joins the threads.
    // The caller stops submitting first (the gRPC server stops reading).
    void stop();

private:
    struct Shard;
    struct Item;
    struct Committer;
    struct Duplicates;

    [[nodiscard]] std::size_t shard_index(ByteView channel_id) const;
    [[nodiscard]] Shard& shard_of(ByteView channel_id) {
        return *m_shards[shard_index(channel_id)];
    }
    // Every piece of work a shard does goes through its fair queue: one post per item, and
    // each post runs whichever item is next in round-robin order between sources.
    void enqueue(Shard& shard, Source source, std::function<void()> work);
    // Counts a client's close or look-up against request_queue_limit; false: refuse it.
    [[nodiscard]] bool admit_request();
    // True while a failed commit is being recovered and this shard has not yet applied the
    // rollback: what it holds speculatively is about to be taken back, so nothing is
    // judged against it (a refusal must never rest on an amount or a move never stored).
    [[nodiscard]] bool is_rolling_back(const Shard& shard) const;
    void judge_on_shard(Shard& shard, const std::shared_ptr<ReplySink>& sink, std::uint64_t slot,
                        std::uint64_t request_id, const channels::ProofMsg& msg, Source source);
    // The lifecycle moves that go through a shard: a signed close request (`request`
    // holds it), an operator's force settle, and the close of a channel paid out.
    enum class Move { CloseRequest, ForceSettle, PaidOut };
    void transition_on_shard(Shard& shard, const channels::ChannelId& id, Move move,
                             const std::optional<channels::CloseRequest>& request,
                             std::function<void(CloseReply)> done);
    void reply_now(const std::shared_ptr<ReplySink>& sink, std::uint64_t slot,
                   std::uint64_t request_id, channels::Reject reason, std::uint64_t accepted);

    IntakeOptions m_options;
    Clock m_clock;
    std::vector<std::unique_ptr<Shard>> m_shards;
    std::unique_ptr<Committer> m_committer;
    std::unique_ptr<Duplicates> m_duplicates;
    std::atomic<bool> m_paused{false};
    std::atomic<bool> m_store_down{false};
    std::atomic<std::uint64_t> m_epoch{0};
    std::atomic<std::size_t> m_queued{0};
    std::atomic<std::size_t> m_requests_queued{0};
    IntakeStats m_stats;
    bool m_started = false;
    // Held shared by submit() while it posts, exclusively by close(): after close()
    // returns, no proof can reach a shard that stop() has already drained.
    std::shared_mutex m_gate;
    bool m_closed = false;
};

}  // namespace btt::node
