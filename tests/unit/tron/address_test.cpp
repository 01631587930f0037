// Address parsing refuses every malformed class and says which; round trips hold.
#include <gtest/gtest.h>

#include <btt/base/hex.h>
#include <btt/testkit/seeded_rng.h>
#include <btt/tron/address.h>

namespace {

using btt::tron::AddressError;
using btt::tron::TronAddress;

constexpr const char* kGood = "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC";
constexpr const char* kGoodHex = "417e5f4552091a69125d5dfcb7b8c2659029395bdf";

AddressError::Kind kind_of(const std::string& text) {
    const auto r = TronAddress::parse(text);
    EXPECT_FALSE(r) << text;
    return r ? AddressError::Kind::WrongLength : r.error().kind;
}

TEST(AddressDecode, AcceptsBase58AndHexOfTheSameAddress) {
    const auto a = TronAddress::parse(kGood);
    const auto b = TronAddress::parse(kGoodHex);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b);
    EXPECT_EQ(a->to_base58(), kGood);
    EXPECT_EQ(a->to_hex(), kGoodHex);
    EXPECT_TRUE(TronAddress::parse("0x417E5F4552091A69125D5DFCB7B8C2659029395BDF"));
}

TEST(AddressDecode, RefusesBadChecksum) {
    std::string text = kGood;
    text[33] = text[33] == 'C' ? 'D' : 'C';
    EXPECT_EQ(kind_of(text), AddressError::Kind::BadChecksum);
}

TEST(AddressDecode, RefusesCharactersOutsideTheAlphabet) {
    for (char bad : {'0', 'O', 'I', 'l', '+', ' '}) {
        std::string text = kGood;
        text[5] = bad;
        EXPECT_EQ(kind_of(text), AddressError::Kind::BadBase58Character) << bad;
    }
}

TEST(AddressDecode, RefusesWrongLengths) {
    EXPECT_EQ(kind_of(std::string(kGood).substr(0, 33)), AddressError::Kind::WrongLength);
    EXPECT_EQ(kind_of(std::string(kGood) + "1"), AddressError::Kind::WrongLength);
    EXPECT_EQ(kind_of(std::string(kGoodHex).substr(0, 40)), AddressError::Kind::WrongLength);
    EXPECT_EQ(kind_of(std::string(kGoodHex) + "00"), AddressError::Kind::WrongLength);
    EXPECT_EQ(kind_of(""), AddressError::Kind::WrongLength);
}

TEST(AddressDecode, RefusesWrongPrefix) {
    std::string hex = kGoodHex;
    hex[0] = 'a';
    hex[1] = '0';  // the historic 0xa0 testnet prefix
    EXPECT_EQ(kind_of(hex), AddressError::Kind::WrongPrefix);
    // A well-formed base58check string over a 21-byte payload with prefix 0x00.
    btt::ByteArray<21> raw{};
    raw[1] = 7;
    const auto text = btt::tron::base58check_encode(raw);
    const auto r = TronAddress::from_base58(text);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().kind == AddressError::Kind::WrongPrefix ||
                r.error().kind == AddressError::Kind::WrongLength);
}

TEST(AddressDecode, RefusesNonHex) {
    std::string hex = kGoodHex;
    hex[10] = 'g';
    EXPECT_EQ(kind_of(hex), AddressError::Kind::BadHex);
    EXPECT_EQ(kind_of(std::string(kGoodHex).substr(0, 41)), AddressError::Kind::BadHex);
}

TEST(AddressDecode, RefusesOtherChainsAddressesWithTheRealReason) {
    // Bitcoin (the genesis block's address): valid base58check, 21 bytes, but prefix 0x00.
    EXPECT_EQ(kind_of("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"), AddressError::Kind::WrongPrefix);
    // Ethereum: 20 bytes of hex.
    EXPECT_EQ(kind_of("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
              AddressError::Kind::WrongLength);
    EXPECT_EQ(kind_of("THRF3GuPnvvPzK+aT8pJex5XHmo8NNbCb3"),
              AddressError::Kind::BadBase58Character);
    EXPECT_EQ(kind_of("THRF3GuPnvvPzT8pJex5XHmo8NNbCb3"), AddressError::Kind::WrongLength);
    EXPECT_EQ(TronAddress::parse("THRF3GuPnvvPzKoaT8pJex5XHmo8NNbCb3")->to_hex(),
              "4151b5659b685047f35498f763dce619c4720d2aa7");
}

TEST(AddressDecode, MessagesSayWhatIsWrong) {
    std::string text = kGood;
    text[33] = 'D';
    EXPECT_NE(TronAddress::parse(text).error().message().find("checksum"), std::string::npos);
    EXPECT_NE(TronAddress::parse("T123").error().message().find("length"), std::string::npos);
}

TEST(AddressDecode, RandomAddressesRoundTrip) {
    btt::testkit::SeededRng rng;
    for (int i = 0; i < 2000; ++i) {
        auto raw = rng.array<21>();
        raw[0] = TronAddress::kPrefix;
        const auto a = TronAddress::from_bytes(raw).value();
        const std::string b58 = a.to_base58();
        EXPECT_EQ(b58.size(), 34u);
        EXPECT_EQ(b58[0], 'T');
        EXPECT_EQ(TronAddress::from_base58(b58).value(), a);
        EXPECT_EQ(TronAddress::from_hex(a.to_hex()).value(), a);
    }
}

TEST(AddressDecode, EverySingleCharacterChangeIsRefused) {
    const std::string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    int accepted = 0;
    for (std::size_t pos = 1; pos < 34; ++pos) {
        for (char c : alphabet) {
            std::string text = kGood;
            if (text[pos] == c) continue;
            text[pos] = c;
            if (TronAddress::from_base58(text)) ++accepted;
        }
    }
    // A 4-byte checksum lets about 1 in 2^32 random changes through; none here.
    EXPECT_EQ(accepted, 0);
}

}  // namespace
