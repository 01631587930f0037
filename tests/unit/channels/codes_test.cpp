// Numbers and tokens that are stored in PostgreSQL or sent on the wire (DESIGN §8, §9):
// pinned one by one, so renumbering or renaming any of them fails here first.
#include <cstdint>
#include <string_view>

#include <gtest/gtest.h>

#include <btt/channels/channel.h>
#include <btt/channels/deposit.h>
#include <btt/channels/reject.h>

namespace {

using namespace btt::channels;

template <typename E>
int number(E e) {
    return static_cast<int>(e);
}

TEST(StoredCodes, RejectNumbersTokensAndClassesAreFixed) {
    struct Row {
        Reject reject;
        int n;
        std::string_view token;
        RejectClass cls;
    };
    const Row rows[] = {
        {Reject::Malformed, 1, "malformed", RejectClass::Malformed},
        {Reject::BadSignature, 2, "bad_signature", RejectClass::Malformed},
        {Reject::UnknownChannel, 3, "unknown_channel", RejectClass::Refused},
        {Reject::WrongSigner, 4, "wrong_signer", RejectClass::Refused},
        {Reject::ChannelNotOpen, 5, "channel_not_open", RejectClass::Refused},
        {Reject::ChannelExpired, 6, "channel_expired", RejectClass::Refused},
        {Reject::AmountExceedsDeposit, 7, "amount_exceeds_deposit", RejectClass::Refused},
        {Reject::AmountNotIncreasing, 8, "amount_not_increasing", RejectClass::Refused},
        {Reject::IntakePaused, 9, "intake_paused", RejectClass::Retry},
        {Reject::Overloaded, 10, "overloaded", RejectClass::Retry},
        {Reject::StoreUnavailable, 11, "store_unavailable", RejectClass::Retry},
        {Reject::Internal, 12, "internal", RejectClass::Internal},
    };
    for (const auto& row : rows) {
        EXPECT_EQ(number(row.reject), row.n) << row.token;
        EXPECT_EQ(token_of(row.reject), row.token) << row.n;
        EXPECT_EQ(class_of(row.reject), row.cls) << row.token;
        EXPECT_FALSE(sentence_of(row.reject).empty()) << row.token;
    }
}

TEST(StoredCodes, UnclaimedReasonNumbersAndTokensAreFixed) {
    struct Row {
        UnclaimedReason reason;
        int n;
        std::string_view token;
    };
    const Row rows[] = {
        {UnclaimedReason::ZeroAmount, 1, "zero_amount"},
        {UnclaimedReason::WrongToken, 2, "wrong_token"},
        {UnclaimedReason::BadMemo, 3, "bad_memo"},
        {UnclaimedReason::PayeeIsEscrow, 4, "payee_is_escrow"},
        {UnclaimedReason::BelowMinimumDeposit, 5, "below_minimum_deposit"},
        {UnclaimedReason::ExpiryOutOfRange, 6, "expiry_out_of_range"},
        {UnclaimedReason::UnknownChannel, 7, "unknown_channel"},
        {UnclaimedReason::TopUpNotFromPayer, 8, "topup_not_from_payer"},
        {UnclaimedReason::ChannelNotOpen, 9, "channel_not_open"},
        {UnclaimedReason::DepositOverflow, 10, "deposit_overflow"},
    };
    for (const auto& row : rows) {
        EXPECT_EQ(number(row.reason), row.n) << row.token;
        EXPECT_EQ(std::string_view(reason_token(row.reason)), row.token) << row.n;
    }
}

TEST(StoredCodes, ChannelStateNumbersMatchTheWireAndNamesAreFixed) {
    struct Row {
        ChannelState state;
        int n;
        std::string_view name;
    };
    const Row rows[] = {
        {ChannelState::Open, 1, "OPEN"},
        {ChannelState::Closing, 2, "CLOSING"},
        {ChannelState::Settling, 3, "SETTLING"},
        {ChannelState::Closed, 4, "CLOSED"},
    };
    for (const auto& row : rows) {
        EXPECT_EQ(number(row.state), row.n) << row.name;
        EXPECT_EQ(std::string_view(state_name(row.state)), row.name) << row.n;
    }
}

TEST(StoredCodes, CloseCauseNumbersAndTokensAreFixed) {
    struct Row {
        CloseCause cause;
        int n;
        std::string_view token;
    };
    const Row rows[] = {
        {CloseCause::PayerRequest, 1, "payer_request"},
        {CloseCause::PayeeRequest, 2, "payee_request"},
        {CloseCause::Expiry, 3, "expiry"},
        {CloseCause::ForceSettle, 4, "force_settle"},
    };
    for (const auto& row : rows) {
        EXPECT_EQ(number(row.cause), row.n) << row.token;
        EXPECT_EQ(std::string_view(cause_token(row.cause)), row.token) << row.n;
    }
}

TEST(StoredCodes, AChannelStartsOpen) { EXPECT_EQ(Channel{}.state, ChannelState::Open); }

}  // namespace
