// trondev over its real gRPC wire on loopback: java-tron's paths and messages, empty
// answers for "not found", the solidity port's lag, and every injected fault.
#include <chrono>
#include <optional>
#include <thread>

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <tron/api/api.grpc.pb.h>

#include <btt/base/hex.h>
#include <btt/testkit/actors.h>
#include <btt/tron/transaction.h>
#include <btt/trondev/node.h>

namespace {

using namespace btt::trondev;
namespace tk = btt::testkit;

Genesis genesis() {
    Genesis g;
    g.timestamp_ms = 1'750'000'000'000;
    g.params.block_interval_ms = 50;
    g.params.solid_lag = 3;
    g.tokens.push_back({"1002000", "BitTorrent", "BTT", 6, tk::actor("issuer"), 1'000'000'000'000});
    g.accounts.push_back({tk::alice().address(), 100'000'000, {{"1002000", 50'000'000}}});
    g.accounts.push_back({tk::bob().address(), 100'000'000, {}});
    return g;
}

std::string str(btt::ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

class TrondevNode : public ::testing::Test {
protected:
    void SetUp() override {
        node = std::make_unique<Node>(genesis(), NodeOptions{"127.0.0.1:0", "127.0.0.1:0", false});
        auto full = grpc::CreateChannel("127.0.0.1:" + std::to_string(node->wallet_port()), grpc::InsecureChannelCredentials());
        auto solid = grpc::CreateChannel("127.0.0.1:" + std::to_string(node->solidity_port()), grpc::InsecureChannelCredentials());
        wallet = protocol::Wallet::NewStub(full);
        database = protocol::Database::NewStub(full);
        solidity = protocol::WalletSolidity::NewStub(solid);
        for (int i = 0; i < 5; ++i) node->produce_block_now();
    }

    template <typename Call>
    grpc::Status call(Call&& c) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        return c(&ctx);
    }

    // A transfer alice -> bob referencing the solidified head, as java-tron builders do.
    btt::Bytes transfer(std::int64_t amount, const std::string& memo = "",
                        std::optional<std::string> token = std::string("1002000"),
                        const btt::tron::TronAddress& to = tk::bob().address()) {
        protocol::BlockExtention solid_head;
        EXPECT_TRUE(call([&](auto* ctx) { return solidity->GetNowBlock2(ctx, {}, &solid_head); }).ok());
        btt::Hash32 id{};
        std::copy(solid_head.blockid().begin(), solid_head.blockid().end(), id.begin());
        protocol::BlockExtention head;
        EXPECT_TRUE(call([&](auto* ctx) { return wallet->GetNowBlock2(ctx, {}, &head); }).ok());
        const auto head_time = head.block_header().raw_data().timestamp();
        btt::tron::TransferSpec spec{token, tk::alice().address(), to, amount,
                                     btt::tron::tapos_from_block(solid_head.block_header().raw_data().number(), id),
                                     head_time + 60'000, head_time, btt::to_bytes(memo)};
        const auto built = btt::tron::build_transfer(spec).value();
        const btt::tron::Signature sig[] = {btt::tron::sign_transaction(tk::alice(), built.txid)};
        last_txid = built.txid;
        return btt::tron::signed_transaction_bytes(built.raw_data, sig);
    }

    protocol::Return broadcast(const btt::Bytes& tx, grpc::Status* status = nullptr) {
        protocol::Transaction t;
        t.ParseFromArray(tx.data(), static_cast<int>(tx.size()));
        protocol::Return ret;
        const auto s = call([&](auto* ctx) { return wallet->BroadcastTransaction(ctx, t, &ret); });
        if (status) *status = s;
        else EXPECT_TRUE(s.ok()) << s.error_message();
        return ret;
    }

    protocol::TransactionInfo info(bool solid, const btt::tron::TxId& txid) {
        protocol::BytesMessage req;
        req.set_value(str(txid));
        protocol::TransactionInfo out;
        const auto s = call([&](auto* ctx) {
            return solid ? solidity->GetTransactionInfoById(ctx, req, &out) : wallet->GetTransactionInfoById(ctx, req, &out);
        });
        EXPECT_TRUE(s.ok());
        return out;
    }

    protocol::Account account(bool solid, const btt::tron::TronAddress& address) {
        protocol::Account req, out;
        req.set_address(str(address.bytes()));
        const auto s = call([&](auto* ctx) {
            return solid ? solidity->GetAccount(ctx, req, &out) : wallet->GetAccount(ctx, req, &out);
        });
        EXPECT_TRUE(s.ok()) << s.error_message();
        return out;
    }

    std::unique_ptr<Node> node;
    std::unique_ptr<protocol::Wallet::Stub> wallet;
    std::unique_ptr<protocol::Database::Stub> database;
    std::unique_ptr<protocol::WalletSolidity::Stub> solidity;
    btt::tron::TxId last_txid{};
};

TEST_F(TrondevNode, ServesHeadSolidHeadAndBlockReference) {
    protocol::BlockExtention head, solid;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetNowBlock2(ctx, {}, &head); }).ok());
    ASSERT_TRUE(call([&](auto* ctx) { return solidity->GetNowBlock2(ctx, {}, &solid); }).ok());
    EXPECT_EQ(head.block_header().raw_data().number(), 5);
    EXPECT_EQ(solid.block_header().raw_data().number(), 2);
    EXPECT_EQ(head.blockid().size(), 32u);
    protocol::BlockReference ref;
    ASSERT_TRUE(call([&](auto* ctx) { return database->getBlockReference(ctx, {}, &ref); }).ok());
    EXPECT_EQ(ref.block_num(), 5);
    EXPECT_EQ(ref.block_hash(), head.blockid());
    protocol::DynamicProperties dp;
    ASSERT_TRUE(call([&](auto* ctx) { return database->GetDynamicProperties(ctx, {}, &dp); }).ok());
    EXPECT_EQ(dp.last_solidity_block_num(), 2);
}

