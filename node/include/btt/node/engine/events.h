#pragma once
// Channel events for WatchChannel (DESIGN §9): opened, topped_up, proof_accepted, closing,
// settling, payout_broadcast, payout_confirmed, closed. Published after the change they
// describe is committed; delivered live to whoever watches that channel (no history: a
// watcher asks GetChannel for the state first). Publishing costs one atomic load when
// nobody watches, so the hot path pays nothing for the feature it does not use.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

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
    using Listener = std::function<void(const ChannelEvent&)>;  // must not block

    // Returns a handle for unsubscribe().
    std::uint64_t subscribe(const channels::ChannelId& channel, Listener listener);
    void unsubscribe(std::uint64_t handle);
    [[nodiscard]] bool anyone_watching() const {
        return m_count.load(std::memory_order_relaxed) > 0;
    }
    [[nodiscard]] bool watching(const channels::ChannelId& channel) const;
    void publish(const ChannelEvent& event);

private:
    mutable std::mutex m_mutex;
    std::multimap<channels::ChannelId, std::pair<std::uint64_t, Listener>> m_listeners;
    std::map<std::uint64_t, channels::ChannelId> m_handles;
    std::uint64_t m_next = 1;
    std::atomic<std::size_t> m_count{0};
};

[[nodiscard]] std::int64_t unix_now();

}  // namespace btt::node
