#pragma once
// A client's StreamProofs call, as an independent client would make it: signs with the
// production message builder, writes proofs, reads results (sync API, one reader thread).
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <btt/api/receipt.h>
#include <btt/channels/receipt.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

#include "node_rig.h"

namespace btt::e2e {

inline v1::ProofRequest proof_request(std::uint64_t request_id, const channels::ChannelId& id,
                                      std::uint64_t amount, const tron::PrivateKey& payer) {
    v1::ProofRequest r;
    r.set_request_id(request_id);
    r.set_channel_id(str(id.bytes()));
    r.set_amount(amount);
    const auto sig = tron::sign_message_v2(payer, tron::balance_proof_message(id.bytes(), amount));
    r.set_signature(str(sig));
    return r;
}

// Checks a result's receipt as any client would (channels::verify_batch_receipt).
inline bool receipt_valid(const v1::ProofResult& r, const channels::ChannelId& id,
                          const tron::TronAddress& receipt_address) {
    if (!r.has_receipt())
        return false;
    const auto b = api::receipt_from_proto(r.receipt(), id);
    return b && channels::verify_batch_receipt(*b, receipt_address).has_value();
}

// One stream; results are collected by a reader thread until the stream ends.
class ProofSession {
public:
    explicit ProofSession(v1::ChannelService::Stub& stub,
                          std::chrono::seconds limit = std::chrono::seconds(120)) {
        m_ctx.set_deadline(std::chrono::system_clock::now() + limit);
        m_stream = stub.StreamProofs(&m_ctx);
        m_reader = std::thread([this] {
            v1::ProofResult r;
            while (m_stream->Read(&r)) {
                std::lock_guard lock(m_mutex);
                m_results.push_back(r);
            }
            m_ended = true;
        });
    }
    ~ProofSession() {
        if (m_reader.joinable()) {
            m_ctx.TryCancel();
            m_reader.join();
        }
    }
    bool send(const v1::ProofRequest& r) { return m_stream->Write(r); }
    // Half-closes and waits for every result; the call's final status.
    grpc::Status finish() {
        m_stream->WritesDone();
        m_reader.join();
        return m_stream->Finish();
    }
    // After the node died: the reader ends by itself.
    void abandon() {
        m_ctx.TryCancel();
        if (m_reader.joinable())
            m_reader.join();
    }
    std::vector<v1::ProofResult> results() {
        std::lock_guard lock(m_mutex);
        return m_results;
    }
    std::size_t count() {
        std::lock_guard lock(m_mutex);
        return m_results.size();
    }
    bool wait_for(std::size_t n, std::chrono::seconds limit = std::chrono::seconds(60)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (count() >= n)
                return true;
            if (m_ended)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }

    // Until the server ends the stream (its results all read), at most `limit`.
    bool wait_ended(std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!m_ended && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return m_ended;
    }

private:
    grpc::ClientContext m_ctx;
    std::unique_ptr<grpc::ClientReaderWriter<v1::ProofRequest, v1::ProofResult>> m_stream;
    std::thread m_reader;
    std::mutex m_mutex;
    std::vector<v1::ProofResult> m_results;
    std::atomic<bool> m_ended{false};
};

}  // namespace btt::e2e