TEST_F(TrondevNode, NotFoundIsAnEmptyMessageWithStatusOk) {
    protocol::NumberMessage n;
    n.set_num(99);
    protocol::BlockExtention b;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlockByNum2(ctx, n, &b); }).ok());
    EXPECT_TRUE(b.blockid().empty());
    n.set_num(4);  // exists, but above the solid height
    ASSERT_TRUE(call([&](auto* ctx) { return solidity->GetBlockByNum2(ctx, n, &b); }).ok());
    EXPECT_TRUE(b.blockid().empty());
    btt::tron::TxId nothing{};
    EXPECT_TRUE(info(false, nothing).id().empty());
    protocol::Account req, acc;
    req.set_address(str(tk::actor("nobody").bytes()));
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetAccount(ctx, req, &acc); }).ok());
    EXPECT_TRUE(acc.address().empty());
    protocol::BlockLimit bad;
    bad.set_startnum(0);
    bad.set_endnum(101);
    protocol::BlockListExtention list;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlockByLimitNext2(ctx, bad, &list); }).ok());
    EXPECT_EQ(list.block_size(), 0);
    bad.set_endnum(3);
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlockByLimitNext2(ctx, bad, &list); }).ok());
    EXPECT_EQ(list.block_size(), 3);  // [0, 3)
}

TEST_F(TrondevNode, BroadcastMovesBalancesAndSolidifiesAfterTheLag) {
    const auto tx = transfer(1'500'000);
    const auto ret = broadcast(tx);
    ASSERT_TRUE(ret.result()) << ret.message();
    node->produce_block_now();
    EXPECT_EQ(info(false, last_txid).blocknumber(), 6);
    EXPECT_TRUE(info(true, last_txid).id().empty());  // not solid yet
    for (int i = 0; i < 3; ++i) node->produce_block_now();
    EXPECT_EQ(info(true, last_txid).blocknumber(), 6);
    protocol::Account req, acc;
    req.set_address(str(tk::bob().address().bytes()));
    ASSERT_TRUE(call([&](auto* ctx) { return solidity->GetAccount(ctx, req, &acc); }).ok());
    EXPECT_EQ(acc.assetv2().at("1002000"), 1'500'000);
    protocol::BytesMessage id;
    id.set_value(str(last_txid));
    protocol::Transaction stored;
    ASSERT_TRUE(call([&](auto* ctx) { return solidity->GetTransactionById(ctx, id, &stored); }).ok());
    ASSERT_EQ(stored.ret_size(), 1);
    EXPECT_EQ(stored.ret(0).contractret(), protocol::Transaction::Result::SUCCESS);
    EXPECT_EQ(broadcast(tx).code(), protocol::Return::DUP_TRANSACTION_ERROR);
}

