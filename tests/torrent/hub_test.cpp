// The plugin's shared state (hub.h), driven as libtorrent's callbacks and the node link
// would drive it: who is served, what is paid, and in which order messages leave.
#include <sstream>

#include <gtest/gtest.h>

#include <btt/testkit/actors.h>
#include <btt/torrent/hub.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::torrent {
namespace {

namespace tk = btt::testkit;

constexpr std::uint64_t kPrice = 100;

Offer offer(std::uint32_t free_pieces, std::uint32_t credit) {
    return Offer{tk::actor("bob"), kPrice, "1002000",  tk::escrow().address(),
                 "127.0.0.1:1",    credit, free_pieces};
}

channels::ChannelId channel() {
    Hash32 h{};
    h.fill(0x42);
    return channels::ChannelId(h);
}

template <typename T>
T decoded(const std::string& payload) {
    auto m = decode_message(payload);
    EXPECT_TRUE(m.has_value());
    return std::get<T>(m.value());
}

struct Seller {
    std::ostringstream log;
    std::vector<PayMessage> to_node;
    std::shared_ptr<Hub> hub;
    Seller(std::uint32_t free_pieces, std::uint32_t credit)
        : hub(std::make_shared<Hub>(
              SellerConfig{offer(free_pieces, credit),
                           [this](std::uint64_t, const PayMessage& m) { to_node.push_back(m); }},
              std::nullopt, log)) {
        hub->on_connect(1, "peer");
        hub->on_peer_hello(1, Hello{});
    }
};

TEST(HubSeller, ServesFreePiecesThenRefusesUntilReceiptsArrive) {
    Seller s(/*free_pieces=*/1, /*credit=*/2);
    EXPECT_EQ(s.hub->on_request(1, 0), RequestVerdict::Serve);
    EXPECT_EQ(s.hub->on_request(1, 1), RequestVerdict::Refuse);
    EXPECT_NE(s.log.str().find("cut off"), std::string::npos);

    EXPECT_FALSE(s.hub->on_message(1, OpenMsg{channel()}).has_value());
    ASSERT_EQ(s.to_node.size(), 1u);  // the open goes to the node link, not straight to credit
    EXPECT_EQ(s.hub->on_request(1, 1), RequestVerdict::Refuse);

    s.hub->grant_channel(1, channel(), 0);
    auto work = s.hub->take_work(1);
    ASSERT_EQ(work.messages.size(), 1u);
    EXPECT_EQ(decoded<AckMsg>(work.messages[0]).allow, 2u);
    EXPECT_TRUE(work.unchoke);  // it was cut off; the window opened again
    EXPECT_EQ(s.hub->on_request(1, 1), RequestVerdict::Serve);
    EXPECT_EQ(s.hub->on_request(1, 2), RequestVerdict::Refuse);

    s.hub->commit(1, channel(), kPrice);  // one piece paid: window moves by one
    work = s.hub->take_work(1);
    ASSERT_EQ(work.messages.size(), 1u);
    EXPECT_EQ(decoded<AckMsg>(work.messages[0]).amount, kPrice);
    EXPECT_EQ(s.hub->on_request(1, 2), RequestVerdict::Serve);
    s.hub->commit(1, channel(), kPrice);  // the same receipt again: no new ack
    EXPECT_TRUE(s.hub->take_work(1).messages.empty());
}

TEST(HubSeller, RefusesProofsBeforeTheOpenAndMessagesOfTheWrongRole) {
    Seller s(0, 1);
    const auto sig =
        tron::sign_message_v2(tk::alice(), tron::balance_proof_message(channel().bytes(), 1));
    EXPECT_TRUE(s.hub->on_message(1, ProofMsg{channel(), kPrice, sig}).has_value());
    EXPECT_TRUE(s.hub->on_message(1, AckMsg{channel(), 0, 1}).has_value());
    EXPECT_FALSE(s.hub->on_message(1, OpenMsg{channel()}).has_value());
    EXPECT_TRUE(s.hub->on_message(1, OpenMsg{channel()}).has_value());  // a second open
    Hash32 other{};
    EXPECT_TRUE(
        s.hub->on_message(1, ProofMsg{channels::ChannelId(other), kPrice, sig}).has_value());
    EXPECT_FALSE(s.hub->on_message(1, ProofMsg{channel(), kPrice, sig}).has_value());
    EXPECT_EQ(s.to_node.size(), 2u);  // the open and the one good proof
}

TEST(HubSeller, ARefusalFromTheNodeLinkClosesThatConnection) {
    Seller s(0, 1);
    s.hub->refuse(1, "channel pays someone else");
    EXPECT_EQ(s.hub->take_work(1).close_reason, "channel pays someone else");
}

TEST(HubBuyer, PaysForVerifiedPiecesInOrderAfterTheOpenIncludingTheFreeOnes) {
    std::ostringstream log;
    Hub hub(std::nullopt, BuyerConfig{&tk::alice(), 0}, log);
    hub.on_connect(7, "seller");
    EXPECT_EQ(hub.more_pieces_allowed(), 0u);  // no hello yet: nothing is asked for
    hub.on_peer_hello(7, Hello{offer(/*free_pieces=*/2, /*credit=*/3)});
    EXPECT_EQ(hub.more_pieces_allowed(), 2u);
    ASSERT_EQ(hub.take_offers().size(), 1u);
    EXPECT_TRUE(hub.on_piece_pass(7, 0).empty());  // before the channel: free
    EXPECT_EQ(hub.more_pieces_allowed(), 1u);

    hub.set_channel(tk::actor("bob"), channel(), PayerAccount(kPrice, 10'000, 1'000'000, 0));
    // The open and the proof for the free piece are queued; the next piece's proof must
    // leave after them.
    const auto sent = hub.on_piece_pass(7, 1);
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(decoded<OpenMsg>(sent[0]).channel, channel());
    const auto p1 = decoded<ProofMsg>(sent[1]);
    const auto p2 = decoded<ProofMsg>(sent[2]);
    EXPECT_EQ(p1.amount, kPrice);
    EXPECT_EQ(p2.amount, 2 * kPrice);
    EXPECT_EQ(tron::recover_message_v2(tron::balance_proof_message(channel().bytes(), 2 * kPrice),
                                       p2.signature)
                  .value(),
              tk::alice().address());
    EXPECT_TRUE(hub.on_piece_pass(7, 1).empty());  // never twice for one piece
    EXPECT_EQ(hub.signed_total(), 2 * kPrice);

    EXPECT_FALSE(hub.on_message(7, AckMsg{channel(), 2 * kPrice, 5}).has_value());
    EXPECT_EQ(hub.acked(), 2 * kPrice);
    EXPECT_EQ(hub.more_pieces_allowed(), 3u);  // allow 5, 2 received
    Hash32 other{};
    EXPECT_TRUE(hub.on_message(7, AckMsg{channels::ChannelId(other), 0, 9}).has_value());
    EXPECT_TRUE(hub.on_message(7, OpenMsg{channel()}).has_value());  // we sell nothing
}

TEST(HubBuyer, APlainPeerMeansNoGating) {
    std::ostringstream log;
    Hub hub(std::nullopt, BuyerConfig{&tk::alice(), 0}, log);
    hub.on_connect(1, "plain");
    hub.on_peer_hello(1, std::nullopt);
    EXPECT_FALSE(hub.more_pieces_allowed().has_value());
}

TEST(HubBuyer, StopsPayingAfterTheTestLimit) {
    std::ostringstream log;
    Hub hub(std::nullopt, BuyerConfig{&tk::alice(), /*stop_paying_after=*/1}, log);
    hub.on_connect(1, "seller");
    hub.on_peer_hello(1, Hello{offer(0, 4)});
    hub.set_channel(tk::actor("bob"), channel(), PayerAccount(kPrice, 10'000, 1'000'000, 0));
    EXPECT_EQ(hub.on_piece_pass(1, 0).size(), 2u);  // open + proof
    EXPECT_TRUE(hub.on_piece_pass(1, 1).empty());
    EXPECT_EQ(hub.pieces_paid(), 1u);
}

TEST(HubSeller, ClosedConnectionsLeaveOnlyTheirTotalsBehind) {
    std::ostringstream log;
    Hub hub(SellerConfig{offer(/*free_pieces=*/1, /*credit=*/2),
                         [](std::uint64_t, const PayMessage&) {}},
            std::nullopt, log);
    constexpr std::uint64_t kRounds = 500;
    std::uint64_t conn = 0;
    for (std::uint64_t round = 0; round < kRounds; ++round) {
        // A freeloader takes its free piece and leaves; a plain peer too.
        ++conn;
        hub.on_connect(conn, "127.0.0.1:" + std::to_string(conn));
        hub.on_peer_hello(conn, Hello{});
        EXPECT_EQ(hub.on_request(conn, 0), RequestVerdict::Serve);
        hub.on_disconnect(conn);
        ++conn;
        hub.on_connect(conn, "127.0.0.1:" + std::to_string(conn));
        hub.on_peer_hello(conn, std::nullopt);
        EXPECT_EQ(hub.on_request(conn, 0), RequestVerdict::Serve);
        hub.on_disconnect(conn);
    }
    // A payer reconnects: each connection pays for two pieces of one channel.
    for (std::uint64_t round = 0; round < kRounds; ++round) {
        ++conn;
        hub.on_connect(conn, "127.0.0.1:" + std::to_string(conn));
        hub.on_peer_hello(conn, Hello{});
        ASSERT_FALSE(hub.on_message(conn, OpenMsg{channel()}).has_value());
        hub.grant_channel(conn, channel(), 2 * kPrice * round);
        EXPECT_EQ(hub.on_request(conn, 0), RequestVerdict::Serve);
        EXPECT_EQ(hub.on_request(conn, 1), RequestVerdict::Serve);
        hub.commit(conn, channel(), 2 * kPrice * round + kPrice);
        hub.on_disconnect(conn);
        // The receipt of the second piece arrives after the connection closed: it still counts.
        hub.commit(conn, channel(), 2 * kPrice * (round + 1));
    }
    EXPECT_EQ(hub.connection_records(), 0u);
    // Whatever arrives for a closed connection is ignored and recreates nothing.
    EXPECT_EQ(hub.on_request(1, 5), RequestVerdict::Refuse);
    EXPECT_FALSE(hub.on_message(1, OpenMsg{channel()}).has_value());
    hub.on_peer_hello(1, Hello{});
    hub.refuse(1, "late");
    EXPECT_TRUE(hub.take_work(1).messages.empty());
    EXPECT_EQ(hub.connection_records(), 0u);

    const auto report = hub.report();
    ASSERT_EQ(report.size(), 3u);  // the channel, closed plain peers, closed free peers
    std::uint64_t unpaid_served = 0;
    for (const auto& r : report) {
        if (r.channel_hex.empty()) {
            EXPECT_EQ(r.peer, "closed");
            EXPECT_EQ(r.served, kRounds);
            unpaid_served += r.served;
            continue;
        }
        EXPECT_EQ(r.channel_hex, channel().to_hex());
        EXPECT_EQ(r.served, 2 * kRounds);
        EXPECT_EQ(r.paid_pieces, 2 * kRounds);
        EXPECT_EQ(r.committed, 2 * kPrice * kRounds);
    }
    EXPECT_EQ(unpaid_served, 2 * kRounds);
}

TEST(HubSeller, ALiveConnectionIsReportedWithItsChannel) {
    Seller s(/*free_pieces=*/0, /*credit=*/3);
    s.hub->on_connect(2, "free peer");
    s.hub->on_peer_hello(2, Hello{});
    ASSERT_FALSE(s.hub->on_message(1, OpenMsg{channel()}).has_value());
    s.hub->grant_channel(1, channel(), 0);
    EXPECT_EQ(s.hub->on_request(1, 0), RequestVerdict::Serve);
    s.hub->commit(1, channel(), kPrice);
    const auto report = s.hub->report();
    ASSERT_EQ(report.size(), 2u);
    EXPECT_EQ(report[0].peer, "free peer");
    EXPECT_EQ(report[0].served, 0u);
    EXPECT_EQ(report[1].peer, "peer");
    EXPECT_EQ(report[1].served, 1u);
    EXPECT_EQ(report[1].paid_pieces, 1u);
    EXPECT_EQ(s.hub->connection_records(), 2u);
}

TEST(HubBuyer, ClosedSellersLeaveNoRecords) {
    std::ostringstream log;
    Hub hub(std::nullopt, BuyerConfig{&tk::alice(), 0}, log);
    for (std::uint64_t conn = 1; conn <= 100; ++conn) {
        hub.on_connect(conn, "seller");
        hub.on_peer_hello(conn, Hello{offer(1, 1)});
        EXPECT_TRUE(hub.on_piece_pass(conn, 0).empty());
        hub.on_disconnect(conn);
    }
    EXPECT_EQ(hub.connection_records(), 0u);
    EXPECT_EQ(hub.more_pieces_allowed(), 0u);
    EXPECT_TRUE(hub.on_piece_pass(1, 1).empty());
    EXPECT_EQ(hub.connection_records(), 0u);
}

}  // namespace
}  // namespace btt::torrent
