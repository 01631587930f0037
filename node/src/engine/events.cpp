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

EventBus::~EventBus() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

std::uint64_t EventBus::subscribe(const channels::ChannelId& channel, Listener listener) {
    std::lock_guard lock(m_mutex);
    if (!m_thread.joinable())
        m_thread = std::thread([this] { run(); });
    const auto handle = m_next++;
    auto sub = std::make_shared<Subscription>();
    sub->listener = std::move(listener);
    m_listeners.emplace(channel, std::make_pair(handle, std::move(sub)));
    m_handles.emplace(handle, channel);
    m_count.fetch_add(1);
    return handle;
}

void EventBus::unsubscribe(std::uint64_t handle) {
    std::shared_ptr<Subscription> sub;
    {
        std::lock_guard lock(m_mutex);
        const auto h = m_handles.find(handle);
        if (h == m_handles.end())
            return;
        auto [first, last] = m_listeners.equal_range(h->second);
        for (auto it = first; it != last; ++it) {
            if (it->second.first == handle) {
                sub = std::move(it->second.second);
                m_listeners.erase(it);
                break;
            }
        }
        m_handles.erase(h);
        m_count.fetch_sub(1);
    }
    if (sub) {
        // Waits for a call in progress on the bus's thread; from within the listener itself
        // (the same thread) the recursive mutex lets it through.
        std::lock_guard calling(sub->calling);
        sub->alive = false;
    }
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
    {
        std::lock_guard lock(m_mutex);
        if (m_listeners.count(event.channel) == 0)
            return;
        if (m_queue.size() >= kMaxQueued) {
            m_lost.insert(event.channel);
        } else {
            m_queue.push_back(event);
        }
    }
    m_wake.notify_one();
}

void EventBus::deliver(const channels::ChannelId& channel, const ChannelEvent* event) {
    std::vector<std::shared_ptr<Subscription>> subs;
    {
        std::lock_guard lock(m_mutex);
        auto [first, last] = m_listeners.equal_range(channel);
        for (auto it = first; it != last; ++it)
            subs.push_back(it->second.second);
    }
    for (const auto& sub : subs) {
        std::lock_guard calling(sub->calling);
        if (sub->alive)
            sub->listener(event);
    }
}

void EventBus::run() {
    std::deque<ChannelEvent> batch;
    std::set<channels::ChannelId> lost;
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty() || !m_lost.empty(); });
            if (m_stopping)
                return;
            batch.swap(m_queue);
            lost.swap(m_lost);
        }
        // A channel that lost events gets none of this batch: its watchers are told at once
        // (their streams end), so nobody is shown a history with a gap in it.
        for (const auto& e : batch) {
            if (lost.count(e.channel) == 0)
                deliver(e.channel, &e);
        }
        for (const auto& channel : lost)
            deliver(channel, nullptr);
        batch.clear();
        lost.clear();
    }
}

}  // namespace btt::node