TEST_F(TrondevNode, SolidityPortAnswersBalancesAsOfTheSolidHead) {
    const auto bob = tk::bob().address(), carol = tk::carol().address();
    const protocol::Account bob_before = account(true, bob);
    ASSERT_TRUE(broadcast(transfer(1'500'000)).result());                              // BTT to bob
    ASSERT_TRUE(broadcast(transfer(3'000'000, "", std::nullopt, bob)).result());       // TRX to bob
    ASSERT_TRUE(broadcast(transfer(4'000'000, "", std::nullopt, carol)).result());     // TRX, creates carol
    using google::protobuf::util::MessageDifferencer;
    auto unchanged_on_the_solidity_port = [&] {
        EXPECT_TRUE(MessageDifferencer::Equals(account(true, bob), bob_before));
        EXPECT_TRUE(account(true, carol).address().empty());  // java-tron's empty answer
    };
    // Pending, then in block 6 while the solid head is 3, 4, 5: the full node shows the
    // transfers at once (pending state), the solidity port not yet.
    unchanged_on_the_solidity_port();
    EXPECT_EQ(account(false, bob).assetv2().at("1002000"), 1'500'000);
    EXPECT_EQ(account(false, bob).balance(), bob_before.balance() + 3'000'000);
    EXPECT_EQ(account(false, carol).balance(), 4'000'000);
    node->produce_block_now();
    ASSERT_EQ(info(false, last_txid).blocknumber(), 6);
    for (int i = 0; i < 2; ++i) {
        unchanged_on_the_solidity_port();
        node->produce_block_now();
    }
    unchanged_on_the_solidity_port();
    node->produce_block_now();  // head 9, solid 6
    // Solid: both ports give the same answer, field for field.
    for (const auto& a : {tk::alice().address(), bob, carol}) {
        const auto full = account(false, a);
        const auto solid = account(true, a);
        EXPECT_FALSE(solid.address().empty());
        EXPECT_TRUE(MessageDifferencer::Equals(full, solid)) << full.DebugString() << solid.DebugString();
    }
    EXPECT_EQ(account(true, bob).assetv2().at("1002000"), 1'500'000);
    EXPECT_EQ(account(true, bob).balance(), bob_before.balance() + 3'000'000);
    EXPECT_EQ(account(true, carol).balance(), 4'000'000);
}

TEST_F(TrondevNode, GetBlockTakesANumberAnIdOrNothing) {
    protocol::BlockExtention by_num, by_id, head;
    protocol::BlockReq req;
    req.set_id_or_num("3");
    req.set_detail(true);
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlock(ctx, req, &by_num); }).ok());
    EXPECT_EQ(by_num.block_header().raw_data().number(), 3);
    req.set_id_or_num(btt::to_hex(btt::as_bytes(by_num.blockid())));
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlock(ctx, req, &by_id); }).ok());
    EXPECT_EQ(by_id.blockid(), by_num.blockid());
    req.set_id_or_num("");
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlock(ctx, req, &head); }).ok());
    EXPECT_EQ(head.block_header().raw_data().number(), 5);
    req.set_id_or_num("not-a-block");
    protocol::BlockExtention bad;
    EXPECT_EQ(call([&](auto* ctx) { return wallet->GetBlock(ctx, req, &bad); }).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    req.set_id_or_num("4");  // above the solid height on the solidity port: empty
    protocol::BlockExtention above;
    ASSERT_TRUE(call([&](auto* ctx) { return solidity->GetBlock(ctx, req, &above); }).ok());
    EXPECT_TRUE(above.blockid().empty());
}

