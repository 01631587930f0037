// Per-connection bounds of DESIGN §10 (see peer_limits.h).
#include <btt/node/rpc/peer_limits.h>

namespace btt::node {

namespace {
constexpr auto kMalformedWindow = std::chrono::minutes(1);
}

PeerLimits::PeerLimits(PeerLimitOptions options) : m_options(options) {}

bool PeerLimits::begin_stream(const std::string& peer) {
    std::lock_guard lock(m_mutex);
    auto it = m_peers.find(peer);
    const bool holds_streams = it != m_peers.end() && it->second.streams > 0;
    if (!holds_streams && m_connections >= m_options.max_connections)
        return false;
    if (it == m_peers.end())
        it = m_peers.emplace(peer, Peer{}).first;
    if (it->second.streams++ == 0)
        ++m_connections;
    return true;
}

void PeerLimits::end_stream(const std::string& peer) {
    std::lock_guard lock(m_mutex);
    const auto it = m_peers.find(peer);
    if (it == m_peers.end() || it->second.streams == 0)
        return;  // unpaired: nothing to undo
    if (--it->second.streams == 0)
        --m_connections;
    forget_if_unused(it);
}

bool PeerLimits::add_watcher(const std::string& peer, const channels::ChannelId& channel) {
    std::lock_guard lock(m_mutex);
    if (m_watchers >= m_options.max_watchers)
        return false;
    auto& count = m_peers[peer].watched[channel];
    if (count >= m_options.watchers_per_channel) {
        forget_if_unused(m_peers.find(peer));
        return false;
    }
    ++count;
    ++m_watchers;
    return true;
}

void PeerLimits::remove_watcher(const std::string& peer, const channels::ChannelId& channel) {
    std::lock_guard lock(m_mutex);
    const auto it = m_peers.find(peer);
    if (it == m_peers.end())
        return;
    const auto w = it->second.watched.find(channel);
    if (w == it->second.watched.end() || w->second == 0)
        return;
    --m_watchers;
    if (--w->second == 0)
        it->second.watched.erase(w);
    forget_if_unused(it);
}

bool PeerLimits::note_malformed(const std::string& peer, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    const auto it = m_peers.find(peer);
    if (it == m_peers.end())
        return true;  // not a counted stream (cannot happen from a ProofStream)
    auto& p = it->second;
    if (p.malformed == 0 || now - p.malformed_since >= kMalformedWindow) {
        p.malformed_since = now;
        p.malformed = 0;
    }
    ++p.malformed;
    return p.malformed <= m_options.max_malformed_per_minute;
}

std::size_t PeerLimits::connections() const {
    std::lock_guard lock(m_mutex);
    return m_connections;
}

std::size_t PeerLimits::watchers() const {
    std::lock_guard lock(m_mutex);
    return m_watchers;
}

// Under the lock. A connection's entry (and its malformed count) lives while it holds a
// stream or a watcher; a new connection from the same port after that starts afresh.
void PeerLimits::forget_if_unused(std::map<std::string, Peer>::iterator it) {
    if (it != m_peers.end() && it->second.streams == 0 && it->second.watched.empty())
        m_peers.erase(it);
}

}  // namespace btt::node
