#include <btt/load/attack.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/load/node_api.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/io/random.h>
#include <btt/tron/tip104.h>

namespace btt::load {

namespace v1 = btt::channel::v1;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kPoolSize = 4096;  // distinct requests a flood cycles through
constexpr auto kStopWait = std::chrono::seconds(15);

std::string status_name(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::OK: return "OK";
        case grpc::StatusCode::CANCELLED: return "CANCELLED";
        case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
        case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
        case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
        case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
        case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
        case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
        default: return fmt::format("STATUS_{}", static_cast<int>(code));
    }
}

std::string answer_name(const v1::ProofResult& r) {
    switch (r.outcome()) {
        case v1::OUTCOME_ACCEPTED: return "accepted";
        case v1::OUTCOME_DUPLICATE: return "duplicate";
        case v1::OUTCOME_REJECTED:
            return r.reason_token().empty() ? fmt::format("reason_{}", r.reason())
                                            : r.reason_token();
        default: return "unspecified";
    }
}

template <std::size_t N>
void assign(std::string* out, const std::array<std::uint8_t, N>& bytes) {
    out->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Random signature bytes: v is 27 or 28, so about half of them recover to some key.
std::string random_signature(std::mt19937_64& rng) {
    std::string s(65, '\0');
    for (std::size_t i = 0; i < 64; ++i)
        s[i] = static_cast<char>(rng() & 0xff);
    s[64] = static_cast<char>(27 + (rng() & 1));
    return s;
}

}  // namespace

std::optional<AttackKind> attack_kind_from(std::string_view name) {
    for (const auto k : {AttackKind::Replay, AttackKind::BadSignature, AttackKind::WrongSigner,
                         AttackKind::CloseSpam, AttackKind::Idle}) {
        if (name == attack_name(k))
            return k;
    }
    return std::nullopt;
}

const char* attack_name(AttackKind kind) {
    switch (kind) {
        case AttackKind::Replay: return "replay";
        case AttackKind::BadSignature: return "bad-signature";
        case AttackKind::WrongSigner: return "wrong-signer";
        case AttackKind::CloseSpam: return "close-spam";
        case AttackKind::Idle: return "idle";
        case AttackKind::None: break;
    }
    return "none";
}

struct Attacker::State {
    State(const Options& options, const Fleet& f, std::optional<std::size_t> v)
        : o(options), fleet(f), victim(v) {}
    const Options& o;
    const Fleet& fleet;
    std::optional<std::size_t> victim;
    std::vector<v1::ProofRequest> pool;
    std::vector<v1::CloseRequest> closes;
    std::atomic<bool> running{false};

    std::mutex mutex;  // guards what follows
    std::condition_variable changed;
    AttackResults results;
    std::size_t closes_in_flight = 0;

    void count_answer(const std::string& name) {
        std::lock_guard lock(mutex);
        ++results.answers[name];
    }
    void count_end(grpc::StatusCode code) {
        std::lock_guard lock(mutex);
        ++results.ended[status_name(code)];
    }

    // A proof stream that keeps `window` proofs of the pool in flight (0: sends nothing).
    class FloodStream final : public grpc::ClientBidiReactor<v1::ProofRequest, v1::ProofResult> {
    public:
        FloodStream(State& state, std::size_t window, std::size_t first)
            : m_state(state), m_window(window), m_next(first) {}

        void start(v1::ChannelService::Stub& stub) {
            m_context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
            stub.async()->StreamProofs(&m_context, this);
            // The first write goes before StartCall; every later one from a reaction.
            if (m_window > 0 && fill_locked()) {
                m_writing = true;
                StartWrite(&m_request);
            }
            StartRead(&m_result);
            StartCall();
        }
        void cancel() { m_context.TryCancel(); }
        [[nodiscard]] bool done() const { return m_done.load(); }

        void OnWriteDone(bool ok) override {
            {
                std::lock_guard lock(m_mutex);
                m_writing = false;
                if (!ok)
                    m_closed = true;
            }
            if (ok) {
                std::lock_guard lock(m_state.mutex);
                ++m_state.results.sent;
            }
            try_write();
        }
        void OnReadDone(bool ok) override {
            if (!ok) {
                std::lock_guard lock(m_mutex);
                m_closed = true;
                return;
            }
            m_state.count_answer(answer_name(m_result));
            {
                std::lock_guard lock(m_mutex);
                if (m_in_flight > 0)
                    --m_in_flight;
            }
            StartRead(&m_result);
            try_write();
        }
        void OnDone(const grpc::Status& status) override {
            m_state.count_end(status.error_code());
            std::lock_guard lock(m_state.mutex);
            m_done.store(true);
            m_state.changed.notify_all();  // the last touch: the owner may delete this now
        }

