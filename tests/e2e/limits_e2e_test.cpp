// DESIGN §10's per-connection bounds, through the public API of a running bttnode:
// watchers (in all, per channel per connection), connections holding streams, malformed
// proofs per connection a minute, idle connections. Each test sets the key small.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <btt/testkit/actors.h>

#include "proof_session.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;

// A connection of its own (gRPC shares one per target unless told not to).
std::shared_ptr<grpc::Channel> own_connection(const NodeRig& rig) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(rig.node_address(), grpc::InsecureChannelCredentials(), args);
}

// One WatchChannel call, read by its own thread until the server ends it.
class Watch {
public:
    Watch(v1::ChannelService::Stub& stub, const channels::ChannelId& id) {
        m_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
        v1::WatchChannelRequest req;
        req.set_channel_id(str(id.bytes()));
        m_reader = stub.WatchChannel(&m_ctx, req);
        m_thread = std::thread([this] {
            v1::ChannelEvent e;
            while (m_reader->Read(&e)) {
            }
            m_status = m_reader->Finish();
            m_ended = true;
        });
    }
    ~Watch() {
        m_ctx.TryCancel();
        m_thread.join();
    }
    // Still open after a while: the node took it.
    bool open_after(std::chrono::milliseconds wait) {
        std::this_thread::sleep_for(wait);
        return !m_ended;
    }
    // Ended (bounded): its status code.
    std::optional<grpc::StatusCode> ended_with(std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!m_ended && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!m_ended)
            return std::nullopt;
        return m_status.error_code();
    }

private:
    grpc::ClientContext m_ctx;
    std::unique_ptr<grpc::ClientReader<v1::ChannelEvent>> m_reader;
    std::thread m_thread;
    grpc::Status m_status;
    std::atomic<bool> m_ended{false};
};

RigOptions limits(const std::string& lines) {
    RigOptions o;
    o.extra_config = "[limits]\n" + lines;
    return o;
}

TEST(LimitsE2E, WatchersBeyondTheNodesBoundAreRefusedAndAFreedPlaceIsTakenAgain) {
    NodeRig rig(limits("max_watchers = 2\n"));
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 5'000'000);
    auto a = rig.stub();
    auto first = std::make_unique<Watch>(*a, id);
    ASSERT_TRUE(first->open_after(std::chrono::milliseconds(300)));
    Watch second(*a, id);
    ASSERT_TRUE(second.open_after(std::chrono::milliseconds(300)));
    Watch third(*a, id);
    EXPECT_EQ(third.ended_with(std::chrono::seconds(10)), grpc::StatusCode::RESOURCE_EXHAUSTED);
    first.reset();  // cancelled: its place is free again
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Watch fourth(*a, id);
    EXPECT_TRUE(fourth.open_after(std::chrono::milliseconds(300)));
}

