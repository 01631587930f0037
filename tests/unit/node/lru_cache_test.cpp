// LruCache: bounded, forgets the least recently used entry, and a look-up counts as a use.
#include <btt/node/engine/lru_cache.h>

#include <string>

#include <gtest/gtest.h>

namespace btt::node {
namespace {

TEST(LruCache, ForgetsTheLeastRecentlyUsedPastItsCapacity) {
    LruCache<int, std::string> cache(2);
    EXPECT_EQ(cache.find(1), nullptr);
    cache.put(1, "one");
    cache.put(2, "two");
    ASSERT_NE(cache.find(1), nullptr);  // 1 is now the most recent: 2 goes next
    cache.put(3, "three");
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.find(2), nullptr);
    ASSERT_NE(cache.find(1), nullptr);
    EXPECT_EQ(*cache.find(1), "one");
    ASSERT_NE(cache.find(3), nullptr);
    EXPECT_EQ(*cache.find(3), "three");
}

TEST(LruCache, ReplacingAValueKeepsOneEntryAndRenewsIt) {
    LruCache<int, std::string> cache(2);
    cache.put(1, "one");
    cache.put(2, "two");
    cache.put(1, "uno");
    EXPECT_EQ(cache.size(), 2u);
    cache.put(3, "three");  // 2 is the least recent now
    EXPECT_EQ(cache.find(2), nullptr);
    ASSERT_NE(cache.find(1), nullptr);
    EXPECT_EQ(*cache.find(1), "uno");
}

TEST(LruCache, StaysWithinItsCapacityUnderManyKeys) {
    LruCache<int, int> cache(100);
    for (int i = 0; i < 10000; ++i)
        cache.put(i, i * 2);
    EXPECT_EQ(cache.size(), 100u);
    for (int i = 9900; i < 10000; ++i) {
        ASSERT_NE(cache.find(i), nullptr) << i;
        EXPECT_EQ(*cache.find(i), i * 2);
    }
    EXPECT_EQ(cache.find(9899), nullptr);
    LruCache<int, int> none(0);  // a capacity of 0 still holds the last entry
    none.put(1, 1);
    none.put(2, 2);
    EXPECT_EQ(none.size(), 1u);
    EXPECT_NE(none.find(2), nullptr);
}

}  // namespace
}  // namespace btt::node