    private:
        // Takes the next request of the pool; false when nothing may be written now.
        bool fill_locked() {
            if (m_closed || m_writing || m_in_flight >= m_window || !m_state.running.load())
                return false;
            m_request = m_state.pool[m_next++ % m_state.pool.size()];
            m_request.set_request_id(++m_request_id);
            ++m_in_flight;
            return true;
        }
        void try_write() {
            {
                std::lock_guard lock(m_mutex);
                if (!fill_locked())
                    return;
                m_writing = true;
            }
            StartWrite(&m_request);
        }

        State& m_state;
        const std::size_t m_window;
        grpc::ClientContext m_context;
        v1::ProofRequest m_request;
        v1::ProofResult m_result;
        std::mutex m_mutex;
        std::size_t m_next;
        std::size_t m_in_flight = 0;
        std::uint64_t m_request_id = 0;
        bool m_writing = false;
        bool m_closed = false;
        std::atomic<bool> m_done{false};
    };

    struct Slot {
        std::shared_ptr<grpc::Channel> channel;
        std::unique_ptr<v1::ChannelService::Stub> stub;
        std::unique_ptr<FloodStream> stream;
        Clock::time_point reopen_at{};
    };
    std::vector<Slot> slots;
    std::shared_ptr<grpc::Channel> close_channel;
    std::unique_ptr<v1::ChannelService::Stub> close_stub;
    std::size_t next_close = 0;
    std::thread control;

    // A fresh connection each time: a node that cut the last one for malformed proofs or
    // refused it at its connection limit is asked again, as an attacker would.
    void open(Slot& s, std::size_t index) {
        // idle: --attack-streams streams share each of --attack-connections connections.
        const std::size_t group = o.attack == AttackKind::Idle ? o.attack_streams : 1;
        const std::size_t first = index - index % group;
        s.channel = first != index && slots[first].channel ? slots[first].channel
                                                           : make_node_channel(o, true);
        s.stub = v1::ChannelService::NewStub(s.channel);
        const std::size_t window = o.attack == AttackKind::Idle ? 0 : o.attack_window;
        s.stream = std::make_unique<FloodStream>(*this, window, index * 977);
        {
            std::lock_guard lock(mutex);
            ++results.opened;
        }
        s.stream->start(*s.stub);
    }

    void launch_close() {
        struct Call {
            grpc::ClientContext context;
            v1::CloseRequest request;
            v1::CloseResult result;
        };
        auto* call = new Call;
        call->request = closes[next_close++ % closes.size()];
        call->context.set_deadline(
            std::chrono::system_clock::now() +
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::duration<double>(o.call_timeout_s)));
        {
            std::lock_guard lock(mutex);
            ++closes_in_flight;
            ++results.sent;
            ++results.opened;
        }
        close_stub->async()->CloseChannel(&call->context, &call->request, &call->result,
                                          [this, call](grpc::Status status) {
                                              delete call;
                                              std::lock_guard lock(mutex);
                                              ++results.ended[status_name(status.error_code())];
                                              --closes_in_flight;
                                              changed.notify_all();
                                          });
    }

    // Keeps every slot busy until running is false.
    void run() {
        const auto reopen_after = o.attack == AttackKind::Idle ? std::chrono::milliseconds(100)
                                                               : std::chrono::milliseconds(10);
        while (running.load()) {
            if (o.attack == AttackKind::CloseSpam) {
                std::size_t want = 0;
                {
                    std::lock_guard lock(mutex);
                    want = o.attack_window - std::min(o.attack_window, closes_in_flight);
                }
                for (std::size_t i = 0; i < want && running.load(); ++i)
                    launch_close();
            } else {
                const auto now = Clock::now();
                for (std::size_t i = 0; i < slots.size(); ++i) {
                    auto& s = slots[i];
                    if (s.stream && s.stream->done()) {
                        s.stream.reset();
                        s.reopen_at = now + reopen_after;
                    }
                    if (!s.stream && now >= s.reopen_at)
                        open(s, i);
                }
            }
            std::unique_lock lock(mutex);
            changed.wait_for(lock, std::chrono::milliseconds(5));
        }
    }
};

Attacker::Attacker(const Options& options, const Fleet& fleet, std::optional<std::size_t> victim)
    : m_state(std::make_unique<State>(options, fleet, victim)) {}

Attacker::~Attacker() {
    if (m_state->running.load())
        (void)stop();
}

std::optional<std::uint64_t> Attacker::replayed_amount() const {
    if (m_state->o.attack != AttackKind::Replay || m_state->pool.empty())
        return std::nullopt;
    return m_state->pool.front().amount();
}

