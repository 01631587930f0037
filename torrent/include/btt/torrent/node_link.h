#pragma once
// The seeder's link to its bttnode: looks up the channels payers announce (GetChannel),
// checks each proof itself (the payer's signature, DESIGN §3) and streams it to the node
// (StreamProofs); a proof counts as committed only when the node answers ACCEPTED or
// DUPLICATE with a receipt that verifies against the node's receipt address. Runs on its
// own threads; submit() only enqueues, so libtorrent's network thread never waits on it.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
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

    void work();
    void handle_open(std::uint64_t conn, const OpenMsg& open);
    void handle_proof(std::uint64_t conn, const ProofMsg& proof);
    bool ensure_stream();
    void close_stream();

    std::unique_ptr<btt::channel::v1::ChannelService::Stub> m_stub;
    btt::channel::v1::NodeInfo m_node;
    tron::TronAddress m_payee;
    tron::TronAddress m_receipt_address;
    std::ostream& m_log;
    std::shared_ptr<Hub> m_hub;

    std::mutex m_mutex;  // guards the queue, m_pending and m_stopping
    std::condition_variable m_wake;
    std::deque<Job> m_queue;
    bool m_stopping = false;
    std::map<std::uint64_t, Pending> m_pending;  // request id -> what it was

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
