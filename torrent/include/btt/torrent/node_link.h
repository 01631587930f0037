#pragma once
// The seeder's link to its bttnode: looks up the channels payers announce (GetChannel),
// checks each proof itself (the payer's signature, DESIGN §3) and streams it to the node
// (StreamProofs); a proof counts as committed only when the node answers ACCEPTED or
// DUPLICATE with a receipt that verifies against the node's receipt address. Runs on its
// own threads; submit() only enqueues, so libtorrent's network thread never waits on it.
//
// No payment is lost to a node restart: per channel the link keeps the latest verified
// proof the node has not acknowledged yet and resends it, after a bounded backoff, when the
// stream broke or the node answered a retry-class reason (DESIGN §8: intake_paused,
// overloaded, store_unavailable). Proofs are cumulative, so only the latest one matters, and
// a DUPLICATE of it comes back with the receipt of the batch that committed it. A final
// refusal drops it with one log line.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include <btt/channel/v1/channel.grpc.pb.h>

#include <btt/torrent/hub.h>

namespace btt::torrent {

class NodeLink {
public:
    NodeLink(std::unique_ptr<btt::channel::v1::ChannelService::Stub> stub,
             btt::channel::v1::NodeInfo node, tron::TronAddress payee, std::ostream& log);
    ~NodeLink();
    NodeLink(const NodeLink&) = delete;
    NodeLink& operator=(const NodeLink&) = delete;

    // Must be called once, before submit(): where verdicts go.
    void start(std::shared_ptr<Hub> hub);
    // Thread-safe, never blocks on the network.
    void submit(std::uint64_t conn, const PayMessage& message);
    // Waits (at most `limit`) until every submitted proof has its answer, then stops.
    void stop(std::chrono::milliseconds limit);

private:
    struct Job {
        std::uint64_t conn;
        PayMessage message;
    };
    struct ChannelFacts {
        tron::TronAddress payer;
        std::uint64_t deposit = 0;
    };
    struct Pending {
        std::uint64_t conn;
        channels::ChannelId channel;
        std::uint64_t amount;
    };
    // The latest verified proof of a channel that the node has not acknowledged.
    struct Unacked {
        std::uint64_t conn;
        std::uint64_t amount;
        tron::Signature signature;
        std::uint64_t in_flight = 0;  // request id of the copy on the stream, 0 when none
        bool retry_logged = false;    // its first retry was logged
    };

    void work();
    void handle_open(std::uint64_t conn, const OpenMsg& open);
    void handle_proof(std::uint64_t conn, const ProofMsg& proof);
    bool ensure_stream();
    void close_stream();
    // Worker thread: writes every unacknowledged proof not already on the stream.
    void send_unacked();
    // Reader thread: one answer of the node.
    void on_result(const btt::channel::v1::ProofResult& r);
    // Under m_mutex: resend after the current backoff, and lengthen it (bounded).
    void schedule_retry_locked();

    std::unique_ptr<btt::channel::v1::ChannelService::Stub> m_stub;
    btt::channel::v1::NodeInfo m_node;
    tron::TronAddress m_payee;
    tron::TronAddress m_receipt_address;
    std::ostream& m_log;
    std::shared_ptr<Hub> m_hub;

    std::mutex m_mutex;  // guards everything up to the worker-only fields
    std::condition_variable m_wake;
    std::deque<Job> m_queue;
    bool m_stopping = false;
    std::map<std::uint64_t, Pending> m_pending;  // request id -> what it was
    std::map<channels::ChannelId, Unacked> m_unacked;
    std::map<channels::ChannelId, std::uint64_t> m_acked;  // highest acknowledged amount
    bool m_stream_ended = false;  // the reader saw the stream end: reopen it
    std::optional<std::chrono::steady_clock::time_point> m_retry_at;
    bool m_outage_logged = false;              // until the next acknowledgement
    std::chrono::milliseconds m_backoff{200};  // kFirstBackoff in node_link.cpp

    // Worker thread only.
    std::map<channels::ChannelId, ChannelFacts> m_channels;
    std::map<std::uint64_t, channels::ChannelId> m_conn_channel;
    std::unique_ptr<grpc::ClientContext> m_stream_ctx;
    std::unique_ptr<
        grpc::ClientReaderWriter<btt::channel::v1::ProofRequest, btt::channel::v1::ProofResult>>
        m_stream;
    std::thread m_reader;
    std::uint64_t m_next_request = 0;

    std::thread m_worker;
};

}  // namespace btt::torrent
