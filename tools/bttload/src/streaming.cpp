#include <btt/load/streaming.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

#include <fmt/format.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/load/answer_check.h>
#include <btt/load/node_api.h>

namespace btt::load {

namespace v1 = btt::channel::v1;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kErrorExamples = 10;

// What every stream shares. Each member is either immutable during the run or guarded.
struct Shared {
    const Fleet& fleet;
    ReceiptChecker& receipts;
    std::size_t window;
    bool paced;

    std::mutex mutex;  // guards the members below
    std::condition_variable changed;
    std::size_t done = 0;
    std::vector<std::string> error_examples;

    void note_error(std::string what) {
        std::lock_guard lock(mutex);
        if (error_examples.size() < kErrorExamples)
            error_examples.push_back(std::move(what));
    }
};

class ProofStream final : public grpc::ClientBidiReactor<v1::ProofRequest, v1::ProofResult> {
public:
    ProofStream(Shared& shared, std::size_t index, std::span<const SignedProof> proofs,
                std::vector<std::uint64_t>& last_answered)
        : m_shared(shared), m_index(index), m_proofs(proofs), m_last_answered(last_answered) {
        m_inflight.reserve(shared.window * 2);
    }

    void start(v1::ChannelService::Stub& stub, std::chrono::system_clock::time_point deadline) {
        m_context.set_deadline(deadline);
        stub.async()->StreamProofs(&m_context, this);
        // The hold keeps OnDone from running while writes may still be started from outside
        // a reaction (the pacer); it is released once no write can start any more.
        AddHold();
        StartRead(&m_result);
        StartCall();
        try_write();
    }

    // Pacing: the number of proofs this stream may have started by now.
    void allow(std::uint64_t allowed) {
        {
            std::lock_guard lock(m_mutex);
            if (allowed <= m_allowed)
                return;
            m_allowed = allowed;
        }
        try_write();
    }

    void stop() {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        try_write();
    }

    void cancel() {
        {
            std::lock_guard lock(m_mutex);
            m_cancelled = true;
        }
        m_context.TryCancel();
    }

    [[nodiscard]] bool is_sending_over() const {
        std::lock_guard lock(m_mutex);
        return m_closed || m_stopping || m_next == m_proofs.size();
    }
    [[nodiscard]] std::uint64_t started() const {
        std::lock_guard lock(m_mutex);
        return m_next;
    }

    void add_counts(LiveCounts& c) const {
        c.sent += m_sent.load(std::memory_order_relaxed);
        c.accepted += m_accepted.load(std::memory_order_relaxed);
        c.duplicate += m_duplicate.load(std::memory_order_relaxed);
        c.rejected += m_rejected.load(std::memory_order_relaxed);
        c.errors += m_errors.load(std::memory_order_relaxed);
    }

    // Read only after OnDone (the shared mutex orders them).
    const std::map<std::string, std::uint64_t>& rejected_by_token() const {
        return m_rejected_by_token;
    }
    const LatencyHistogram& latency() const { return m_latency; }
    std::uint64_t unanswered() const { return m_unanswered; }
    std::optional<Clock::time_point> last_answer() const { return m_last_answer; }
    grpc::StatusCode final_code() const {
        std::lock_guard lock(m_mutex);
        return m_final_code;
    }

    void OnWriteDone(bool ok) override {
        bool release = false;
        {
            std::lock_guard lock(m_mutex);
            m_op_pending = false;
            if (!ok)
                m_closed = true;  // the call is over; OnDone will say why
            release = take_release_locked();
        }
        if (ok)
            m_sent.fetch_add(1, std::memory_order_relaxed);
        if (release) {
            RemoveHold();
        } else {
            try_write();
        }
    }

    void OnWritesDoneDone(bool /*ok*/) override {
        bool release = false;
        {
            std::lock_guard lock(m_mutex);
            m_op_pending = false;
            release = take_release_locked();
        }
        if (release)
            RemoveHold();
    }

    void OnReadDone(bool ok) override {
        if (!ok) {
            // The node ended the call (or the transport did): no more answers, no more writes.
            bool release = false;
            {
                std::lock_guard lock(m_mutex);
                m_closed = true;
                release = take_release_locked();
            }
            if (release)
                RemoveHold();
            return;
        }
        on_answer(Clock::now());
        StartRead(&m_result);
        try_write();
    }

