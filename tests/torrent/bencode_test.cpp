// The flat bencoding of btt_pay messages: canonical in, canonical out, everything else refused.
#include <gtest/gtest.h>

#include <btt/torrent/bencode.h>

namespace btt::torrent {
namespace {

BencodeError refusal(std::string_view in) {
    const auto d = bdecode_flat_dict(in);
    EXPECT_FALSE(d.has_value()) << in;
    return d ? BencodeError::TooLong : d.error();
}

TEST(Bencode, RoundTripsIntegersAndStringsWithSortedKeys) {
    const BDict d{{"z", std::int64_t{-5}}, {"a", std::string("x:y")}, {"m", std::int64_t{0}}};
    const auto text = bencode(d);
    EXPECT_EQ(text, "d1:a3:x:y1:mi0e1:zi-5ee");
    const auto back = bdecode_flat_dict(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, d);
}

TEST(Bencode, AcceptsTheInt64Extremes) {
    const auto d = bdecode_flat_dict("d1:ai9223372036854775807e1:bi-9223372036854775808ee");
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(std::get<std::int64_t>(d->at("a")), INT64_MAX);
    EXPECT_EQ(std::get<std::int64_t>(d->at("b")), INT64_MIN);
}

TEST(Bencode, RefusesNonCanonicalOrMalformedInput) {
    EXPECT_EQ(refusal(""), BencodeError::NotADict);
    EXPECT_EQ(refusal("li1ee"), BencodeError::NotADict);
    EXPECT_EQ(refusal("d1:ai1e"), BencodeError::Truncated);
    EXPECT_EQ(refusal("d1:ai01ee"), BencodeError::BadInteger);
    EXPECT_EQ(refusal("d1:ai-0ee"), BencodeError::BadInteger);
    EXPECT_EQ(refusal("d1:aiee"), BencodeError::BadInteger);
    EXPECT_EQ(refusal("d1:ai9223372036854775808ee"), BencodeError::BadInteger);
    EXPECT_EQ(refusal("d1:ai1xe"), BencodeError::BadInteger);
    EXPECT_EQ(refusal("d01:ai1ee"), BencodeError::BadLength);
    EXPECT_EQ(refusal("d1:a9:xe"), BencodeError::BadLength);
    EXPECT_EQ(refusal("d1:bi1e1:ai1ee"), BencodeError::UnsortedKeys);
    EXPECT_EQ(refusal("d1:ai1e1:ai2ee"), BencodeError::UnsortedKeys);
    EXPECT_EQ(refusal("d1:ali1eee"), BencodeError::NestedValue);
    EXPECT_EQ(refusal("d1:ad1:ai1eee"), BencodeError::NestedValue);
    EXPECT_EQ(refusal("d1:ai1eex"), BencodeError::TrailingBytes);
    EXPECT_EQ(refusal("d1:ax"), BencodeError::BadLength);
    EXPECT_EQ(refusal(std::string(kMaxBencodedSize + 1, 'd')), BencodeError::TooLong);
}

}  // namespace
}  // namespace btt::torrent
