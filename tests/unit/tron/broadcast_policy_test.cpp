// Broadcast outcomes per the reference's table, backoff bounds, and the proof of death.
#include <gtest/gtest.h>

#include <btt/tron/broadcast_policy.h>

namespace {

using namespace btt::tron;

TEST(BroadcastPolicy, EveryReturnCodeHasItsClass) {
    struct Row {
        int code;
        BroadcastClass expected;
    };
    const Row rows[] = {
        {0, BroadcastClass::Accepted},        {1, BroadcastClass::Final},
        {2, BroadcastClass::Final},           {3, BroadcastClass::Final},
        {4, BroadcastClass::RetrySameBytes},  {5, BroadcastClass::AlreadyKnown},
        {6, BroadcastClass::Rebuild},         {7, BroadcastClass::Final},
        {8, BroadcastClass::Rebuild},         {9, BroadcastClass::RetrySameBytes},
        {10, BroadcastClass::RetrySameBytes}, {11, BroadcastClass::RetrySameBytes},
        {12, BroadcastClass::RetrySameBytes}, {20, BroadcastClass::Final},
        {13, BroadcastClass::Final},          {-1, BroadcastClass::Final},
        {99, BroadcastClass::Final},
    };
    for (const auto& r : rows) EXPECT_EQ(classify_broadcast(r.code), r.expected) << r.code;
}

TEST(BroadcastPolicy, TransientCodesAndStatuses) {
    for (int c : {9, 10, 11, 12}) EXPECT_TRUE(is_transient_return(c)) << c;
    for (int c : {0, 1, 2, 4, 5, 6, 8, 20}) EXPECT_FALSE(is_transient_return(c)) << c;
    for (int s : {4, 8, 14}) EXPECT_TRUE(is_transient_grpc_status(s)) << s;
    for (int s : {0, 2, 3, 5, 7, 13, 16}) EXPECT_FALSE(is_transient_grpc_status(s)) << s;
}

// Issue 11: once an attempt has begun, no gRPC status proves the node did not take the
// bytes; INTERNAL and UNKNOWN in particular can follow an accepted push. Every code of
// grpc/status.h (0..16, OK included: a cancelled run keeps the last OK status of a transient
// Return), and codes this build does not know.
TEST(BroadcastPolicy, NoGrpcStatusAfterAnAttemptBeganMeansNotSent) {
    for (int code = 0; code <= 16; ++code) {
        for (int begun : {1, 2, 8}) {
            EXPECT_EQ(classify_broadcast_failure(code, begun), BroadcastFailure::MaybeSent) << code << " " << begun;
        }
    }
    for (int code : {-1, 17, 99}) EXPECT_EQ(classify_broadcast_failure(code, 1), BroadcastFailure::MaybeSent) << code;
    // Only a run cancelled before its first attempt sent nothing.
    EXPECT_EQ(classify_broadcast_failure(/*CANCELLED*/ 1, 0), BroadcastFailure::NotSent);
}

TEST(BroadcastPolicy, BackoffGrowsAndStaysUnderTheCap) {
    const BackoffPolicy p{std::chrono::milliseconds(100), std::chrono::milliseconds(5000), 8};
    EXPECT_EQ(backoff_delay(p, 0, 0.999).count(), 99);
    EXPECT_EQ(backoff_delay(p, 3, 1.0).count(), 800);
    EXPECT_EQ(backoff_delay(p, 30, 1.0).count(), 5000);
    EXPECT_EQ(backoff_delay(p, 3, 0.0).count(), 0);
    EXPECT_EQ(backoff_delay(p, 1000, 0.5).count(), 2500);  // no overflow at silly attempts
}

TEST(ProofOfDeath, OnlyASolidBlockPastExpirationAndAnEmptyLookupMeanDead) {
    constexpr std::int64_t kExpiration = 1'000'000;
    EXPECT_EQ(judge_fate(kExpiration, std::nullopt, kExpiration), TxFate::Dead);
    EXPECT_EQ(judge_fate(kExpiration, std::nullopt, kExpiration + 3000), TxFate::Dead);
    EXPECT_EQ(judge_fate(kExpiration, std::nullopt, kExpiration - 1), TxFate::PendingOrUnknown);
    // Expired but included: never dead, never re-signed.
    EXPECT_EQ(judge_fate(kExpiration, 1234, kExpiration + 60'000), TxFate::Included);
    EXPECT_EQ(judge_fate(kExpiration, 7, 0), TxFate::Included);
    EXPECT_EQ(judge_fate(kExpiration, 0, kExpiration - 1), TxFate::PendingOrUnknown);
}

}  // namespace