    void OnDone(const grpc::Status& status) override {
        std::uint64_t errors = 0;
        {
            std::lock_guard lock(m_mutex);
            m_final_code = status.error_code();
            m_unanswered = m_inflight.size();
            errors = m_unanswered;
            if (m_unanswered > 0) {
                m_shared.note_error(fmt::format(
                    "stream {}: ended with {} proofs unanswered ({}: {})", m_index, m_unanswered,
                    static_cast<int>(status.error_code()), status.error_message()));
            } else if (!status.ok()) {
                ++errors;
                m_shared.note_error(fmt::format("stream {}: ended with status {}: {}{}", m_index,
                                                static_cast<int>(status.error_code()),
                                                status.error_message(),
                                                m_cancelled ? " (cancelled by bttload)" : ""));
            } else if (!m_half_closed) {
                ++errors;
                m_shared.note_error(fmt::format(
                    "stream {}: the node ended the call before the client finished", m_index));
            }
        }
        m_errors.fetch_add(errors, std::memory_order_relaxed);
        std::lock_guard lock(m_shared.mutex);
        ++m_shared.done;
        m_shared.changed.notify_all();
    }

private:
    struct InFlight {
        std::uint32_t proof = 0;  // index into m_proofs
        Clock::time_point sent;
    };

    // True once, when no write can start any more and none is pending: the caller then
    // releases the hold taken in start().
    bool take_release_locked() {
        if (!m_closed || m_op_pending || m_hold_released)
            return false;
        m_hold_released = true;
        return true;
    }

    void try_write() {
        std::unique_lock lock(m_mutex);
        if (m_closed || m_op_pending)
            return;
        if (m_stopping || m_next == m_proofs.size()) {
            // Half-close only when every proof is answered: the node then ends the call.
            if (!m_inflight.empty())
                return;
            m_closed = true;
            m_half_closed = true;
            m_op_pending = true;
            lock.unlock();
            StartWritesDone();
            return;
        }
        if (m_inflight.size() >= m_shared.window)
            return;
        if (m_shared.paced && m_next >= m_allowed)
            return;
        const auto& p = m_proofs[m_next];
        const auto& channel = m_shared.fleet.channels[p.channel].id.bytes();
        const std::uint64_t id = ++m_last_request_id;
        m_request.set_request_id(id);
        m_request.mutable_channel_id()->assign(reinterpret_cast<const char*>(channel.data()),
                                               channel.size());
        m_request.set_amount(p.amount);
        m_request.mutable_signature()->assign(reinterpret_cast<const char*>(p.signature.data()),
                                              p.signature.size());
        m_inflight.emplace(id, InFlight{static_cast<std::uint32_t>(m_next), Clock::now()});
        ++m_next;
        m_op_pending = true;
        lock.unlock();
        StartWrite(&m_request);
    }

    void error(std::string what) {
        m_errors.fetch_add(1, std::memory_order_relaxed);
        m_shared.note_error(fmt::format("stream {}: {}", m_index, what));
    }