TEST_F(TrondevNode, RejectionsCarryJavaTronsCodeAndMessage) {
    const auto ret = broadcast(transfer(60'000'000));
    EXPECT_FALSE(ret.result());
    EXPECT_EQ(ret.code(), protocol::Return::CONTRACT_VALIDATE_ERROR);
    EXPECT_EQ(ret.message(), "Contract validate error : assetBalance is not sufficient.");
}

TEST_F(TrondevNode, ServerSideBuilderSignBroadcastIsTheUsualClientFlow) {
    protocol::TransferAssetContract c;
    c.set_asset_name("1002000");
    c.set_owner_address(str(tk::alice().address().bytes()));
    c.set_to_address(str(tk::bob().address().bytes()));
    c.set_amount(42);
    protocol::TransactionExtention ext;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->TransferAsset2(ctx, c, &ext); }).ok());
    ASSERT_TRUE(ext.result().result()) << ext.result().message();
    EXPECT_EQ(ext.result().code(), protocol::Return::SUCCESS);
    EXPECT_EQ(ext.transaction().signature_size(), 0);
    // The txid is sha256 of raw_data as serialised: what the client will sign.
    const auto raw = ext.transaction().raw_data().SerializeAsString();
    const auto txid = btt::tron::txid_of(btt::as_bytes(raw));
    EXPECT_EQ(ext.txid(), str(txid));
    protocol::Transaction signed_tx = ext.transaction();
    signed_tx.add_signature(str(btt::tron::sign_transaction(tk::alice(), txid)));
    protocol::Return ret;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->BroadcastTransaction(ctx, signed_tx, &ret); }).ok());
    ASSERT_TRUE(ret.result()) << ret.message();
    // Pending until the next block, then in it.
    protocol::TransactionIdList pending;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetTransactionListFromPending(ctx, {}, &pending); }).ok());
    ASSERT_EQ(pending.txid_size(), 1);
    EXPECT_EQ(pending.txid(0), btt::to_hex(txid));
    protocol::BytesMessage id;
    id.set_value(str(txid));
    protocol::Transaction from_pending;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetTransactionFromPending(ctx, id, &from_pending); }).ok());
    EXPECT_EQ(from_pending.raw_data().SerializeAsString(), raw);
    protocol::BytesMessage short_id;
    short_id.set_value(str(txid).substr(0, 31));  // not a txid: an empty answer, as java-tron's
    protocol::Transaction none;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetTransactionFromPending(ctx, short_id, &none); }).ok());
    EXPECT_FALSE(none.has_raw_data());
    node->produce_block_now();
    EXPECT_EQ(info(false, txid).blocknumber(), 6);
    protocol::Transaction gone;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetTransactionFromPending(ctx, id, &gone); }).ok());
    EXPECT_FALSE(gone.has_raw_data());

    // TRX, through CreateTransaction2.
    protocol::TransferContract trx;
    trx.set_owner_address(str(tk::bob().address().bytes()));
    trx.set_to_address(str(tk::alice().address().bytes()));
    trx.set_amount(1'000);
    protocol::TransactionExtention trx_ext;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->CreateTransaction2(ctx, trx, &trx_ext); }).ok());
    ASSERT_TRUE(trx_ext.result().result()) << trx_ext.result().message();
    EXPECT_EQ(trx_ext.transaction().raw_data().contract(0).type(), protocol::Transaction::Contract::TransferContract);
}

