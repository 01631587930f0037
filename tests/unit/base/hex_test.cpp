#include <gtest/gtest.h>

#include <btt/base/hex.h>

namespace {

using btt::HexError;

TEST(Hex, EncodesLowercase) {
    const btt::Bytes bytes{0x00, 0x41, 0xab, 0xff};
    EXPECT_EQ(btt::to_hex(bytes), "0041abff");
    EXPECT_EQ(btt::to_hex({}), "");
}

TEST(Hex, DecodesUpperLowerAndPrefixed) {
    const btt::Bytes expected{0xde, 0xad, 0xbe, 0xef};
    EXPECT_EQ(btt::from_hex("deadbeef").value(), expected);
    EXPECT_EQ(btt::from_hex("DEADBEEF").value(), expected);
    EXPECT_EQ(btt::from_hex("0xDeadBeef").value(), expected);
    EXPECT_TRUE(btt::from_hex("").value().empty());
}

TEST(Hex, RefusesOddLength) {
    const auto r = btt::from_hex("abc");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, HexError::Kind::OddLength);
}

TEST(Hex, RefusesNonHexAndSaysWhere) {
    const auto r = btt::from_hex("00zz");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, HexError::Kind::BadCharacter);
    EXPECT_EQ(r.error().position, 2u);
    EXPECT_NE(r.error().message().find("position 2"), std::string::npos);
    EXPECT_FALSE(btt::from_hex("0g"));
    EXPECT_FALSE(btt::from_hex("g0"));
}

TEST(Hex, FixedSizeRefusesWrongLength) {
    EXPECT_TRUE((btt::from_hex_fixed<2>("abcd")));
    const auto r = btt::from_hex_fixed<2>("abcdef");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, HexError::Kind::WrongLength);
    EXPECT_EQ(r.error().position, 3u);
}

TEST(Hex, RoundTripsEveryByte) {
    btt::Bytes all(256);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(btt::from_hex(btt::to_hex(all)).value(), all);
}

}  // namespace