TEST(LimitsE2E, SixteenWatchersOfOneChannelPerConnectionAndAnotherConnectionStillWatches) {
    // More streams per connection than watchers per channel (the default is 16, the same
    // number): the seventeenth must meet the watcher bound, not wait for a stream slot.
    NodeRig rig(limits("streams_per_connection = 64\n"));
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 5'000'000);
    auto stub = v1::ChannelService::NewStub(own_connection(rig));
    std::vector<std::unique_ptr<Watch>> taken;
    for (int i = 0; i < 16; ++i)
        taken.push_back(std::make_unique<Watch>(*stub, id));
    for (auto& w : taken)
        ASSERT_TRUE(w->open_after(std::chrono::milliseconds(20)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Watch seventeenth(*stub, id);
    EXPECT_EQ(seventeenth.ended_with(std::chrono::seconds(10)),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
    auto other = v1::ChannelService::NewStub(own_connection(rig));
    Watch elsewhere(*other, id);
    EXPECT_TRUE(elsewhere.open_after(std::chrono::milliseconds(300)));
}

TEST(LimitsE2E, OneConnectionTooManyIsRefusedWhileTheOthersAreServed) {
    NodeRig rig(limits("max_connections = 2\n"));
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 5'000'000);
    auto c1 = v1::ChannelService::NewStub(own_connection(rig));
    auto c2 = v1::ChannelService::NewStub(own_connection(rig));
    auto c3 = v1::ChannelService::NewStub(own_connection(rig));
    Watch w1(*c1, id);
    Watch w2(*c2, id);
    ASSERT_TRUE(w1.open_after(std::chrono::milliseconds(300)));
    ASSERT_TRUE(w2.open_after(std::chrono::milliseconds(10)));
    // A third connection's stream: refused, typed.
    ProofSession refused(*c3, std::chrono::seconds(30));
    const auto status = refused.finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
    EXPECT_NE(status.error_message().find("limits.max_connections"), std::string::npos);
    // A counted connection opens another stream and is served.
    ProofSession served(*c1, std::chrono::seconds(30));
    ASSERT_TRUE(served.send(proof_request(1, id, 1'000, tk::alice())));
    ASSERT_TRUE(served.wait_for(1));
    EXPECT_EQ(served.results()[0].outcome(), v1::OUTCOME_ACCEPTED);
    EXPECT_TRUE(served.finish().ok());
}

TEST(LimitsE2E, AConnectionFloodingMalformedProofsLosesItsStreamAndAnHonestOneIsServed) {
    NodeRig rig(limits("max_malformed_per_minute = 20\n"));
    rig.start_node();
    const auto id = rig.open_channel(tk::alice(), tk::actor("bob"), 5'000'000);
    auto attacker = v1::ChannelService::NewStub(own_connection(rig));
    ProofSession flood(*attacker, std::chrono::seconds(30));
    for (std::uint64_t i = 1; i <= 200; ++i) {
        auto r = proof_request(i, id, 1'000 + i, tk::alice());
        r.set_signature(std::string(64, '\x01') + '\x1d');  // v = 29: malformed
        if (!flood.send(r))
            break;  // the node ended the stream
    }
    ASSERT_TRUE(flood.wait_ended(std::chrono::seconds(10)));
    const auto status = flood.finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
    const auto answered = flood.results();
    EXPECT_LE(answered.size(), 20u) << "answered past the limit";
    for (const auto& r : answered)
        EXPECT_EQ(r.reason_token(), "malformed");
    // Another connection's proofs are served as ever.
    auto honest = v1::ChannelService::NewStub(own_connection(rig));
    ProofSession mine(*honest, std::chrono::seconds(30));
    for (std::uint64_t i = 1; i <= 30; ++i)
        ASSERT_TRUE(mine.send(proof_request(i, id, 10'000 * i, tk::alice())));
    ASSERT_TRUE(mine.wait_for(30));
    for (const auto& r : mine.results())
        EXPECT_EQ(r.outcome(), v1::OUTCOME_ACCEPTED) << r.reason_token();
    EXPECT_TRUE(mine.finish().ok());
}

TEST(LimitsE2E, AConnectionWithoutCallsIsClosedAfterTheIdleLimit) {
    NodeRig rig(limits("connection_idle_s = 1\n"));
    rig.start_node();
    const auto channel = own_connection(rig);
    auto stub = v1::ChannelService::NewStub(channel);
    grpc::ClientContext ctx;
    v1::GetNodeInfoRequest req;
    v1::NodeInfo info;
    ASSERT_TRUE(stub->GetNodeInfo(&ctx, req, &info).ok());
    ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
    // The node sends GOAWAY after a second without calls: the client's channel goes idle
    // (gRPC's own client idle time-out is 30 minutes, so only the node can do this).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (channel->GetState(false) == GRPC_CHANNEL_READY &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(channel->GetState(false), GRPC_CHANNEL_READY);
    // And a new call simply reconnects.
    grpc::ClientContext again;
    EXPECT_TRUE(stub->GetNodeInfo(&again, req, &info).ok());
}

}  // namespace
}  // namespace btt::e2e
