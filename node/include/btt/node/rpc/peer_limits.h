#pragma once
// The per-connection bounds of DESIGN §10 that gRPC itself does not keep: connections
// holding streams, WatchChannel subscribers (in all and per channel per connection) and
// proofs failing the `malformed` class per minute. A connection is gRPC's peer string
// ("ipv4:10.0.0.7:51234"): one per TCP connection, since the client's port is part of it.
//
// Why here and not at accept: gRPC 1.51 (Debian 12) has no hook at accept nor a cap on
// connections, so a connection is counted while it holds a stream (what costs the node
// memory for long); connections without calls are closed by gRPC after
// `limits.connection_idle_s`. Thread-safe; no I/O, so tested without a server.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <btt/channels/ids.h>

namespace btt::node {

struct PeerLimitOptions {
    std::uint32_t max_connections = 4096;   // connections holding at least one stream
    std::uint32_t max_watchers = 10'000;    // WatchChannel calls in all
    std::uint32_t watchers_per_channel = 16;  // per channel per connection (DESIGN §10)
    std::uint32_t max_malformed_per_minute = 600;  // per connection
};

class PeerLimits {
public:
    using Clock = std::chrono::steady_clock;

    explicit PeerLimits(PeerLimitOptions options = {});

    // A stream starts: false (answer RESOURCE_EXHAUSTED) when `peer` holds no stream yet
    // and max_connections others do. Every true is paired with one end_stream.
    [[nodiscard]] bool begin_stream(const std::string& peer);
    void end_stream(const std::string& peer);

    // A WatchChannel call starts (after begin_stream): false when the node's or this
    // connection's bound for the channel is reached. Every true pairs with remove_watcher.
    [[nodiscard]] bool add_watcher(const std::string& peer, const channels::ChannelId& channel);
    void remove_watcher(const std::string& peer, const channels::ChannelId& channel);

    // One proof of `peer` failed the malformed class: false once more than
    // max_malformed_per_minute did within the current minute of that connection
    // (a fixed window starting at its first such failure).
    [[nodiscard]] bool note_malformed(const std::string& peer, Clock::time_point now);

    [[nodiscard]] std::size_t connections() const;
    [[nodiscard]] std::size_t watchers() const;

private:
    struct Peer {
        std::uint32_t streams = 0;
        std::map<channels::ChannelId, std::uint32_t> watched;
        Clock::time_point malformed_since{};
        std::uint32_t malformed = 0;
    };
    void forget_if_unused(std::map<std::string, Peer>::iterator it);

    const PeerLimitOptions m_options;
    mutable std::mutex m_mutex;
    std::map<std::string, Peer> m_peers;
    std::size_t m_connections = 0;  // peers with streams > 0
    std::size_t m_watchers = 0;
};

}  // namespace btt::node
