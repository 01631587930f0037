// The event bus behind WatchChannel (node/engine/events.h): a listener never runs on the
// publisher's thread, so a watcher that blocks cannot hold up the committer or the replier
// (DESIGN §10); unsubscribe is a hard stop; a full queue tells the channel's watchers.
// Every wait is bounded.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include <btt/node/engine/events.h>

namespace btt::node {
namespace {

channels::ChannelId channel(std::uint8_t n) {
    Hash32 h{};
    h[0] = n;
    return channels::ChannelId(h);
}

ChannelEvent event(std::uint8_t n, std::int64_t amount) {
    return {channel(n), "proof_accepted", channels::ChannelState::Open, amount, std::nullopt, 1};
}

TEST(EventBus, AListenerThatBlocksNeverHoldsUpThePublisher) {
    EventBus bus;
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<int> seen{0};
    const auto publisher = std::this_thread::get_id();
    std::atomic<bool> on_publisher{false};
    bus.subscribe(channel(1), [&](const ChannelEvent* e) {
        on_publisher = on_publisher || std::this_thread::get_id() == publisher;
        if (e != nullptr && e->amount == 1)
            released.wait_for(std::chrono::seconds(30));  // blocks until the test says so
        ++seen;
    });
    // A synchronous bus would block here forever (well, 30 s) on the first event.
    std::atomic<bool> published{false};
    std::thread t([&] {
        for (int i = 1; i <= 1000; ++i)
            bus.publish(event(1, i));
        published = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!published && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_TRUE(published) << "publish() waited for a blocked listener";
    release.set_value();
    t.join();
    const auto all_by = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (seen < 1000 && std::chrono::steady_clock::now() < all_by)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(seen.load(), 1000);
    EXPECT_FALSE(on_publisher);
}

TEST(EventBus, AfterUnsubscribeReturnsTheListenerIsNeverCalledAgain) {
    EventBus bus;
    std::atomic<int> calls{0};
    std::atomic<bool> unsubscribed{false};
    std::atomic<int> late{0};
    const auto handle = bus.subscribe(channel(2), [&](const ChannelEvent*) {
        if (unsubscribed)
            ++late;
        ++calls;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    });
    std::atomic<bool> stop{false};
    std::thread t([&] {
        for (int i = 1; !stop && i < 1'000'000; ++i)
            bus.publish(event(2, i));
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (calls < 50 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_GE(calls.load(), 50);
    bus.unsubscribe(handle);
    unsubscribed = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    t.join();
    EXPECT_EQ(late.load(), 0);
    EXPECT_FALSE(bus.anyone_watching());
}

TEST(EventBus, AListenerMayUnsubscribeItselfFromWithinItsCall) {
    EventBus bus;
    std::atomic<int> calls{0};
    std::uint64_t handle = 0;
    std::promise<void> done;
    handle = bus.subscribe(channel(3), [&](const ChannelEvent*) {
        if (++calls == 1) {
            bus.unsubscribe(handle);  // must not deadlock on its own call
            done.set_value();
        }
    });
    bus.publish(event(3, 1));
    bus.publish(event(3, 2));
    ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(calls.load(), 1);
}

TEST(EventBus, AFullQueueTellsTheChannelsWatchersTheyLostEvents) {
    EventBus bus;
    std::promise<void> entered, release;
    auto released = release.get_future().share();
    std::atomic<int> events{0}, lost{0}, other{0};
    bus.subscribe(channel(4), [&](const ChannelEvent* e) {
        if (e == nullptr) {
            ++lost;
            return;
        }
        if (e->amount == 0) {
            entered.set_value();
            released.wait_for(std::chrono::seconds(30));  // hold the bus's thread
        }
        ++events;
    });
    bus.subscribe(channel(5), [&](const ChannelEvent* e) { other += e != nullptr ? 1 : 0; });
    bus.publish(event(4, 0));
    // The bus's thread is inside the first call: the queue fills behind it.
    ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
    for (std::size_t i = 1; i <= EventBus::kMaxQueued + 10; ++i)
        bus.publish(event(4, static_cast<std::int64_t>(i)));
    release.set_value();
    const auto told_by = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (lost == 0 && std::chrono::steady_clock::now() < told_by)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(lost.load(), 1);
    EXPECT_EQ(events.load(), 1);  // no event of the batch with the gap is shown
    // The other channel is not affected: its next event arrives.
    bus.publish(event(5, 1));
    const auto other_by = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (other == 0 && std::chrono::steady_clock::now() < other_by)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(other.load(), 1);
}

TEST(EventBus, EventsOfChannelsNobodyWatchesAreNotQueued) {
    EventBus bus;
    std::atomic<int> calls{0};
    bus.subscribe(channel(7), [&](const ChannelEvent*) { ++calls; });
    for (std::size_t i = 0; i < EventBus::kMaxQueued * 2; ++i)
        bus.publish(event(8, static_cast<std::int64_t>(i)));  // nobody watches 8
    bus.publish(event(7, 1));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (calls == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(calls.load(), 1);  // not dropped: channel 8's events never filled the queue
}

}  // namespace
}  // namespace btt::node
