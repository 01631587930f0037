// One WatchChannel call (DESIGN §9): the channel's events, live, as they are committed.
// NOT_FOUND for an unknown channel; the call ends OK after the `closed` event, and with
// RESOURCE_EXHAUSTED if the client reads too slowly to keep up (the queue is bounded) or
// the node's event bus had to drop some of the channel's events.
//
// Lifetime: two things may still touch the reactor after gRPC is done with it, the
// channel lookup's answer and (until unsubscribe returns) the bus; the reactor is deleted
// by whichever of OnDone and the lookup's answer comes last, so no gRPC thread waits.
#include <atomic>
#include <deque>
#include <mutex>

#include <btt/node/rpc/channel_service.h>

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

constexpr std::size_t kMaxQueued = 1024;

std::string str(ByteView b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

class WatchStream final : public grpc::ServerWriteReactor<v1::ChannelEvent> {
public:
    WatchStream(EventBus& bus, Intake& intake, const channels::ChannelId& id, StreamHooks hooks)
        : m_bus(bus), m_hooks(std::move(hooks)) {
        // Subscribe before looking the channel up, so nothing between the two is missed.
        m_handle = m_bus.subscribe(id, [this](const ChannelEvent* e) { enqueue(e); });
        const bool queued = intake.lookup(
            id, [this](std::optional<channels::Channel> c) { looked_up(c.has_value()); },
            m_hooks.source);
        if (!queued)
            looked_up(false, /*refused=*/true);
    }

    void OnWriteDone(bool ok) override {
        std::optional<grpc::Status> done;
        const v1::ChannelEvent* next = nullptr;
        {
            std::lock_guard lock(m_mutex);
            m_writing = false;
            const bool was_closed = m_out.front().kind() == "closed";
            m_out.pop_front();
            if (!ok) {
                m_end = grpc::Status::CANCELLED;
            } else if (was_closed) {
                m_end = grpc::Status::OK;
            }
            next = start_next();
            if (next == nullptr)
                done = finish_now();
        }
        if (next != nullptr)
            StartWrite(next);
        if (done)
            Finish(*done);
    }

    void OnCancel() override {
        std::optional<grpc::Status> done;
        {
            std::lock_guard lock(m_mutex);
            if (!m_end)
                m_end = grpc::Status::CANCELLED;
            done = finish_now();
        }
        if (done)
            Finish(*done);
    }

    void OnDone() override {
        m_bus.unsubscribe(m_handle);  // after this, no listener call can reach us
        if (m_hooks.done)
            m_hooks.done();
        release();
    }

private:
    // `refused`: the node's queue of look-ups was full, so the channel was not looked up.
    void looked_up(bool found, bool refused = false) {
        std::optional<grpc::Status> done;
        const v1::ChannelEvent* next = nullptr;
        {
            std::lock_guard lock(m_mutex);
            m_looked_up = true;
            m_found = found;
            if (refused && !m_end)
                m_end = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                     "the node has too many requests queued; watch again later");
            if (!found && !m_end)
                m_end = grpc::Status(grpc::StatusCode::NOT_FOUND, "no such channel");
            next = start_next();
            if (next == nullptr)
                done = finish_now();
        }
        if (next != nullptr)
            StartWrite(next);
        if (done)
            Finish(*done);
        release();  // nothing below may touch the reactor
    }

    // The last of OnDone and the lookup's answer deletes the reactor.
    void release() {
        if (m_holders.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    void enqueue(const ChannelEvent* event) {
        if (event == nullptr) {
            std::optional<grpc::Status> done;
            {
                std::lock_guard lock(m_mutex);
                if (m_end)
                    return;
                m_end = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                     "events of this channel were dropped (the node's event "
                                     "queue was full); watch again");
                done = finish_now();
            }
            if (done)
                Finish(*done);
            return;
        }
        const ChannelEvent& e = *event;
        v1::ChannelEvent out;
        out.set_channel_id(str(e.channel.bytes()));
        out.set_kind(e.kind);
        out.set_state(static_cast<v1::ChannelState>(static_cast<int>(e.state)));
        out.set_amount(e.amount);
        if (e.txid)
            out.set_txid(str(*e.txid));
        out.set_at(e.at);
        const v1::ChannelEvent* next = nullptr;
        std::optional<grpc::Status> done;
        {
            std::lock_guard lock(m_mutex);
            if (m_end || m_closed_queued)
                return;  // nothing follows `closed`
            m_closed_queued = e.kind == "closed";
            if (m_out.size() >= kMaxQueued) {
                m_end = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                     "events not read fast enough");
                done = finish_now();
            } else {
                m_out.push_back(std::move(out));
                next = start_next();
            }
        }
        if (next != nullptr)
            StartWrite(next);
        if (done)
            Finish(*done);
    }

    // Under the lock: the next write to start, if one may start now.
    const v1::ChannelEvent* start_next() {
        if (m_writing || m_finished || !m_looked_up || !m_found || m_out.empty())
            return nullptr;
        if (m_end && !m_end->ok())
            return nullptr;
        m_writing = true;
        return &m_out.front();
    }

    // Under the lock: the status to finish with, once, when nothing is being written.
    std::optional<grpc::Status> finish_now() {
        if (m_finished || m_writing || !m_end || !m_looked_up)
            return std::nullopt;
        if (m_end->ok() && !m_out.empty())
            return std::nullopt;  // drain first
        m_finished = true;
        return *m_end;
    }

    EventBus& m_bus;
    const StreamHooks m_hooks;
    std::uint64_t m_handle = 0;
    std::atomic<int> m_holders{2};  // OnDone and the lookup's answer
    std::mutex m_mutex;
    std::deque<v1::ChannelEvent> m_out;
    std::optional<grpc::Status> m_end;
    bool m_looked_up = false;
    bool m_found = false;
    bool m_writing = false;
    bool m_finished = false;
    bool m_closed_queued = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::ChannelEvent>* make_watch_stream(EventBus& bus, Intake& intake,
                                                              const channels::ChannelId& id,
                                                              StreamHooks hooks) {
    return new WatchStream(bus, intake, id, std::move(hooks));
}

}  // namespace btt::node
