// The funding memo grammar: exact match or nothing (DESIGN §3, §8).
#include <gtest/gtest.h>

#include <btt/channels/memo.h>
#include <btt/testkit/actors.h>

namespace {

using namespace btt::channels;

std::optional<Memo> parse(const std::string& text) { return parse_memo(btt::as_bytes(text)); }

const std::string kPayee = btt::testkit::bob().address().to_base58();
const std::string kId(64, 'a');

TEST(Memo, ParsesAnOpen) {
    const auto m = parse("btt-channel:v1:open:" + kPayee + ":1767225600");
    ASSERT_TRUE(m);
    const auto& open = std::get<OpenMemo>(*m);
    EXPECT_EQ(open.payee, btt::testkit::bob().address());
    EXPECT_EQ(open.expiry.value, 1767225600);
}

TEST(Memo, ParsesATopUp) {
    const auto m = parse("btt-channel:v1:topup:" + kId);
    ASSERT_TRUE(m);
    EXPECT_EQ(std::get<TopUpMemo>(*m).channel.to_hex(), kId);
}

TEST(Memo, ParsesTheSdkVectorMemo) {
    EXPECT_TRUE(parse("btt-channel:v1:open:TNtubsVfxJjMK4sYPBnhZSv3jRWZgXH9p8:1767225600"));
}

TEST(Memo, RefusesEverythingElse) {
    const std::string hex_payee = btt::testkit::bob().address().to_hex();
    std::string bad_checksum = kPayee;
    bad_checksum[33] = bad_checksum[33] == 'a' ? 'b' : 'a';
    std::string upper = kId;
    upper[0] = 'A';
    const std::vector<std::string> cases = {
        "",
        "btt-channel:v1:open:",
        "btt-channel:v1:open:" + kPayee,
        "btt-channel:v1:open:" + kPayee + ":",
        "btt-channel:v1:open:" + kPayee + ":01767225600",   // leading zero
        "btt-channel:v1:open:" + kPayee + ":+1767225600",   // sign
        "btt-channel:v1:open:" + kPayee + ":-1",
        "btt-channel:v1:open:" + kPayee + ":1767225600 ",   // trailing space
        "btt-channel:v1:open:" + kPayee + ":1767225600\n",  // trailing newline
        "btt-channel:v1:open:" + kPayee + ":1767225600:",   // trailing colon
        "btt-channel:v1:open:" + kPayee + ":9223372036854775808",  // > int64
        "btt-channel:v1:open:" + kPayee + ":1.5",
        "btt-channel:v1:open:" + hex_payee + ":1767225600",  // hex payee is not canonical
        "btt-channel:v1:open:" + bad_checksum + ":1767225600",
        "btt-channel:v1:open: " + kPayee + ":1767225600",
        "BTT-CHANNEL:v1:open:" + kPayee + ":1767225600",
        "btt-channel:v2:open:" + kPayee + ":1767225600",
        " btt-channel:v1:open:" + kPayee + ":1767225600",
        "btt-channel:v1:topup:" + upper,
        "btt-channel:v1:topup:" + kId.substr(1),
        "btt-channel:v1:topup:" + kId + "0",
        "btt-channel:v1:topup:" + kId + "\n",
        "btt-channel:v1:topup:0x" + kId.substr(2),
        "btt-channel:v1:close:" + kId,
    };
    for (const auto& c : cases) EXPECT_FALSE(parse(c)) << "'" << c << "'";
    // A NUL inside the memo.
    std::string with_nul = "btt-channel:v1:topup:" + kId;
    with_nul.push_back('\0');
    EXPECT_FALSE(parse(with_nul));
}

TEST(Memo, AcceptsZeroAndMaximumExpiryAsCanonicalDecimals) {
    EXPECT_TRUE(parse("btt-channel:v1:open:" + kPayee + ":0"));
    EXPECT_TRUE(parse("btt-channel:v1:open:" + kPayee + ":9223372036854775807"));
}

}  // namespace