Expected<void, RunError> Attacker::prepare() {
    auto& st = *m_state;
    std::mt19937_64 rng(0x5eed);
    std::vector<std::size_t> targets;  // the honest channels
    for (std::size_t c = 0; c < st.fleet.channels.size(); ++c) {
        if (!st.victim || c != *st.victim)
            targets.push_back(c);
    }
    if (st.o.attack != AttackKind::Replay && st.o.attack != AttackKind::Idle && targets.empty())
        return unexpected(RunError{ExitCode::Usage, "--attack needs at least one channel"});
    switch (st.o.attack) {
        case AttackKind::Replay: {
            if (!st.victim)
                return unexpected(RunError{ExitCode::Usage,
                                           "--attack replay needs two channels or more (one is "
                                           "the attacker's)"});
            const auto& ch = st.fleet.channels[*st.victim];
            if (ch.last_sent >= ch.deposit) {
                return unexpected(RunError{
                    ExitCode::Errors,
                    fmt::format("--attack replay: channel {} is at its deposit", ch.id.to_hex())});
            }
            v1::ProofRequest p;
            assign(p.mutable_channel_id(), ch.id.bytes());
            p.set_amount(ch.last_sent + 1);
            assign(p.mutable_signature(),
                   tron::sign_message_v2(st.fleet.payers[ch.payer],
                                         tron::balance_proof_message(ch.id.bytes(), p.amount())));
            // Once through the node, so that what is replayed is an acknowledged amount.
            auto channel = make_node_channel(st.o, true);
            auto stub = v1::ChannelService::NewStub(channel);
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                 std::chrono::duration<double>(st.o.call_timeout_s)));
            auto stream = stub->StreamProofs(&ctx);
            p.set_request_id(1);
            v1::ProofResult r;
            const bool answered = stream->Write(p) && stream->Read(&r);
            stream->WritesDone();
            const auto status = stream->Finish();
            if (!answered || r.outcome() != v1::OUTCOME_ACCEPTED) {
                return unexpected(RunError{
                    ExitCode::Errors,
                    fmt::format("--attack replay: the proof to replay was not accepted ({}; {})",
                                answered ? answer_name(r) : "no answer", status.error_message())});
            }
            st.pool.push_back(p);
            break;
        }
        case AttackKind::BadSignature:
        case AttackKind::WrongSigner: {
            const auto stranger = tron::io::generate_private_key();
            for (std::size_t i = 0; i < kPoolSize; ++i) {
                const auto& ch = st.fleet.channels[targets[i % targets.size()]];
                v1::ProofRequest p;
                assign(p.mutable_channel_id(), ch.id.bytes());
                p.set_amount(1 + rng() % std::max<std::uint64_t>(ch.deposit, 1));
                if (st.o.attack == AttackKind::BadSignature) {
                    *p.mutable_signature() = random_signature(rng);
                } else {
                    assign(p.mutable_signature(),
                           tron::sign_message_v2(
                               stranger, tron::balance_proof_message(ch.id.bytes(), p.amount())));
                }
                st.pool.push_back(std::move(p));
            }
            break;
        }
        case AttackKind::CloseSpam:
            for (std::size_t i = 0; i < kPoolSize; ++i) {
                v1::CloseRequest c;
                assign(c.mutable_channel_id(), st.fleet.channels[targets[i % targets.size()]].id.bytes());
                *c.mutable_signature() = random_signature(rng);
                st.closes.push_back(std::move(c));
            }
            break;
        case AttackKind::Idle:
        case AttackKind::None:
            break;
    }
    return {};
}

void Attacker::start() {
    auto& st = *m_state;
    if (st.o.attack == AttackKind::None)
        return;
    st.running.store(true);
    if (st.o.attack == AttackKind::CloseSpam) {
        st.close_channel = make_node_channel(st.o, true);
        st.close_stub = v1::ChannelService::NewStub(st.close_channel);
    } else {
        st.slots.resize(st.o.attack == AttackKind::Idle
                            ? st.o.attack_connections * st.o.attack_streams
                            : st.o.attack_streams);
    }
    st.control = std::thread([&st] { st.run(); });
}

AttackResults Attacker::stop() {
    auto& st = *m_state;
    if (!st.running.exchange(false))
        return st.results;
    if (st.control.joinable())
        st.control.join();
    for (auto& s : st.slots) {
        if (s.stream)
            s.stream->cancel();
    }
    std::unique_lock lock(st.mutex);
    const bool ended = st.changed.wait_for(lock, kStopWait, [&] {
        return st.closes_in_flight == 0 &&
               std::all_of(st.slots.begin(), st.slots.end(),
                           [](const auto& s) { return !s.stream || s.stream->done(); });
    });
    if (!ended) {
        // A reactor still running must outlive this object: leaked, never freed under it.
        for (auto& s : st.slots) {
            if (s.stream && !s.stream->done())
                (void)s.stream.release();
        }
    }
    return st.results;
}

}  // namespace btt::load
