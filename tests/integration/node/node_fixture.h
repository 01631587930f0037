#pragma once
// A node's database and intake, in-process, for integration tests against the throwaway
// PostgreSQL cluster: alice opens channels to bob through the escrow; a sink records every
// reply; waits have deadlines, never sleeps.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <btt/channels/proof.h>
#include <btt/channels/receipt.h>
#include <btt/node/engine/intake.h>
#include <btt/node/store/migrator.h>
#include <btt/node/store/store.h>
#include <btt/testkit/actors.h>
#include <btt/testkit/pg_cluster.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/hash.h>
#include <btt/tron/tip104.h>

namespace btt::node::test {

inline channels::Amount amt(std::int64_t v) {
    return channels::Amount::from_int64(v).value();
}

// A fixed "now" well inside every test channel's life, movable by tests.
struct TestClock {
    std::atomic<std::int64_t> now{1'750'000'000};
    Intake::Clock clock() {
        return [this] { return channels::UnixSeconds{now.load()}; };
    }
};

inline std::string migrated_database() {
    const auto url = testkit::pg().fresh_database();
    pqxx::connection c(url);
    (void)migrate(c, embedded_migrations());
    Store store(url);
    EXPECT_TRUE(store.init_cursor({0, Hash32{}}).has_value());
    return url;
}

inline channels::ChannelId channel_id(std::uint32_t n) {
    Hash32 h{};
    h[0] = 0xc4;
    h[28] = static_cast<std::uint8_t>(n >> 24);
    h[29] = static_cast<std::uint8_t>(n >> 16);
    h[30] = static_cast<std::uint8_t>(n >> 8);
    h[31] = static_cast<std::uint8_t>(n);
    return channels::ChannelId(h);
}

inline channels::Channel test_channel(std::uint32_t n, std::int64_t deposit = 1'000'000'000) {
    channels::Channel c;
    c.id = channel_id(n);
    c.payer = testkit::alice().address();
    c.payee = testkit::bob().address();
    c.token_id = "1002000";
    c.deposit = amt(deposit);
    c.opened_at = {1'750'000'000 - 100};
    c.expiry = {1'750'000'000 + 86'400};
    return c;
}

// Opens `channels` in the next block through the store, as the watcher would.
inline void open_channels(Store& store, const std::vector<channels::Channel>& chans) {
    const auto cursor = store.cursor().value().value();
    BlockChanges b;
    b.block_number = cursor.block_number + 1;
    b.block_id[0] = static_cast<std::uint8_t>(b.block_number);
    for (const auto& c : chans) {
        b.opened.push_back(c);
        DepositRecord d;
        d.txid = channels::TxId(c.id.bytes());
        d.block_number = b.block_number;
        d.block_time = c.opened_at;
        d.sender = c.payer;
        d.token_id = c.token_id;
        d.amount = c.deposit;
        d.memo = to_bytes("btt-channel:v1:open:" + c.payee.to_base58() + ":" +
                          std::to_string(c.expiry.value));
        d.kind = DepositKind::Open;
        d.channel = c.id;
        b.deposits.push_back(d);
    }
    const auto r = store.apply_block(b);
    ASSERT_TRUE(r.has_value()) << r.error().message();
}

inline channels::ProofMsg proof(const channels::ChannelId& id, std::uint64_t amount,
                                const tron::PrivateKey& signer = testkit::alice()) {
    const auto sig = tron::sign_message_v2(signer, tron::balance_proof_message(id.bytes(), amount));
    return {Bytes(id.bytes().begin(), id.bytes().end()), amount, Bytes(sig.begin(), sig.end())};
}

// Records replies by slot.
class RecordingSink final : public ReplySink {
public:
    void deliver(std::uint64_t slot, ProofReply reply) override {
        std::lock_guard lock(m_mutex);
        m_replies[slot].push_back(std::move(reply));
        m_cv.notify_all();
    }
    // Waits (bounded) until `n` slots are answered; false on timeout.
    bool wait_for(std::size_t n, std::chrono::seconds limit = std::chrono::seconds(60)) {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, limit, [&] { return m_replies.size() >= n; });
    }
    std::map<std::uint64_t, std::vector<ProofReply>> replies() {
        std::lock_guard lock(m_mutex);
        return m_replies;
    }
    ProofReply one(std::uint64_t slot) {
        std::lock_guard lock(m_mutex);
        const auto& v = m_replies.at(slot);
        EXPECT_EQ(v.size(), 1u) << "slot " << slot << " answered " << v.size() << " times";
        return v.front();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<std::uint64_t, std::vector<ProofReply>> m_replies;
};

// The receipt a reply carries, checked as any client would (channels::verify_batch_receipt).
inline ::testing::AssertionResult receipt_holds(const ProofReply& r,
                                                const channels::ChannelId& id) {
    if (!r.batch)
        return ::testing::AssertionFailure() << "no receipt";
    channels::BatchReceipt rc;
    rc.header = r.batch->header;
    rc.batch_signature = r.batch->signature;
    rc.leaf_index = r.leaf_index;
    rc.path = r.batch->tree.audit_path(r.leaf_index);
    rc.channel = id;
    rc.amount = channels::Amount::from_uint64(r.amount).value();
    const auto ok = channels::verify_batch_receipt(rc, testkit::node_key().address());
    if (!ok)
        return ::testing::AssertionFailure() << channels::error_token(ok.error());
    return ::testing::AssertionSuccess();
}

inline std::int64_t stored_accepted(const std::string& url, const channels::ChannelId& id) {
    pqxx::connection c(url);
    pqxx::read_transaction t(c);
    return t
        .exec_params1("SELECT accepted FROM channels WHERE channel_id = $1",
                      pqxx::binarystring(id.bytes().data(), 32))[0]
        .as<std::int64_t>();
}

inline tron::PrivateKey node_key_copy() {
    return tron::PrivateKey::from_bytes(tron::sha256(as_bytes(std::string("btt-test-actor:node"))))
        .value();
}

}  // namespace btt::node::test
