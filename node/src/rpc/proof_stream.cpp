// One StreamProofs call (DESIGN §9): proofs in, one result per proof out, in request order.
//
// Flow control: at most `window` proofs of a stream are in flight; past that the reactor
// stops reading, so a fast client is slowed by gRPC's own flow control instead of being
// answered `overloaded` (DESIGN §9 "limits"). Replies come back from engine threads in any
// order and are put back in request order by a queue that grows with what is in flight
// (an idle stream holds none: DESIGN §10); one write is in flight at a time and the next
// starts from OnWriteDone (gRPC's callback rules).
//
// A connection whose proofs keep failing the `malformed` class (hooks.malformed_allowed)
// loses the stream with RESOURCE_EXHAUSTED: nothing more is read or answered on it.
#include <deque>
#include <mutex>

#include <btt/channels/reject.h>
#include <btt/node/rpc/channel_service.h>

#include "to_proto.h"

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

class ProofStream;

// What the engine holds on to: it outlives the reactor when the client goes away first.
class StreamSink final : public ReplySink {
public:
    explicit StreamSink(ProofStream* stream) : m_stream(stream) {}
    void deliver(std::uint64_t slot, ProofReply reply) override;
    void detach() {
        std::lock_guard lock(m_mutex);
        m_stream = nullptr;
    }

private:
    std::mutex m_mutex;
    ProofStream* m_stream;
};

class ProofStream final : public grpc::ServerBidiReactor<v1::ProofRequest, v1::ProofResult> {
public:
    ProofStream(Intake& intake, std::uint32_t window, Metrics* metrics, StreamHooks hooks)
        : m_intake(intake),
          m_window(window == 0 ? 1 : window),
          m_hooks(std::move(hooks)),
          m_metrics(metrics) {
        if (m_metrics != nullptr)
            m_metrics->active_streams(+1);
        m_sink = std::make_shared<StreamSink>(this);
        StartRead(&m_request);
    }

    void OnReadDone(bool ok) override {
        if (!ok) {  // the client half-closed (or went away): answer what is in flight
            std::optional<grpc::Status> done;
            {
                std::lock_guard lock(m_mutex);
                m_reading_done = true;
                done = finish_now();
            }
            if (done)
                Finish(*done);
            return;
        }
        std::uint64_t slot = 0;
        {
            std::lock_guard lock(m_mutex);
            if (m_exhausted || m_finished)
                return;  // the stream is being finished: read nothing more
            slot = m_next_slot++;
            ++m_in_flight;
        }
        channels::ProofMsg msg;
        msg.channel_id.assign(m_request.channel_id().begin(), m_request.channel_id().end());
        msg.amount = m_request.amount();
        msg.signature.assign(m_request.signature().begin(), m_request.signature().end());
        // Submit before reading on: the next OnReadDone may run on another thread, and a
        // channel's proofs must reach intake in arrival order.
        m_intake.submit(m_sink, slot, m_request.request_id(), std::move(msg), m_hooks.source);
        // Read on, or pause until a reply frees a place in the window (OnWriteDone then
        // reads on). Decided after submit, so no other read can overtake this proof.
        bool read_more = false;
        {
            std::lock_guard lock(m_mutex);
            read_more = m_in_flight < m_window && !m_exhausted && !m_finished;
            m_read_paused = !read_more;
        }
        // gRPC calls (Start*) are made outside the lock: a reaction may run inline.
        if (read_more)
            StartRead(&m_request);
    }

    // From engine threads.
    void put(std::uint64_t slot, v1::ProofResult result, bool malformed) {
        // Judged before taking the stream's lock: the hook takes the connection table's.
        const bool over_limit = malformed && m_hooks.malformed_allowed && !m_hooks.malformed_allowed();
        const v1::ProofResult* write = nullptr;
        std::optional<grpc::Status> done;
        {
            std::lock_guard lock(m_mutex);
            if (over_limit)
                m_exhausted = true;
            const auto at = static_cast<std::size_t>(slot - m_next_write);
            if (m_pending.size() <= at)
                m_pending.resize(at + 1);
            m_pending[at] = std::move(result);
            while (!m_pending.empty() && m_pending.front().has_value()) {
                m_out.push_back(std::move(*m_pending.front()));
                m_pending.pop_front();
                ++m_next_write;
            }
            if (!m_writing && !m_finished && !m_exhausted && !m_out.empty()) {
                m_writing = true;
                write = &m_out.front();  // a deque's front stays put while we push back
            }
            done = finish_now();
        }
        if (write != nullptr)
            StartWrite(write);
        if (done)
            Finish(*done);
    }