    // Reactions of one call's reads never overlap: what only they touch needs no lock.
    void on_answer(Clock::time_point now) {
        m_last_answer = now;
        std::optional<InFlight> sent;
        {
            std::lock_guard lock(m_mutex);
            if (const auto it = m_inflight.find(m_result.request_id()); it != m_inflight.end()) {
                sent = it->second;
                m_inflight.erase(it);
            }
        }
        if (!sent) {
            error(fmt::format("answer to request_id {}, which is not awaiting one",
                              m_result.request_id()));
            return;
        }
        m_latency.record(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now - sent->sent).count()));
        const auto& proof = m_proofs[sent->proof];
        const auto& channel = m_shared.fleet.channels[proof.channel];
        auto& last = m_last_answered[proof.channel];
        if (proof.amount <= last) {
            error(fmt::format("channel {}: the answer for {} came after the answer for {}",
                              channel.id.to_hex(), proof.amount, last));
        }
        last = std::max(last, proof.amount);
        const auto verdict = check_answer(channel.id, proof.amount, m_result, m_shared.receipts);
        switch (verdict.kind) {
            case Verdict::Kind::Accepted:
                m_accepted.fetch_add(1, std::memory_order_relaxed);
                break;
            case Verdict::Kind::Duplicate:
                m_duplicate.fetch_add(1, std::memory_order_relaxed);
                break;
            case Verdict::Kind::Rejected:
                ++m_rejected_by_token[verdict.detail];
                m_rejected.fetch_add(1, std::memory_order_relaxed);
                break;
            case Verdict::Kind::Error:
                error(fmt::format("channel {} amount {} (request {}): {}", channel.id.to_hex(),
                                  proof.amount, m_result.request_id(), verdict.detail));
                break;
        }
    }

    Shared& m_shared;
    const std::size_t m_index;
    const std::span<const SignedProof> m_proofs;
    std::vector<std::uint64_t>& m_last_answered;  // per channel; this stream's channels only
    grpc::ClientContext m_context;
    v1::ProofRequest m_request;  // the one write in flight
    v1::ProofResult m_result;    // the one read in flight

    mutable std::mutex m_mutex;  // guards the members below, up to the counters
    std::unordered_map<std::uint64_t, InFlight> m_inflight;
    std::size_t m_next = 0;  // proofs started
    std::uint64_t m_allowed = 0;
    std::uint64_t m_last_request_id = 0;
    bool m_op_pending = false;  // a write or the half-close is in flight
    bool m_closed = false;      // no write will start any more
    bool m_half_closed = false;
    bool m_stopping = false;
    bool m_cancelled = false;
    bool m_hold_released = false;
    grpc::StatusCode m_final_code = grpc::StatusCode::OK;

    std::atomic<std::uint64_t> m_sent{0}, m_accepted{0}, m_duplicate{0}, m_rejected{0}, m_errors{0};

    // Touched by read reactions only, read after OnDone.
    std::map<std::string, std::uint64_t> m_rejected_by_token;
    LatencyHistogram m_latency;
    std::optional<Clock::time_point> m_last_answer;
    std::uint64_t m_unanswered = 0;
};

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

}  // namespace