TEST_F(TrondevNode, ServerSideBuilderRefusesLikeJavaTron) {
    protocol::TransferAssetContract c;
    c.set_asset_name("1002000");
    c.set_owner_address(str(tk::alice().address().bytes()));
    c.set_to_address(str(tk::bob().address().bytes()));
    c.set_amount(60'000'000);
    protocol::TransactionExtention ext;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->TransferAsset2(ctx, c, &ext); }).ok());
    EXPECT_FALSE(ext.result().result());
    EXPECT_EQ(ext.result().code(), protocol::Return::CONTRACT_VALIDATE_ERROR);
    EXPECT_EQ(ext.result().message(), "Contract validate error : assetBalance is not sufficient.");
    EXPECT_FALSE(ext.has_transaction());
    EXPECT_TRUE(ext.txid().empty());
    // The deprecated form answers an empty Transaction.
    protocol::Transaction old;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->TransferAsset(ctx, c, &old); }).ok());
    EXPECT_FALSE(old.has_raw_data());
    c.set_amount(5);
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->TransferAsset(ctx, c, &old); }).ok());
    EXPECT_EQ(old.raw_data().contract_size(), 1);
}

TEST_F(TrondevNode, LatestBlocksAndBandwidthAsJavaTronServesThem) {
    protocol::NumberMessage n;
    n.set_num(3);
    protocol::BlockListExtention latest;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlockByLatestNum2(ctx, n, &latest); }).ok());
    ASSERT_EQ(latest.block_size(), 3);
    EXPECT_EQ(latest.block(0).block_header().raw_data().number(), 3);  // oldest first
    EXPECT_EQ(latest.block(2).block_header().raw_data().number(), 5);
    for (const std::int64_t bad : {0, 100, -1}) {
        n.set_num(bad);
        protocol::BlockListExtention none;
        ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetBlockByLatestNum2(ctx, n, &none); }).ok());
        EXPECT_EQ(none.block_size(), 0) << bad;
    }
    ASSERT_TRUE(broadcast(transfer(1)).result());
    protocol::Account req;
    req.set_address(str(tk::alice().address().bytes()));
    protocol::AccountNetMessage net;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetAccountNet(ctx, req, &net); }).ok());
    EXPECT_EQ(net.freenetlimit(), 5000);
    EXPECT_GT(net.freenetused(), 200);  // one transfer's bytes + 64
    req.set_address(str(tk::actor("nobody").bytes()));
    protocol::AccountNetMessage empty;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetAccountNet(ctx, req, &empty); }).ok());
    EXPECT_EQ(empty.freenetlimit(), 0);
}

TEST_F(TrondevNode, InjectedFaults) {
    const auto tx = transfer(1);  // built before the fault: building reads the chain
    node->faults().unavailable_rate = 1.0;
    grpc::Status s;
    broadcast(tx, &s);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
    node->faults().unavailable_rate = 0.0;

    node->faults().busy_rate = 1.0;
    EXPECT_EQ(broadcast(transfer(2)).code(), protocol::Return::SERVER_BUSY);
    node->faults().busy_rate = 0.0;

    node->faults().drop_rate = 1.0;
    const auto ret = broadcast(transfer(3));
    EXPECT_TRUE(ret.result());  // answered SUCCESS ...
    node->faults().drop_rate = 0.0;
    for (int i = 0; i < 5; ++i) node->produce_block_now();
    EXPECT_TRUE(info(false, last_txid).id().empty());  // ... and never included

    node->faults().latency_ms = 200;
    const auto t0 = std::chrono::steady_clock::now();
    protocol::BlockExtention head;
    ASSERT_TRUE(call([&](auto* ctx) { return wallet->GetNowBlock2(ctx, {}, &head); }).ok());
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
    node->faults().latency_ms = 0;
}

TEST(TrondevProduction, ProducesBlocksOnItsTimerAndPausesOnRequest) {
    Node node(genesis(), NodeOptions{"127.0.0.1:0", "127.0.0.1:0", true});
    auto head = [&] {
        std::int64_t n = 0;
        node.with_chain([&](Chain& c) { n = c.head_number(); });
        return n;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (head() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_GE(head(), 3);
    node.faults().paused = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(120));  // let a tick in flight finish
    const auto paused_at = head();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(head(), paused_at);
}

}  // namespace