    void OnWriteDone(bool ok) override {
        const v1::ProofResult* write = nullptr;
        bool read = false;
        std::optional<grpc::Status> done;
        {
            std::lock_guard lock(m_mutex);
            m_writing = false;
            m_out.pop_front();
            --m_in_flight;
            if (!ok)
                m_broken = true;  // the client is gone
            if (!m_broken && !m_exhausted && m_read_paused && !m_reading_done &&
                m_in_flight < m_window) {
                m_read_paused = false;
                read = true;
            }
            if (!m_broken && !m_exhausted && !m_out.empty()) {
                m_writing = true;
                write = &m_out.front();
            } else {
                done = finish_now();
            }
        }
        if (read)
            StartRead(&m_request);
        if (write != nullptr)
            StartWrite(write);
        if (done)
            Finish(*done);
    }

    void OnDone() override {
        if (m_metrics != nullptr)
            m_metrics->active_streams(-1);
        m_sink->detach();
        if (m_hooks.done)
            m_hooks.done();
        delete this;
    }

    void OnCancel() override {
        std::optional<grpc::Status> done;
        {
            std::lock_guard lock(m_mutex);
            m_broken = true;
            done = finish_now();
        }
        if (done)
            Finish(*done);
    }

private:
    // Finish once: after the client half-closed and every proof is answered, or at once
    // when the client is gone (nothing more can be delivered).
    // Called under the lock; the caller calls Finish() after unlocking (OnDone may run
    // inline and delete this).
    [[nodiscard]] std::optional<grpc::Status> finish_now() {
        if (m_finished || m_writing)
            return std::nullopt;
        if (m_broken) {
            m_finished = true;
            return grpc::Status::CANCELLED;
        }
        if (m_exhausted) {
            m_finished = true;
            return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "too many malformed proofs on this connection");
        }
        if (m_reading_done && m_in_flight == 0) {
            m_finished = true;
            return grpc::Status::OK;
        }
        return std::nullopt;
    }

    Intake& m_intake;
    const std::uint32_t m_window;
    const StreamHooks m_hooks;
    std::shared_ptr<StreamSink> m_sink;
    v1::ProofRequest m_request;

    std::mutex m_mutex;
    // Replies of slots m_next_write, m_next_write + 1, ... (empty until answered).
    std::deque<std::optional<v1::ProofResult>> m_pending;
    Metrics* m_metrics;
    std::deque<v1::ProofResult> m_out;
    std::uint64_t m_next_slot = 0;
    std::uint64_t m_next_write = 0;
    std::uint32_t m_in_flight = 0;
    bool m_read_paused = false;
    bool m_reading_done = false;
    bool m_writing = false;
    bool m_broken = false;
    bool m_exhausted = false;  // over the connection's malformed limit
    bool m_finished = false;
};

void StreamSink::deliver(std::uint64_t slot, ProofReply reply) {
    v1::ProofResult result;
    to_proto(reply, result);  // the audit path is cut here, off the committer's thread
    const bool malformed = reply.outcome == channels::Outcome::Rejected &&
                           channels::class_of(reply.reason) == channels::RejectClass::Malformed;
    std::lock_guard lock(m_mutex);
    if (m_stream != nullptr)
        m_stream->put(slot, std::move(result), malformed);
}

}  // namespace

grpc::ServerBidiReactor<v1::ProofRequest, v1::ProofResult>* make_proof_stream(Intake& intake,
                                                                              std::uint32_t window,
                                                                              Metrics* metrics,
                                                                              StreamHooks hooks) {
    return new ProofStream(intake, window, metrics, std::move(hooks));
}

}  // namespace btt::node
