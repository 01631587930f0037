#pragma once
// A queue that takes turns between the sources of its work (DESIGN §10 "Fair under
// floods"): each source (a client connection; 0 for the node's own work) has its own FIFO,
// and pop() serves the sources round robin, one item each. A connection that floods a
// shard with bad signatures or close requests therefore holds one turn in each round,
// never a place in front of everybody else's proofs; and since a shard is picked from an
// unverified channel id, targeting a victim's shard buys the attacker no more than that.
//
// Within one source the order is kept (a stream's proofs are judged in the order sent).
// Thread-safe: pushed from gRPC and engine threads, popped by the shard's thread.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace btt::node {

template <class Work>
class FairQueue {
public:
    void push(std::uint64_t source, Work work) {
        std::lock_guard lock(m_mutex);
        auto& fifo = m_by_source[source];
        if (fifo.empty())
            m_turns.push_back(source);
        fifo.push_back(std::move(work));
        ++m_size;
    }

    // The next item in round-robin order between sources; nullopt when empty.
    [[nodiscard]] std::optional<Work> pop() {
        std::lock_guard lock(m_mutex);
        if (m_turns.empty())
            return std::nullopt;
        const auto source = m_turns.front();
        m_turns.pop_front();
        const auto it = m_by_source.find(source);
        std::optional<Work> out(std::move(it->second.front()));
        it->second.pop_front();
        if (!it->second.empty()) {
            m_turns.push_back(source);
        } else if (m_by_source.size() > kKeptIdleSources) {
            // An idle source's FIFO is kept for its next item (a busy stream empties and
            // refills it all the time: freeing it each time costs an allocation per item),
            // but only while few sources are known; past that, idle ones are forgotten.
            m_by_source.erase(it);
        }
        --m_size;
        return out;
    }

    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(m_mutex);
        return m_size;
    }
    // How many items one source has queued.
    [[nodiscard]] std::size_t size_of(std::uint64_t source) const {
        std::lock_guard lock(m_mutex);
        const auto it = m_by_source.find(source);
        return it == m_by_source.end() ? 0 : it->second.size();
    }
    // Sources with work queued.
    [[nodiscard]] std::size_t sources() const {
        std::lock_guard lock(m_mutex);
        return m_turns.size();
    }

private:
    static constexpr std::size_t kKeptIdleSources = 64;
    mutable std::mutex m_mutex;
    std::unordered_map<std::uint64_t, std::deque<Work>> m_by_source;
    std::deque<std::uint64_t> m_turns;  // sources with work, in the order they are served
    std::size_t m_size = 0;
};

}  // namespace btt::node
