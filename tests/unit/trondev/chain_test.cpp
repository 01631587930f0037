// trondev's chain: java-tron's broadcast checks, codes and messages, in java-tron's order;
// blocks, receipts and balances; the SDK's transactions pass the signature check and fail
// TAPOS (their reference block is not on this chain).
#include <map>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include <tron/core/Tron.pb.h>

#include <btt/base/hex.h>
#include <btt/testkit/actors.h>
#include <btt/testkit/vectors.h>
#include <btt/trondev/chain.h>

namespace {

using namespace btt::trondev;
using btt::tron::TronAddress;
namespace tk = btt::testkit;

constexpr std::int64_t kGenesisMs = 1'750'000'000'000;
constexpr std::int64_t kTrx = 1'000'000;

Genesis genesis() {
    Genesis g;
    g.timestamp_ms = kGenesisMs;
    g.params.block_interval_ms = 3000;
    g.params.solid_lag = 2;
    g.tokens.push_back({"1002000", "BitTorrent", "BTT", 6, tk::actor("issuer"), 990'000'000'000'000'000});
    g.tokens.push_back({"1000001", "Other", "OTH", 0, tk::actor("issuer"), 1000});
    g.accounts.push_back({tk::alice().address(), 100 * kTrx, {{"1002000", 50'000'000}}});
    g.accounts.push_back({tk::bob().address(), 100 * kTrx, {}});
    g.accounts.push_back({tk::carol().address(), 0, {{"1002000", 5}}});
    return g;
}

struct TxArgs {
    const btt::tron::PrivateKey* key = &tk::alice();
    TronAddress to = tk::bob().address();
    std::optional<std::string> token = std::string("1002000");
    std::int64_t amount = 1'000'000;
    std::string memo;
    std::int64_t expiration_offset = 60'000;
    std::optional<btt::tron::Tapos> tapos;
};

btt::Bytes make_tx(const Chain& chain, const TxArgs& a) {
    const auto& ref = *chain.block(chain.solid_number());
    btt::tron::TransferSpec spec{a.token,
                                 a.key->address(),
                                 a.to,
                                 a.amount,
                                 a.tapos.value_or(btt::tron::tapos_from_block(ref.number, ref.id)),
                                 chain.head().timestamp + a.expiration_offset,
                                 chain.head().timestamp,
                                 btt::to_bytes(a.memo)};
    const auto built = btt::tron::build_transfer(spec).value();
    const btt::tron::Signature sig[] = {btt::tron::sign_transaction(*a.key, built.txid)};
    return btt::tron::signed_transaction_bytes(built.raw_data, sig);
}

void expect_code(const BroadcastResult& r, ReturnCode code, const std::string& message_part) {
    EXPECT_EQ(r.code, code) << r.message;
    EXPECT_NE(r.message.find(message_part), std::string::npos) << r.message;
}

class ChainTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (int i = 0; i < 3; ++i) chain.produce_block();
    }
    Chain chain{genesis()};
};

TEST_F(ChainTest, BlocksFollowSlotsFromGenesis) {
    EXPECT_EQ(chain.head_number(), 3);
    EXPECT_EQ(chain.block(0)->timestamp, kGenesisMs);
    EXPECT_EQ(chain.head().timestamp, kGenesisMs + 3 * 3000);
    EXPECT_EQ(chain.solid_number(), 1);
    EXPECT_EQ(btt::to_hex(chain.head().id).substr(0, 16), "0000000000000003");
    EXPECT_EQ(chain.block(4), nullptr);
    EXPECT_EQ(chain.block(-1), nullptr);
}

TEST_F(ChainTest, AcceptsATransferAndMovesBalancesWhenPacked) {
    const auto tx = make_tx(chain, {});
    const auto r = chain.broadcast(tx);
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(chain.pending_size(), 1u);
    const auto txid = btt::tron::txid_of(btt::tron::split_signed_transaction(tx)->raw_data);
    EXPECT_FALSE(chain.receipt(txid));
    chain.produce_block();
    const auto receipt = chain.receipt(txid);
    ASSERT_TRUE(receipt);
    EXPECT_EQ(receipt->block_number, chain.head_number());
    EXPECT_EQ(receipt->fee, 0);  // free bandwidth covered it
    EXPECT_GT(receipt->net_usage, 0);
    EXPECT_EQ(chain.account(tk::alice().address())->assets.at("1002000"), 49'000'000);
    EXPECT_EQ(chain.account(tk::bob().address())->assets.at("1002000"), 1'000'000);
    EXPECT_EQ(chain.head().txids.size(), 1u);
    // Stored as in a block: the broadcast bytes plus ret {contractRet: SUCCESS}.
    EXPECT_EQ(btt::to_hex(chain.head().transactions[0]), btt::to_hex(tx) + "2a021801");
}

TEST_F(ChainTest, MemoAndAccountCreationFeesAreBurned) {
    TxArgs a;
    a.memo = "btt-channel:v1:open:x";
    a.to = tk::actor("newcomer");
    const auto tx = make_tx(chain, a);
    ASSERT_TRUE(chain.broadcast(tx).ok());
    chain.produce_block();
    const auto txid = btt::tron::txid_of(btt::tron::split_signed_transaction(tx)->raw_data);
    const auto p = chain.params();
    EXPECT_EQ(chain.receipt(txid)->fee, p.memo_fee + p.create_account_fee + p.create_new_account_fee_in_system_contract);
    EXPECT_EQ(chain.account(tk::alice().address())->balance, 100 * kTrx - chain.receipt(txid)->fee);
    ASSERT_NE(chain.account(tk::actor("newcomer")), nullptr);
}

TEST_F(ChainTest, EveryRejectionPathGivesJavaTronsCode) {
    TxArgs expired;
    expired.expiration_offset = 2999;  // before the next slot
    expect_code(chain.broadcast(make_tx(chain, expired)), ReturnCode::TransactionExpirationError, "expired");
    TxArgs far;
    far.expiration_offset = 86'400'001;
    expect_code(chain.broadcast(make_tx(chain, far)), ReturnCode::TransactionExpirationError, "expired");

    // Signed by bob for alice's transfer: built with alice as owner, signed by bob.
    {
        const auto& ref = *chain.block(chain.solid_number());
        btt::tron::TransferSpec spec{std::string("1002000"), tk::alice().address(), tk::bob().address(), 5,
                                     btt::tron::tapos_from_block(ref.number, ref.id),
                                     chain.head().timestamp + 60'000, chain.head().timestamp, {}};
        const auto built = btt::tron::build_transfer(spec).value();
        const btt::tron::Signature wrong[] = {btt::tron::sign_transaction(tk::bob(), built.txid)};
        expect_code(chain.broadcast(btt::tron::signed_transaction_bytes(built.raw_data, wrong)),
                    ReturnCode::SigError, "Validate signature error");
        const btt::tron::Signature two[] = {btt::tron::sign_transaction(tk::alice(), built.txid),
                                            btt::tron::sign_transaction(tk::alice(), built.txid)};
        expect_code(chain.broadcast(btt::tron::signed_transaction_bytes(built.raw_data, two)),
                    ReturnCode::SigError, "Validate signature error");
        expect_code(chain.broadcast(btt::tron::signed_transaction_bytes(built.raw_data, {})),
                    ReturnCode::SigError, "Validate signature error");
    }

    TxArgs bad_tapos;
    bad_tapos.tapos = btt::tron::Tapos{{0x00, 0x01}, {1, 2, 3, 4, 5, 6, 7, 8}};
    expect_code(chain.broadcast(make_tx(chain, bad_tapos)), ReturnCode::TaposError, "Tapos check error.");
    TxArgs future_tapos;
    future_tapos.tapos = btt::tron::Tapos{{0x00, 0x09}, {}};
    expect_code(chain.broadcast(make_tx(chain, future_tapos)), ReturnCode::TaposError, "Tapos check error.");

    const auto ok = make_tx(chain, {});
    ASSERT_TRUE(chain.broadcast(ok).ok());
    expect_code(chain.broadcast(ok), ReturnCode::DupTransactionError, "Dup transaction.");
    chain.produce_block();
    expect_code(chain.broadcast(ok), ReturnCode::DupTransactionError, "Dup transaction.");

    TxArgs stranger;
    stranger.key = &tk::actor_key("stranger");
    // BandwidthProcessor looks the owner up before the actuator does.
    expect_code(chain.broadcast(make_tx(chain, stranger)), ReturnCode::ContractValidateError,
                "Contract validate error : account [" + tk::actor("stranger").to_base58() + "] does not exist");
    TxArgs self;
    self.to = tk::alice().address();
    expect_code(chain.broadcast(make_tx(chain, self)), ReturnCode::ContractValidateError,
                "Contract validate error : Cannot transfer asset to yourself.");
    TxArgs no_asset;
    no_asset.token = "1999999";
    expect_code(chain.broadcast(make_tx(chain, no_asset)), ReturnCode::ContractValidateError, "No asset!");
    TxArgs none_held;
    none_held.token = "1000001";
    expect_code(chain.broadcast(make_tx(chain, none_held)), ReturnCode::ContractValidateError,
                "assetBalance must be greater than 0.");
    TxArgs too_much;
    too_much.amount = 50'000'001;
    expect_code(chain.broadcast(make_tx(chain, too_much)), ReturnCode::ContractValidateError,
                "assetBalance is not sufficient.");
    TxArgs trx_too_much;
    trx_too_much.token.reset();
    trx_too_much.amount = 101 * kTrx;
    expect_code(chain.broadcast(make_tx(chain, trx_too_much)), ReturnCode::ContractValidateError,
                "balance is not sufficient");
    // carol has tokens but no TRX: a memo she cannot pay for is a bandwidth error.
    TxArgs broke;
    broke.key = &tk::carol();
    broke.amount = 1;
    broke.memo = "hello";
    expect_code(chain.broadcast(make_tx(chain, broke)), ReturnCode::BandwidthError,
                "Account resource insufficient error.");
    // ... and creating an account costs TRX she does not have.
    TxArgs broke_new;
    broke_new.key = &tk::carol();
    broke_new.amount = 1;
    broke_new.to = tk::actor("someone-new");
    expect_code(chain.broadcast(make_tx(chain, broke_new)), ReturnCode::BandwidthError,
                "Account resource insufficient error.");
    expect_code(chain.broadcast(btt::from_hex("ffff").value()), ReturnCode::OtherError, "Error");
}

TEST_F(ChainTest, SizeAndContractCountRefusalsCarryJavaTronsTexts) {
    // A new recipient caps the transaction (less signatures) at getMaxCreateAccountTxSize.
    TxArgs big_new;
    big_new.to = tk::actor("newcomer");
    big_new.memo = std::string(1000, 'm');
    const auto r1 = chain.broadcast(make_tx(chain, big_new));
    expect_code(r1, ReturnCode::TooBigTransactionError, "Too big new account transaction, TxId ");
    EXPECT_NE(r1.message.find("maxTxSize 1000"), std::string::npos) << r1.message;
    // Any transaction: 500 KiB with two result headers.
    TxArgs huge;
    huge.memo = std::string(512'000, 'm');
    const auto r2 = chain.broadcast(make_tx(chain, huge));
    expect_code(r2, ReturnCode::TooBigTransactionError, "Too big transaction with result, TxId ");
    EXPECT_NE(r2.message.find("maxTxSize 512000"), std::string::npos) << r2.message;
    // Two contracts (the first repeated), properly signed: refused after the signature.
    const auto one = btt::tron::split_signed_transaction(make_tx(chain, {}))->raw_data;
    protocol::Transaction::raw raw;
    ASSERT_TRUE(raw.ParseFromArray(one.data(), static_cast<int>(one.size())));
    raw.add_contract()->CopyFrom(raw.contract(0));
    const btt::Bytes two = btt::to_bytes(raw.SerializeAsString());
    ASSERT_EQ(btt::tron::decode_raw_data(two)->contracts.size(), 2u);
    const btt::tron::Signature sig[] = {btt::tron::sign_transaction(tk::alice(), btt::tron::txid_of(two))};
    expect_code(chain.broadcast(btt::tron::signed_transaction_bytes(two, sig)), ReturnCode::ContractValidateError,
                "contract size should be exactly 1, this is extend feature ,actual :2");
    EXPECT_EQ(chain.pending_size(), 0u);
}

TEST_F(ChainTest, RefusalsChangeNoBalance) {
    const auto before = *chain.account(tk::alice().address());
    TxArgs too_much;
    too_much.amount = 50'000'001;
    ASSERT_FALSE(chain.broadcast(make_tx(chain, too_much)).ok());
    EXPECT_EQ(chain.account(tk::alice().address())->balance, before.balance);
    EXPECT_EQ(chain.account(tk::alice().address())->assets, before.assets);
    EXPECT_EQ(chain.pending_size(), 0u);
}

TEST_F(ChainTest, FreeBandwidthRunsOutThenTrxIsBurned) {
    Genesis g = genesis();
    g.params.free_net_limit = 300;  // one transfer's worth
    Chain small(g);
    small.produce_block();
    TxArgs a;
    const auto first = make_tx(small, a);
    ASSERT_TRUE(small.broadcast(first).ok());
    a.amount = 2;
    const auto second = make_tx(small, a);
    ASSERT_TRUE(small.broadcast(second).ok());
    small.produce_block();
    const auto r1 = small.receipt(btt::tron::txid_of(btt::tron::split_signed_transaction(first)->raw_data));
    const auto r2 = small.receipt(btt::tron::txid_of(btt::tron::split_signed_transaction(second)->raw_data));
    EXPECT_EQ(r1->net_fee, 0);
    EXPECT_GT(r2->net_fee, 0);
    EXPECT_EQ(r2->net_fee, (r2->net_fee / small.params().transaction_fee) * small.params().transaction_fee);
}

// The solidity port's view (issue 11): balances as of the solidified head, so that a
// payout in a block above it cannot be counted by a reconciliation yet.
TEST_F(ChainTest, SolidViewShowsOnlyTransfersInSolidifiedBlocks) {
    const TronAddress alice = tk::alice().address(), bob = tk::bob().address(), dave = tk::actor("dave");
    const AccountState alice_before = *chain.account(alice), bob_before = *chain.account(bob);
    ASSERT_TRUE(chain.broadcast(make_tx(chain, {})).ok());  // 1 BTT to bob
    TxArgs trx;
    trx.token = std::nullopt;
    trx.to = dave;  // 2 TRX, creating dave
    trx.amount = 2 * kTrx;
    ASSERT_TRUE(chain.broadcast(make_tx(chain, trx)).ok());

    // Pending: the current view has both transfers, the solid view neither.
    EXPECT_EQ(chain.account(bob)->assets.at("1002000"), 1'000'000);
    EXPECT_EQ(chain.account(dave)->balance, 2 * kTrx);
    EXPECT_EQ(*chain.solid_account(alice), alice_before);
    EXPECT_EQ(*chain.solid_account(bob), bob_before);
    EXPECT_EQ(chain.solid_account(dave), nullptr);

    const std::int64_t included = chain.produce_block();
    while (chain.solid_number() < included) {
        // In a block, not yet solid: still invisible there.
        EXPECT_EQ(*chain.solid_account(alice), alice_before) << "solid " << chain.solid_number();
        EXPECT_EQ(*chain.solid_account(bob), bob_before);
        EXPECT_EQ(chain.solid_account(dave), nullptr);
        chain.produce_block();
    }
    // Solid: both views agree, fees and the new account included.
    for (const auto& a : {alice, bob, dave}) {
        ASSERT_NE(chain.solid_account(a), nullptr);
        EXPECT_EQ(*chain.solid_account(a), *chain.account(a));
    }
    EXPECT_EQ(chain.solid_account(bob)->assets.at("1002000"), 1'000'000);
    EXPECT_EQ(chain.solid_account(dave)->balance, 2 * kTrx);
    EXPECT_LT(chain.solid_account(alice)->balance, alice_before.balance - 2 * kTrx);  // + creation fees
}

// At every height the solid view must equal the current view as it stood right after that
// block was produced (nothing pending then): a snapshot taken by code that does not know
// how the solid view is kept.
TEST_F(ChainTest, SolidViewAtEveryHeightIsTheStateRightAfterThatBlock) {
    const std::vector<TronAddress> everyone = {tk::alice().address(), tk::bob().address(), tk::carol().address(),
                                               tk::actor("dave"), tk::actor("erin"), tk::actor("issuer")};
    using Snapshot = std::map<TronAddress, std::optional<AccountState>>;
    auto current = [&] {
        Snapshot s;
        for (const auto& a : everyone) {
            const AccountState* st = chain.account(a);
            s[a] = st ? std::optional<AccountState>(*st) : std::nullopt;
        }
        return s;
    };
    auto solid = [&] {
        Snapshot s;
        for (const auto& a : everyone) {
            const AccountState* st = chain.solid_account(a);
            s[a] = st ? std::optional<AccountState>(*st) : std::nullopt;
        }
        return s;
    };
    std::map<std::int64_t, Snapshot> after_block;
    for (std::int64_t n = 0; n <= chain.head_number(); ++n) after_block[n] = current();  // empty blocks so far
    const btt::tron::PrivateKey* payers[] = {&tk::alice(), &tk::bob()};
    for (int step = 0; step < 12; ++step) {
        // 0..2 transfers per block, BTT and TRX, to old and new accounts.
        for (int i = 0; i < step % 3; ++i) {
            TxArgs a;
            a.key = payers[(step + i) % 2];
            a.to = everyone[static_cast<std::size_t>(step + 2 * i + 1) % 5];
            if (a.to == a.key->address()) a.to = tk::carol().address();
            a.amount = 1000 + step * 10 + i;
            if ((step + i) % 2 == 1 || a.key == &tk::bob()) a.token = std::nullopt;  // bob holds no BTT at first
            ASSERT_TRUE(chain.broadcast(make_tx(chain, a)).ok()) << step << "/" << i;
        }
        chain.produce_block();
        after_block[chain.head_number()] = current();
        EXPECT_EQ(solid(), after_block.at(chain.solid_number())) << "head " << chain.head_number();
    }
    for (int i = 0; i < 2; ++i) chain.produce_block();
    EXPECT_EQ(solid(), current());
}

btt::Bytes bytes_of(const TronAddress& a) { return {a.bytes().begin(), a.bytes().end()}; }

TransferRequest asset_request(std::int64_t amount, const TronAddress& to = tk::bob().address(),
                              const TronAddress& owner = tk::alice().address()) {
    return {std::string("1002000"), bytes_of(owner), bytes_of(to), amount};
}

TEST_F(ChainTest, BuilderMakesWhatJavaTronsTransferAsset2Makes) {
    const std::int64_t now = kGenesisMs + 9'500;
    const auto built = chain.build_transfer(asset_request(7), now);
    ASSERT_TRUE(built) << built.error().message;
    const auto d = btt::tron::decode_raw_data(built->raw_data).value();
    // Reference: the solidified head; expiration: head time + 60 s; timestamp: the clock.
    const auto& solid = *chain.block(chain.solid_number());
    const auto tapos = btt::tron::tapos_from_block(solid.number, solid.id);
    EXPECT_EQ(btt::to_hex(d.ref_block_bytes), btt::to_hex(tapos.ref_block_bytes));
    EXPECT_EQ(btt::to_hex(d.ref_block_hash), btt::to_hex(tapos.ref_block_hash));
    EXPECT_EQ(d.expiration, chain.head().timestamp + 60'000);
    EXPECT_EQ(d.timestamp, now);
    EXPECT_TRUE(d.data.empty());
    ASSERT_EQ(d.contracts.size(), 1u);
    EXPECT_EQ(d.contracts[0].token_id, "1002000");
    EXPECT_EQ(d.contracts[0].amount, 7);
    EXPECT_EQ(built->txid, btt::tron::txid_of(built->raw_data));
    EXPECT_EQ(chain.pending_size(), 0u);  // building broadcasts nothing
    // Signed as it is, it is accepted.
    const btt::tron::Signature sig[] = {btt::tron::sign_transaction(tk::alice(), built->txid)};
    const auto tx = btt::tron::signed_transaction_bytes(built->raw_data, sig);
    ASSERT_TRUE(chain.broadcast(tx).ok());
    EXPECT_EQ(chain.pending_txids(), std::vector<btt::tron::TxId>{built->txid});
    EXPECT_EQ(chain.pending_transaction(built->txid), tx);
    chain.produce_block();
    EXPECT_TRUE(chain.receipt(built->txid));
    EXPECT_FALSE(chain.pending_transaction(built->txid));
}

TEST_F(ChainTest, BuilderRefusesWithTheActuatorsWordsInItsOrder) {
    const auto refusal = [&](const TransferRequest& r) {
        const auto built = chain.build_transfer(r, kGenesisMs);
        EXPECT_FALSE(built);
        if (built) return std::string();
        EXPECT_EQ(built.error().code, ReturnCode::ContractValidateError);
        return built.error().message;
    };
    const std::string p = "Contract validate error : ";
    auto r = asset_request(1);
    r.owner.pop_back();
    EXPECT_EQ(refusal(r), p + "Invalid ownerAddress");
    r = asset_request(1);
    r.to[0] = 0xa0;
    EXPECT_EQ(refusal(r), p + "Invalid toAddress");
    // Amount is judged before owner == to for TRC-10 ...
    EXPECT_EQ(refusal(asset_request(0, tk::alice().address())), p + "Amount must be greater than 0.");
    EXPECT_EQ(refusal(asset_request(1, tk::alice().address())), p + "Cannot transfer asset to yourself.");
    EXPECT_EQ(refusal(asset_request(1, tk::bob().address(), tk::actor("stranger"))), p + "No owner account!");
    r = asset_request(1);
    r.token_id = "1999999";
    EXPECT_EQ(refusal(r), p + "No asset!");
    r.token_id = "BitTorrent";  // a token name, as before ALLOW_SAME_TOKEN_NAME
    EXPECT_EQ(refusal(r), p + "No asset!");
    r = asset_request(1, tk::alice().address(), tk::bob().address());
    r.to = bytes_of(tk::carol().address());
    EXPECT_EQ(refusal(r), p + "assetBalance must be greater than 0.");
    EXPECT_EQ(refusal(asset_request(50'000'001)), p + "assetBalance is not sufficient.");
    // carol holds tokens but no TRX to create an account with.
    EXPECT_EQ(refusal(asset_request(1, tk::actor("new"), tk::carol().address())),
              p + "Validate TransferAssetActuator error, insufficient fee.");
    // ... and owner == to before the amount for TRX (TransferActuator).
    const auto bob = bytes_of(tk::bob().address());
    const auto alice = bytes_of(tk::alice().address());
    EXPECT_EQ(refusal({std::nullopt, alice, alice, 0}), p + "Cannot transfer TRX to yourself.");
    EXPECT_EQ(refusal({std::nullopt, alice, {0x41, 1}, 1}), p + "Invalid toAddress!");
    EXPECT_EQ(refusal({std::nullopt, bytes_of(tk::actor("stranger")), bob, 1}),
              p + "Validate TransferContract error, no OwnerAccount.");
    EXPECT_EQ(refusal({std::nullopt, alice, bob, 0}), p + "Amount must be greater than 0.");
    EXPECT_EQ(refusal({std::nullopt, alice, bob, 100 * kTrx + 1}),
              p + "Validate TransferContract error, balance is not sufficient.");
    // The account creation fee counts: 99.5 TRX to a new address needs 100.5.
    EXPECT_EQ(refusal({std::nullopt, alice, bytes_of(tk::actor("new")), 99'500'000}),
              p + "Validate TransferContract error, balance is not sufficient.");
    EXPECT_TRUE(chain.build_transfer({std::nullopt, alice, bob, 100 * kTrx}, kGenesisMs));
    EXPECT_EQ(chain.pending_size(), 0u);
}

TEST(ChainSdkVectors, SdkTransactionsPassTheSignatureCheckAndFailTapos) {
    const auto& v = tk::tron_vectors();
    Genesis g;
    g.timestamp_ms = 1'735'689'600'000 - 1000;  // just before the vectors' timestamps
    g.tokens.push_back({"1002000", "BitTorrent", "BTT", 6, tk::actor("issuer"), 1'000'000'000});
    for (const auto& k : v["keys"]) {
        g.accounts.push_back({TronAddress::from_hex(k["address_hex"].get<std::string>()).value(), 100 * kTrx,
                              {{"1002000", 1'000'000}}});
    }
    Chain chain(g);
    int checked = 0;
    for (const auto& k : v["keys"]) {
        for (const char* kind : {"trc10_transfer_with_memo", "trc10_transfer", "trx_transfer"}) {
            const auto tx = btt::from_hex(k[kind]["signed_tx_hex"].get<std::string>()).value();
            expect_code(chain.broadcast(tx), ReturnCode::TaposError, "Tapos check error.");
            // The same bytes with a corrupted signature stop one step earlier.
            auto broken = tx;
            broken[broken.size() - 10] ^= 0x01;
            EXPECT_EQ(chain.broadcast(broken).code, ReturnCode::SigError) << kind;
            ++checked;
        }
    }
    EXPECT_EQ(checked, 24);
}

}  // namespace
