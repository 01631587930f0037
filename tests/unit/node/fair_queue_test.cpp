// FairQueue (DESIGN §10 "Fair under floods"): sources take turns one item each, each
// source keeps its own order, and a source without work holds no turn.
#include <btt/node/engine/fair_queue.h>

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace btt::node {
namespace {

std::vector<std::string> drain(FairQueue<std::string>& q) {
    std::vector<std::string> out;
    while (auto w = q.pop())
        out.push_back(*w);
    return out;
}

TEST(FairQueue, ServesSourcesInTurnAndKeepsEachSourcesOrder) {
    FairQueue<std::string> q;
    EXPECT_FALSE(q.pop());
    for (int i = 0; i < 5; ++i)
        q.push(7, "flood" + std::to_string(i));
    q.push(9, "honest0");
    q.push(9, "honest1");
    q.push(0, "node0");
    EXPECT_EQ(q.size(), 8u);
    EXPECT_EQ(q.sources(), 3u);
    EXPECT_EQ(q.size_of(7), 5u);
    EXPECT_EQ(q.size_of(9), 2u);
    EXPECT_EQ(q.size_of(8), 0u);
    const std::vector<std::string> want = {"flood0", "honest0", "node0", "flood1", "honest1",
                                           "flood2", "flood3",  "flood4"};
    EXPECT_EQ(drain(q), want);
    EXPECT_EQ(q.size(), 0u);
    EXPECT_EQ(q.sources(), 0u);  // no source holds a turn once drained
}

TEST(FairQueue, ASourceThatComesBackWaitsForItsTurnBehindTheOthers) {
    FairQueue<std::string> q;
    q.push(1, "a0");
    q.push(2, "b0");
    q.push(2, "b1");
    EXPECT_EQ(*q.pop(), "a0");
    q.push(1, "a1");  // 1 had gone idle: it queues behind 2, which still has work
    EXPECT_EQ(*q.pop(), "b0");
    EXPECT_EQ(*q.pop(), "a1");
    EXPECT_EQ(*q.pop(), "b1");
    EXPECT_FALSE(q.pop());
}

TEST(FairQueue, LosesNothingUnderConcurrentPushesAndPops) {
    FairQueue<int> q;
    constexpr int kThreads = 4, kEach = 5000;
    std::vector<std::thread> pushers;
    for (int t = 0; t < kThreads; ++t) {
        pushers.emplace_back([&q, t] {
            for (int i = 0; i < kEach; ++i)
                q.push(static_cast<std::uint64_t>(t), t * kEach + i);
        });
    }
    std::vector<int> last(kThreads, -1);
    int popped = 0;
    bool ordered = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (popped < kThreads * kEach && std::chrono::steady_clock::now() < deadline) {
        if (auto v = q.pop()) {
            const int src = *v / kEach;
            ordered = ordered && *v > last[static_cast<std::size_t>(src)];
            last[static_cast<std::size_t>(src)] = *v;
            ++popped;
        }
    }
    for (auto& p : pushers)
        p.join();
    EXPECT_EQ(popped, kThreads * kEach);
    EXPECT_TRUE(ordered);
    EXPECT_FALSE(q.pop());
}

}  // namespace
}  // namespace btt::node
