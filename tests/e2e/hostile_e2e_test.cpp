// The hostile catalogue (issue 20, DESIGN §8-§10; CTest label `hostile`): every bad input a
// stranger can send to every ChannelService call, with the exact answer each gets, and the
// stream (or the node) still serving afterwards. Talks to the real bttnode over gRPC only.
#include <gtest/gtest.h>

#include <btt/testkit/actors.h>

#include "proof_session.h"

namespace btt::e2e {
namespace {

namespace tk = btt::testkit;

RigOptions fast_settlement() {
    RigOptions o;
    o.extra_config =
        "settle_delay_s = 2\nmin_expiry_horizon_s = 3\n"
        "[settlement]\nwindow_s = 1\npayout_expiration_s = 3\n";
    o.escrow_trx = 0;  // payouts wait for funds: SETTLING channels stay SETTLING until funded
    return o;
}

// secp256k1's group order, big-endian: a signature's s above n/2 is replaced by n - s.
constexpr std::array<std::uint8_t, 32> kOrder = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

// The same signature with s' = n - s and v flipped: it recovers the same key, but it is the
// high-S twin that DESIGN §8 refuses (bad_signature).
std::string high_s_twin(std::string sig) {
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        const int d = kOrder[static_cast<std::size_t>(i)] -
                      static_cast<std::uint8_t>(sig[32 + static_cast<std::size_t>(i)]) - borrow;
        borrow = d < 0 ? 1 : 0;
        sig[32 + static_cast<std::size_t>(i)] = static_cast<char>(d & 0xff);
    }
    const auto v = static_cast<std::uint8_t>(sig[64]);
    sig[64] = static_cast<char>(v >= 27 ? 27 + ((v - 27) ^ 1) : v ^ 1);
    return sig;
}

std::string id_bytes(const channels::ChannelId& id) {
    return str(id.bytes());
}

std::string close_signature(const channels::ChannelId& id, const tron::PrivateKey& who) {
    return str(tron::sign_message_v2(who, tron::close_message(id.bytes())));
}

struct ProofCase {
    std::string name;
    v1::ProofRequest request;
    std::string expect;  // a reason token, or "duplicate" / "accepted"
};

std::uint32_t reason_number(const std::string& token) {
    static const std::map<std::string, std::uint32_t> numbers = {
        {"malformed", 1},        {"bad_signature", 2},          {"unknown_channel", 3},
        {"wrong_signer", 4},     {"channel_not_open", 5},       {"channel_expired", 6},
        {"amount_exceeds_deposit", 7}, {"amount_not_increasing", 8}};
    return numbers.at(token);
}

// Sends every case on one stream, then `last` (which must be accepted), and checks each
// answer exactly: the stream is still open after all of them.
void expect_answers(NodeRig& rig, std::vector<ProofCase> cases, const ProofCase& last) {
    auto stub = rig.stub();
    ProofSession s(*stub);
    cases.push_back(last);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        cases[i].request.set_request_id(100 + i);
        ASSERT_TRUE(s.send(cases[i].request)) << cases[i].name << ": the stream is closed";
    }
    const auto status = s.finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    const auto results = s.results();
    ASSERT_EQ(results.size(), cases.size());
    const auto receipt_address = tk::node_key().address();
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        const auto& r = results[i];
        EXPECT_EQ(r.request_id(), 100 + i) << c.name;
        if (c.expect == "duplicate" || c.expect == "accepted") {
            EXPECT_EQ(r.outcome(), c.expect == "duplicate" ? v1::OUTCOME_DUPLICATE
                                                           : v1::OUTCOME_ACCEPTED)
                << c.name << ": " << r.reason_token();
            const auto id = channels::ChannelId::from_bytes(as_bytes(c.request.channel_id()));
            ASSERT_TRUE(id) << c.name;
            EXPECT_TRUE(receipt_valid(r, *id, receipt_address)) << c.name;
            EXPECT_EQ(r.receipt().amount(), c.request.amount()) << c.name;
        } else {
            EXPECT_EQ(r.outcome(), v1::OUTCOME_REJECTED) << c.name;
            EXPECT_EQ(r.reason_token(), c.expect) << c.name;
            EXPECT_EQ(r.reason(), reason_number(c.expect)) << c.name;
            EXPECT_FALSE(r.has_receipt()) << c.name;
        }
    }
}

grpc::Status get_channel(NodeRig& rig, const std::string& id, v1::ChannelInfo* out = nullptr) {
    auto stub = rig.stub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetChannelRequest req;
    req.set_channel_id(id);
    v1::ChannelInfo info;
    const auto s = stub->GetChannel(&ctx, req, &info);
    if (out != nullptr)
        *out = info;
    return s;
}

