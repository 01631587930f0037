// btt_pay v1 messages: every kind round-trips; malformed ones are refused with a reason.
#include <gtest/gtest.h>

#include <btt/testkit/actors.h>
#include <btt/torrent/pay_message.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::torrent {
namespace {

namespace tk = btt::testkit;

Offer sample_offer() {
    return Offer{tk::actor("bob"),  1000, "1002000", tk::escrow().address(),
                 "127.0.0.1:50151", 2,    3};
}

channels::ChannelId sample_channel() {
    Hash32 h{};
    h.fill(0xab);
    return channels::ChannelId(h);
}

MessageError refusal(const BDict& d) {
    const auto m = decode_message(bencode(d));
    EXPECT_FALSE(m.has_value());
    return m ? MessageError::NotBencoded : m.error().kind;
}

std::string raw(const auto& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

TEST(PayMessage, AnOfferRoundTripsThroughTheHandshake) {
    const auto back = decode_hello(encode_hello(Hello{sample_offer()}));
    ASSERT_TRUE(back.has_value()) << back.error().message();
    ASSERT_TRUE(back->offer.has_value());
    const auto& o = *back->offer;
    EXPECT_EQ(o.payee, tk::actor("bob"));
    EXPECT_EQ(o.price, 1000u);
    EXPECT_EQ(o.token_id, "1002000");
    EXPECT_EQ(o.escrow, tk::escrow().address());
    EXPECT_EQ(o.node, "127.0.0.1:50151");
    EXPECT_EQ(o.credit_pieces, 2u);
    EXPECT_EQ(o.free_pieces, 3u);
}

TEST(PayMessage, APayersHelloOffersNothing) {
    EXPECT_EQ(encode_hello(Hello{}), "d1:vi1ee");
    const auto back = decode_hello("d1:vi1ee");
    ASSERT_TRUE(back.has_value());
    EXPECT_FALSE(back->offer.has_value());
}

TEST(PayMessage, AnOfferWithAZeroCreditOrPriceOrBadAddressIsRefused) {
    auto text = [](auto mutate) {
        BDict d = bdecode_flat_dict(encode_hello(Hello{sample_offer()})).value();
        mutate(d);
        return bencode(d);
    };
    const auto kind = [](const std::string& t) {
        const auto h = decode_hello(t);
        EXPECT_FALSE(h.has_value());
        return h ? MessageError::NotBencoded : h.error().kind;
    };
    EXPECT_EQ(kind(text([](BDict& d) { d["credit"] = std::int64_t{0}; })), MessageError::BadField);
    EXPECT_EQ(kind(text([](BDict& d) { d["price"] = std::int64_t{0}; })), MessageError::BadField);
    EXPECT_EQ(kind(text([](BDict& d) { d["payee"] = std::string("TNotAnAddress"); })),
              MessageError::BadField);
    EXPECT_EQ(kind(text([](BDict& d) { d["token"] = std::string("01"); })), MessageError::BadField);
    EXPECT_EQ(kind(text([](BDict& d) { d.erase("escrow"); })), MessageError::MissingField);
    EXPECT_EQ(kind(text([](BDict& d) { d["v"] = std::int64_t{2}; })),
              MessageError::UnsupportedVersion);
    EXPECT_EQ(kind("garbage"), MessageError::NotBencoded);
}

TEST(PayMessage, OpenProofAndAckRoundTrip) {
    const auto id = sample_channel();
    const auto sig =
        tron::sign_message_v2(tk::alice(), tron::balance_proof_message(id.bytes(), 7000));
    const PayMessage messages[] = {OpenMsg{id}, ProofMsg{id, 7000, sig}, AckMsg{id, 6000, 8}};
    for (const auto& m : messages) {
        const auto back = decode_message(encode_message(m));
        ASSERT_TRUE(back.has_value()) << back.error().message();
        ASSERT_EQ(back->index(), m.index());
    }
    const auto proof = std::get<ProofMsg>(decode_message(encode_message(messages[1])).value());
    EXPECT_EQ(proof.channel, id);
    EXPECT_EQ(proof.amount, 7000u);
    EXPECT_EQ(proof.signature, sig);
    const auto ack = std::get<AckMsg>(decode_message(encode_message(messages[2])).value());
    EXPECT_EQ(ack.amount, 6000u);
    EXPECT_EQ(ack.allow, 8u);
}

TEST(PayMessage, MalformedMessagesAreRefusedWithTheirReason) {
    const auto ch = raw(sample_channel().bytes());
    const std::string sig(65, '\x01');
    EXPECT_EQ(refusal({{"t", std::string("proof")}, {"ch", ch}}), MessageError::UnsupportedVersion);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}}, {"t", std::string("steal")}, {"ch", ch}}),
              MessageError::UnknownType);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}}, {"t", std::int64_t{3}}}), MessageError::UnknownType);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}}, {"t", std::string("open")}}),
              MessageError::MissingField);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}}, {"t", std::string("open")}, {"ch", ch.substr(1)}}),
              MessageError::BadField);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}},
                       {"t", std::string("proof")},
                       {"ch", ch},
                       {"amt", std::int64_t{0}},
                       {"sig", sig}}),
              MessageError::BadField);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}},
                       {"t", std::string("proof")},
                       {"ch", ch},
                       {"amt", std::int64_t{5}},
                       {"sig", sig.substr(1)}}),
              MessageError::BadField);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}},
                       {"t", std::string("proof")},
                       {"ch", ch},
                       {"amt", std::string("5")},
                       {"sig", sig}}),
              MessageError::BadField);
    EXPECT_EQ(refusal({{"v", std::int64_t{1}},
                       {"t", std::string("ack")},
                       {"ch", ch},
                       {"amt", std::int64_t{-1}},
                       {"allow", std::int64_t{1}}}),
              MessageError::BadField);
    EXPECT_EQ(decode_message("d1:ti1ee").error().kind, MessageError::UnsupportedVersion);
}

}  // namespace
}  // namespace btt::torrent
