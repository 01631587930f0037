// Channel events (see events.h).
#include <btt/node/engine/events.h>

#include <chrono>
#include <vector>

namespace btt::node {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint64_t EventBus::subscribe(const channels::ChannelId& channel, Listener listener) {
    std::lock_guard lock(m_mutex);
    const auto handle = m_next++;
    m_listeners.emplace(channel, std::make_pair(handle, std::move(listener)));
    m_handles.emplace(handle, channel);
    m_count.fetch_add(1);
    return handle;
}

void EventBus::unsubscribe(std::uint64_t handle) {
    std::lock_guard lock(m_mutex);
    const auto h = m_handles.find(handle);
    if (h == m_handles.end())
        return;
    auto [first, last] = m_listeners.equal_range(h->second);
    for (auto it = first; it != last; ++it) {
        if (it->second.first == handle) {
            m_listeners.erase(it);
            break;
        }
    }
    m_handles.erase(h);
    m_count.fetch_sub(1);
}

bool EventBus::watching(const channels::ChannelId& channel) const {
    if (!anyone_watching())
        return false;
    std::lock_guard lock(m_mutex);
    return m_listeners.count(channel) > 0;
}

void EventBus::publish(const ChannelEvent& event) {
    if (!anyone_watching())
        return;
    // Listeners only queue (they must not block), so calling them under the lock keeps
    // unsubscribe simple: once it returns, the listener is never called again.
    std::lock_guard lock(m_mutex);
    auto [first, last] = m_listeners.equal_range(event.channel);
    for (auto it = first; it != last; ++it)
        it->second.second(event);
}

}  // namespace btt::node
