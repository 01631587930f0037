#pragma once
// Channel events for WatchChannel (DESIGN §9): opened, topped_up, proof_accepted, closing,
// settling, payout_broadcast, payout_confirmed, closed. Published after the change they
// describe is committed; delivered live to whoever watches that channel (no history: a
// watcher asks GetChannel for the state first). Publishing costs one atomic load when
// nobody watches, so the hot path pays nothing for the feature it does not use.
//
// Watchers never slow acknowledgements (DESIGN §10): publish() only queues an event of a
// watched channel, and the bus's own thread calls the listeners, outside the bus's lock
// and off the committer's and replier's threads. The queue is bounded (kMaxQueued): past
// it, events are dropped and each watcher of their channel is told it lost some (its
// listener gets nullptr), which ends its stream rather than show it a gap.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <btt/channels/channel.h>

namespace btt::node {

struct ChannelEvent {
    channels::ChannelId channel;
    std::string kind;
    channels::ChannelState state = channels::ChannelState::Open;
    std::int64_t amount = 0;  // cumulative for proof_accepted, deposit for opened/topped_up,
                              // the payout's amount for payout_*
    std::optional<Hash32> txid;
    std::int64_t at = 0;  // Unix seconds
};

class EventBus {
public:
    // Called on the bus's thread, one call at a time per listener; nullptr: events of this
    // channel were dropped (the queue was full). Should not block long: it holds up the
    // other watchers (never the node).
    using Listener = std::function<void(const ChannelEvent*)>;
    static constexpr std::size_t kMaxQueued = 65'536;

    EventBus() = default;
    ~EventBus();
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    // Returns a handle for unsubscribe().
    std::uint64_t subscribe(const channels::ChannelId& channel, Listener listener);
    // Once it returns, the listener is not called again (a call in progress has ended). May
    // be called from within the listener itself.
    void unsubscribe(std::uint64_t handle);
    [[nodiscard]] bool anyone_watching() const {
        return m_count.load(std::memory_order_relaxed) > 0;
    }
    [[nodiscard]] bool watching(const channels::ChannelId& channel) const;
    // Queues the event if its channel is watched; never blocks on a listener.
    void publish(const ChannelEvent& event);

private:
    struct Subscription {
        Listener listener;
        std::recursive_mutex calling;  // held while the listener runs
        bool alive = true;             // under `calling`
    };
    void run();
    void deliver(const channels::ChannelId& channel, const ChannelEvent* event);

    mutable std::mutex m_mutex;
    std::multimap<channels::ChannelId, std::pair<std::uint64_t, std::shared_ptr<Subscription>>>
        m_listeners;
    std::map<std::uint64_t, channels::ChannelId> m_handles;
    std::uint64_t m_next = 1;
    std::atomic<std::size_t> m_count{0};
    // The queue and the thread that empties it (started by the first subscribe).
    std::condition_variable m_wake;
    std::deque<ChannelEvent> m_queue;       // under m_mutex
    std::set<channels::ChannelId> m_lost;   // under m_mutex: channels whose events were dropped
    bool m_stopping = false;                // under m_mutex
    std::thread m_thread;
};

[[nodiscard]] std::int64_t unix_now();

}  // namespace btt::node