grpc::Status close_channel(NodeRig& rig, const std::string& id, const std::string& signature) {
    auto stub = rig.stub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::CloseRequest req;
    req.set_channel_id(id);
    req.set_signature(signature);
    v1::CloseResult result;
    return stub->CloseChannel(&ctx, req, &result);
}

// The first status of a WatchChannel call that ends by itself (a bad request ends at once).
grpc::Status watch_status(NodeRig& rig, const std::string& id) {
    auto stub = rig.stub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::WatchChannelRequest req;
    req.set_channel_id(id);
    auto reader = stub->WatchChannel(&ctx, req);
    v1::ChannelEvent e;
    while (reader->Read(&e)) {
    }
    return reader->Finish();
}

TEST(Hostile, EveryBadInputToEveryChannelServiceCallGetsItsExactAnswer) {
    NodeRig rig(fast_settlement());
    rig.start_node();
    const auto bob = tk::actor("bob");
    const auto& alice = tk::alice();
    const auto& carol = tk::actor_key("carol");  // a stranger to alice's channels
    const auto live = rig.open_channel(alice, bob, 10'000'000);
    const auto settling = rig.open_channel(alice, bob, 10'000'000);
    const auto closed = rig.open_channel(alice, bob, 10'000'000);
    expect_answers(rig,
                   {{"settling's first", proof_request(0, settling, 1'000, alice), "accepted"},
                    {"closed's first", proof_request(0, closed, 2'000, alice), "accepted"}},
                   {"live's first", proof_request(0, live, 3'000, alice), "accepted"});
    // The payee's close: straight to SETTLING, where they stay while the escrow has no TRX.
    ASSERT_TRUE(close_channel(rig, id_bytes(settling), close_signature(settling, tk::actor_key("bob"))).ok());
    ASSERT_TRUE(close_channel(rig, id_bytes(closed), close_signature(closed, tk::actor_key("bob"))).ok());

    const auto with = [&](const char* name, const channels::ChannelId& id, std::uint64_t amount,
                          const tron::PrivateKey& key, const std::function<void(v1::ProofRequest&)>& edit,
                          const char* expect) {
        auto r = proof_request(0, id, amount, key);
        edit(r);
        return ProofCase{name, r, expect};
    };
    const auto none = [](v1::ProofRequest&) {};
    const std::string big(65'000, 'x');  // under limits.max_message_bytes (64 KiB) with the rest
    channels::ChannelId unknown;
    {
        Hash32 h{};
        h.fill(0x5a);
        unknown = channels::ChannelId(h);
    }
    std::vector<ProofCase> cases = {
        with("id of 0 bytes", live, 3'001, alice, [](auto& r) { r.set_channel_id(""); }, "malformed"),
        with("id of 31 bytes", live, 3'001, alice,
             [](auto& r) { r.set_channel_id(r.channel_id().substr(0, 31)); }, "malformed"),
        with("id of 33 bytes", live, 3'001, alice,
             [](auto& r) { r.set_channel_id(r.channel_id() + "x"); }, "malformed"),
        with("id of 65,000 bytes", live, 3'001, alice, [&](auto& r) { r.set_channel_id(big); },
             "malformed"),
        with("signature of 0 bytes", live, 3'001, alice, [](auto& r) { r.set_signature(""); },
             "malformed"),
        with("signature of 64 bytes", live, 3'001, alice,
             [](auto& r) { r.set_signature(r.signature().substr(0, 64)); }, "malformed"),
        with("signature of 66 bytes", live, 3'001, alice,
             [](auto& r) { r.set_signature(r.signature() + "x"); }, "malformed"),
        with("signature of 65,000 bytes", live, 3'001, alice, [&](auto& r) { r.set_signature(big); },
             "malformed"),
        with("amount 0", live, 0, alice, none, "malformed"),
        with("amount 2^63", live, 1ull << 63, alice, none, "malformed"),
        with("amount 2^64-1", live, ~0ull, alice, none, "malformed"),
        with("v = 29", live, 3'001, alice, [](auto& r) {
            auto s = r.signature();
            s[64] = 29;
            r.set_signature(s);
        }, "malformed"),
        with("high-S twin", live, 3'001, alice,
             [](auto& r) { r.set_signature(high_s_twin(r.signature())); }, "bad_signature"),
        with("r = 0", live, 3'001, alice, [](auto& r) {
            auto s = r.signature();
            std::fill(s.begin(), s.begin() + 32, '\0');
            r.set_signature(s);
        }, "bad_signature"),
        with("r and s all ones (above the order)", live, 3'001, alice, [](auto& r) {
            auto s = r.signature();
            std::fill(s.begin(), s.begin() + 64, '\xff');
            r.set_signature(s);
        }, "bad_signature"),
        with("unknown channel id", unknown, 3'001, alice, none, "unknown_channel"),
        with("a stranger's valid signature", live, 3'001, carol, none, "wrong_signer"),
        with("amount 2^63-1, over the deposit", live, (1ull << 63) - 1, alice, none,
             "amount_exceeds_deposit"),
        with("amount below the accepted one", live, 2'999, alice, none, "amount_not_increasing"),
        with("the accepted amount again", live, 3'000, alice, none, "duplicate"),
        with("a new amount on a SETTLING channel", settling, 1'500, alice, none,
             "channel_not_open"),
        with("a stranger on a SETTLING channel", settling, 1'500, carol, none, "wrong_signer"),
        with("a duplicate on a SETTLING channel", settling, 1'000, alice, none, "duplicate"),
    };
    v1::ChannelInfo before;
    ASSERT_TRUE(get_channel(rig, id_bytes(settling), &before).ok());
    ASSERT_EQ(before.state(), v1::CHANNEL_STATE_SETTLING);
    expect_answers(rig, cases, {"then a good proof", proof_request(0, live, 3'001, alice), "accepted"});

    // GetChannel and WatchChannel: the id is all they read.
    for (const auto& bad : {std::string(), id_bytes(live).substr(0, 31), id_bytes(live) + "x", big}) {
        EXPECT_EQ(get_channel(rig, bad).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.size();
        EXPECT_EQ(watch_status(rig, bad).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.size();
    }
    EXPECT_EQ(get_channel(rig, id_bytes(unknown)).error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(watch_status(rig, id_bytes(unknown)).error_code(), grpc::StatusCode::NOT_FOUND);

    // CloseChannel: ids, then signatures, on the live channel; none of them moves it.
    const auto good_close = close_signature(live, alice);
    for (const auto& bad : {std::string(), id_bytes(live).substr(0, 31), id_bytes(live) + "x", big}) {
        EXPECT_EQ(close_channel(rig, bad, good_close).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << bad.size();
    }
    EXPECT_EQ(close_channel(rig, id_bytes(unknown), close_signature(unknown, alice)).error_code(),
              grpc::StatusCode::NOT_FOUND);
    auto v29 = good_close;
    v29[64] = 29;
    auto r0 = good_close;
    std::fill(r0.begin(), r0.begin() + 32, '\0');
    for (const auto& [name, sig] : std::vector<std::pair<std::string, std::string>>{
             {"no signature", ""},
             {"64 bytes", good_close.substr(0, 64)},
             {"66 bytes", good_close + "x"},
             {"65,000 bytes", big},
             {"v = 29", v29},
             {"high-S twin", high_s_twin(good_close)},
             {"r = 0", r0},
             {"a proof's signature, not a close's", proof_request(0, live, 3'001, alice).signature()}}) {
        const auto s = close_channel(rig, id_bytes(live), sig);
        // A proof's signature recovers to someone, just not to a party: PERMISSION_DENIED.
        const auto want = name.rfind("a proof", 0) == 0 ? grpc::StatusCode::PERMISSION_DENIED
                                                         : grpc::StatusCode::INVALID_ARGUMENT;
        EXPECT_EQ(s.error_code(), want) << name << ": " << s.error_message();
    }
    EXPECT_EQ(close_channel(rig, id_bytes(live), close_signature(live, carol)).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(close_channel(rig, id_bytes(settling), close_signature(settling, alice)).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    v1::ChannelInfo info;
    ASSERT_TRUE(get_channel(rig, id_bytes(live), &info).ok());
    EXPECT_EQ(info.state(), v1::CHANNEL_STATE_OPEN);
    EXPECT_EQ(info.accepted(), 3'001);

    // Funded, the settler pays both out: CLOSED. Proofs on CLOSED channels.
    rig.transfer_trx(alice, rig.escrow(), 100'000'000);
    for (const auto& id : {settling, closed}) {
        ASSERT_TRUE(rig.wait_channel(
            id, [](const auto& c) { return c && c->state() == v1::CHANNEL_STATE_CLOSED; },
            std::chrono::seconds(60)))
            << rig.node_log();
    }
    expect_answers(rig,
                   {with("a new amount on a CLOSED channel", closed, 2'500, alice, none,
                         "channel_not_open"),
                    with("a stranger on a CLOSED channel", closed, 2'500, carol, none, "wrong_signer"),
                    with("a duplicate on a CLOSED channel", closed, 2'000, alice, none, "duplicate"),
                    with("a duplicate on the other CLOSED channel", settling, 1'000, alice, none,
                         "duplicate")},
                   {"and the live channel still pays", proof_request(0, live, 3'002, alice), "accepted"});
    EXPECT_EQ(close_channel(rig, id_bytes(closed), close_signature(closed, tk::actor_key("bob"))).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_TRUE(rig.node_running());
}

}  // namespace
}  // namespace btt::e2e