StreamResults run_streams(const Options& o, const ProofPlan& plan, const Fleet& fleet,
                          ReceiptChecker& receipts, const ProgressFn& progress) {
    Shared shared{fleet, receipts, o.window, o.rate > 0};
    std::vector<std::uint64_t> last_answered(fleet.channels.size(), 0);
    for (std::size_t c = 0; c < fleet.channels.size(); ++c)
        last_answered[c] = fleet.channels[c].last_sent;

    const std::size_t n = plan.streams.size();
    const double bound_s = o.duration_s > 0 ? o.duration_s
                           : o.rate > 0     ? static_cast<double>(plan.total) / o.rate * 1.5
                                            : 3600.0;
    const auto deadline = std::chrono::system_clock::now() +
                          std::chrono::duration_cast<std::chrono::system_clock::duration>(
                              std::chrono::duration<double>(bound_s + o.drain_timeout_s + 30));

    std::vector<std::shared_ptr<grpc::Channel>> channels;
    std::vector<std::unique_ptr<v1::ChannelService::Stub>> stubs;
    std::vector<std::unique_ptr<ProofStream>> streams;
    for (std::size_t s = 0; s < n; ++s) {
        channels.push_back(make_node_channel(o, true));
        stubs.push_back(v1::ChannelService::NewStub(channels.back()));
        streams.push_back(std::make_unique<ProofStream>(shared, s, plan.streams[s], last_answered));
    }

    const double per_stream_rate = o.rate / static_cast<double>(n);
    const auto t0 = Clock::now();
    for (std::size_t s = 0; s < n; ++s) {
        streams[s]->start(*stubs[s], deadline);
        if (shared.paced)
            streams[s]->allow(1);  // after start(): it may write at once
    }

    // The pacer's tick: about one proof per stream per tick, between 1 and 20 ms (every
    // wake-up costs a context switch, which on a VM is not cheap at low rates).
    const auto tick = shared.paced ? std::chrono::microseconds(static_cast<std::int64_t>(
                                         std::clamp(1e6 / per_stream_rate, 1'000.0, 20'000.0)))
                                   : std::chrono::microseconds(20'000);
    auto next_progress = t0 + std::chrono::milliseconds(100);
    bool stopping = false, cancelled = false, ran_out = false, stalled = false;
    Clock::time_point stop_at{};
    std::uint64_t last_answered_count = 0;
    auto last_answer_seen = t0;
    const auto counts = [&] {
        LiveCounts c;
        for (const auto& s : streams)
            s->add_counts(c);
        return c;
    };
    while (true) {
        {
            std::unique_lock lock(shared.mutex);
            if (shared.changed.wait_for(lock, tick, [&] { return shared.done == n; }))
                break;
        }
        const auto now = Clock::now();
        const double elapsed = seconds_between(t0, now);
        if (shared.paced && !stopping) {
            const auto allowed =
                static_cast<std::uint64_t>(std::floor(per_stream_rate * elapsed)) + 1;
            for (auto& s : streams)
                s->allow(allowed);
        }
        if (!stopping) {
            if (o.duration_s > 0 && elapsed >= o.duration_s) {
                stopping = true;
            } else if (std::all_of(streams.begin(), streams.end(),
                                   [](const auto& s) { return s->is_sending_over(); })) {
                stopping = true;
                ran_out = o.duration_s > 0;
            }
            if (stopping) {
                stop_at = now;
                for (auto& s : streams)
                    s->stop();
            }
        } else if (!cancelled && seconds_between(stop_at, now) > o.drain_timeout_s) {
            cancelled = true;
            for (auto& s : streams)
                s->cancel();
        }
        if (now >= next_progress) {
            next_progress = now + std::chrono::milliseconds(100);
            const auto c = counts();
            if (progress)
                progress(elapsed, c);
            // A node that stops answering without ending the calls would otherwise hold the
            // run until the deadline: after the drain timeout without a single answer while
            // proofs are outstanding, the calls are cancelled.
            const auto answered = c.accepted + c.duplicate + c.rejected + c.errors;
            std::uint64_t started = 0;
            for (const auto& s : streams)
                started += s->started();
            if (answered != last_answered_count || started <= answered) {
                last_answered_count = answered;
                last_answer_seen = now;
            } else if (!cancelled && seconds_between(last_answer_seen, now) > o.drain_timeout_s) {
                cancelled = true;
                stalled = true;
                stopping = true;
                for (auto& s : streams)
                    s->cancel();
            }
        }
    }
    const auto t_end = Clock::now();

    StreamResults r;
    r.counts = counts();
    std::uint64_t started_total = 0;
    for (const auto& s : streams)
        started_total += s->started();
    // The streams may all end on their own (every proof answered) before the loop sees it.
    r.stalled = stalled;
    r.ran_out =
        !stalled && (ran_out || (o.duration_s > 0 && seconds_between(t0, t_end) < o.duration_s &&
                                 started_total == plan.total));
    std::optional<Clock::time_point> last;
    for (const auto& s : streams) {
        for (const auto& [token, count] : s->rejected_by_token())
            r.rejected[token] += count;
        r.latency.merge(s->latency());
        r.unanswered += s->unanswered();
        r.started.push_back(s->started());
        if (const auto a = s->last_answer(); a && (!last || *a > *last))
            last = a;
    }
    r.seconds = seconds_between(t0, last.value_or(t_end));
    r.unreachable = !last && std::all_of(streams.begin(), streams.end(), [](const auto& s) {
        return s->final_code() == grpc::StatusCode::UNAVAILABLE;
    });
    {
        std::lock_guard lock(shared.mutex);
        r.error_examples = shared.error_examples;
    }
    return r;
}

void record_sent(const ProofPlan& plan, const StreamResults& results, Fleet& fleet) {
    for (std::size_t s = 0; s < plan.streams.size() && s < results.started.size(); ++s) {
        for (std::size_t i = 0; i < results.started[s]; ++i) {
            const auto& p = plan.streams[s][i];
            auto& last = fleet.channels[p.channel].last_sent;
            last = std::max(last, p.amount);
        }
    }
}

}  // namespace btt::load
