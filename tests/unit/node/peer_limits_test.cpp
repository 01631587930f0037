// PeerLimits (DESIGN §10): connections holding streams, watchers, malformed proofs a minute.
#include <gtest/gtest.h>

#include <btt/node/rpc/peer_limits.h>

namespace btt::node {
namespace {

channels::ChannelId channel(std::uint8_t b) {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(b);
    return *channels::ChannelId::from_bytes(ByteView(bytes.data(), bytes.size()));
}

TEST(PeerLimits, OneMoreConnectionIsRefusedWhileTheCountedOnesOpenMoreStreams) {
    PeerLimits limits({.max_connections = 2});
    ASSERT_TRUE(limits.begin_stream("ipv4:10.0.0.1:1"));
    ASSERT_TRUE(limits.begin_stream("ipv4:10.0.0.1:2"));
    EXPECT_FALSE(limits.begin_stream("ipv4:10.0.0.1:3"));
    EXPECT_TRUE(limits.begin_stream("ipv4:10.0.0.1:1"));  // a second stream of a counted one
    EXPECT_EQ(limits.connections(), 2u);
    limits.end_stream("ipv4:10.0.0.1:1");
    EXPECT_FALSE(limits.begin_stream("ipv4:10.0.0.1:3")) << "one stream of :1 is still open";
    limits.end_stream("ipv4:10.0.0.1:1");
    EXPECT_EQ(limits.connections(), 1u);
    EXPECT_TRUE(limits.begin_stream("ipv4:10.0.0.1:3"));
}

TEST(PeerLimits, AnUnpairedEndChangesNothing) {
    PeerLimits limits({.max_connections = 1});
    limits.end_stream("ipv4:10.0.0.1:1");
    limits.remove_watcher("ipv4:10.0.0.1:1", channel(1));
    EXPECT_EQ(limits.connections(), 0u);
    EXPECT_EQ(limits.watchers(), 0u);
    ASSERT_TRUE(limits.begin_stream("ipv4:10.0.0.1:1"));
    limits.end_stream("ipv4:10.0.0.1:1");
    limits.end_stream("ipv4:10.0.0.1:1");
    EXPECT_EQ(limits.connections(), 0u);
    EXPECT_TRUE(limits.begin_stream("ipv4:10.0.0.1:2"));
}

TEST(PeerLimits, WatchersAreBoundedInAllAndPerChannelPerConnection) {
    PeerLimits limits({.max_watchers = 5, .watchers_per_channel = 2});
    const std::string a = "ipv6:[::1]:1";
    const std::string b = "ipv6:[::1]:2";
    EXPECT_TRUE(limits.add_watcher(a, channel(1)));
    EXPECT_TRUE(limits.add_watcher(a, channel(1)));
    EXPECT_FALSE(limits.add_watcher(a, channel(1))) << "a third of one channel on one connection";
    EXPECT_TRUE(limits.add_watcher(a, channel(2)));
    EXPECT_TRUE(limits.add_watcher(b, channel(1)));
    EXPECT_TRUE(limits.add_watcher(b, channel(1)));
    EXPECT_EQ(limits.watchers(), 5u);
    EXPECT_FALSE(limits.add_watcher(b, channel(3))) << "the node's bound";
    limits.remove_watcher(a, channel(1));
    EXPECT_TRUE(limits.add_watcher(b, channel(3)));
    EXPECT_TRUE(!limits.add_watcher(a, channel(4)));  // full again
    EXPECT_EQ(limits.watchers(), 5u);
}

TEST(PeerLimits, MalformedProofsAreCountedPerConnectionInAMinute) {
    PeerLimits limits({.max_malformed_per_minute = 3});
    const auto t0 = PeerLimits::Clock::now();
    ASSERT_TRUE(limits.begin_stream("p:1"));
    ASSERT_TRUE(limits.begin_stream("p:1"));  // two streams of one connection share it
    ASSERT_TRUE(limits.begin_stream("p:2"));
    EXPECT_TRUE(limits.note_malformed("p:1", t0));
    EXPECT_TRUE(limits.note_malformed("p:1", t0 + std::chrono::seconds(1)));
    EXPECT_TRUE(limits.note_malformed("p:1", t0 + std::chrono::seconds(2)));
    EXPECT_TRUE(limits.note_malformed("p:2", t0 + std::chrono::seconds(2))) << "another connection";
    EXPECT_FALSE(limits.note_malformed("p:1", t0 + std::chrono::seconds(59)));
    // A new minute starts afresh.
    EXPECT_TRUE(limits.note_malformed("p:1", t0 + std::chrono::seconds(61)));
    // The count lives while the connection holds a stream.
    limits.end_stream("p:2");
    ASSERT_TRUE(limits.begin_stream("p:2"));
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(limits.note_malformed("p:2", t0 + std::chrono::seconds(3)));
    EXPECT_FALSE(limits.note_malformed("p:2", t0 + std::chrono::seconds(3)));
}

}  // namespace
}  // namespace btt::node
