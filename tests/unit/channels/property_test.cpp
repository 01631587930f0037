// Seeded random ledger stories: opens, top-ups, proofs in and out of order, replays
// across channels, closes, expiries and settlement windows. After every step: amounts
// only grow and stay within deposits, the books balance, and each settlement window pays
// each (recipient, token) at most once. Replay a failure with BTT_TEST_SEED.
#include <map>
#include <set>

#include <gtest/gtest.h>

#include <btt/channels/conservation.h>
#include <btt/channels/deposit.h>
#include <btt/channels/lifecycle.h>
#include <btt/testkit/seeded_rng.h>

#include "fixtures.h"
#include "stored_ledger.h"

namespace {

using namespace btt::channels;
using namespace btt::channels::test;

class Ledger {
public:
    explicit Ledger(btt::testkit::SeededRng& rng) : m_rng(rng), m_rules(rules()) {
        for (const char* name : {"p0", "p1", "p2", "p3"}) m_people.push_back(&btt::testkit::actor_key(name));
    }

    void step() {
        switch (m_rng.uniform(0, 9)) {
            case 0: case 1: open(); break;
            case 2: top_up(); break;
            case 3: case 4: case 5: proof(); break;
            case 6: close(); break;
            case 7: m_now = m_now.plus(std::chrono::seconds(m_rng.uniform(1, 3 * 86400))); tick(); break;
            case 8: settle(); break;
            default: confirm(); break;
        }
        check();
    }

    std::size_t proofs_accepted = 0, refusals = 0, windows = 0;

private:
    const btt::tron::PrivateKey& person() { return *m_people[m_rng.uniform(0, m_people.size() - 1)]; }

    Channel* random_channel() {
        if (m_channels.empty()) return nullptr;
        auto it = m_channels.begin();
        std::advance(it, static_cast<long>(m_rng.uniform(0, m_channels.size() - 1)));
        return &it->second;
    }

    void open() {
        btt::Hash32 txid{};
        const auto n = ++m_transfers;
        for (int i = 0; i < 8; ++i) txid[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
        const auto& payer = person();
        const auto& payee = person();
        const auto expiry = m_now.plus(std::chrono::seconds(m_rng.uniform(3000, 40 * 86400)));
        const std::string memo = "btt-channel:v1:open:" + payee.address().to_base58() + ":" + std::to_string(expiry.value);
        const IncomingTransfer t{TxId(txid), payer.address(), m_rules.escrow, "1002000",
                                 amt(static_cast<std::int64_t>(m_rng.uniform(0, 20'000'000))),
                                 btt::to_bytes(memo), m_now};
        const auto outcome = classify_deposit(m_rules, t, existing(t));
        if (const auto* o = std::get_if<OpenChannel>(&outcome)) {
            m_channels.emplace(o->channel.id, o->channel);
        } else if (const auto* u = std::get_if<Unclaimed>(&outcome); u && !t.amount.is_zero()) {
            m_refunds.push_back({t.txid, t.from, t.token_id, t.amount});
            m_stored.add_unclaimed(m_refunds.back());
        }
    }

    void top_up() {
        Channel* c = random_channel();
        if (c == nullptr) return;
        btt::Hash32 txid{};
        txid.fill(0xee);
        const auto n = ++m_transfers;
        for (int i = 0; i < 8; ++i) txid[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
        const auto& from = m_rng.uniform(0, 3) == 0 ? person() : btt::testkit::actor_key("p0");
        const IncomingTransfer t{TxId(txid), from.address(), m_rules.escrow, "1002000",
                                 amt(static_cast<std::int64_t>(m_rng.uniform(1, 5'000'000))),
                                 btt::to_bytes("btt-channel:v1:topup:" + c->id.to_hex()), m_now};
        const auto outcome = classify_deposit(m_rules, t, existing(t));
        if (const auto* up = std::get_if<TopUp>(&outcome)) {
            m_channels.at(up->channel).deposit = up->new_deposit;
        } else {
            m_refunds.push_back({t.txid, t.from, t.token_id, t.amount});
            m_stored.add_unclaimed(m_refunds.back());
        }
    }

    void proof() {
        Channel* c = random_channel();
        if (c == nullptr) return;
        // Mostly the payer signing a nearby amount; sometimes a stranger, a replay of an
        // older amount, or a proof for another channel.
        const auto& signer = m_rng.uniform(0, 5) == 0 ? person() : key_of(c->payer);
        const std::int64_t base = c->accepted.value();
        std::int64_t amount = base + static_cast<std::int64_t>(m_rng.uniform(0, 3'000'000)) - 500'000;
        if (amount < 1) amount = 1;
        ChannelId target = c->id;
        if (m_rng.uniform(0, 9) == 0) {
            if (Channel* other = random_channel()) target = other->id;
        }
        // A proof signed for channel c, handed in for `target` (the same channel, or a
        // replay against another one): it goes through the same checks as any input.
        ProofMsg msg = proof_msg(c->id, static_cast<std::uint64_t>(amount), signer);
        msg.channel_id.assign(target.bytes().begin(), target.bytes().end());
        const auto checked = check_proof(msg);
        if (!checked) return;
        const VerifiedProof p = *checked;
        Channel* ch = m_channels.count(p.channel) ? &m_channels.at(p.channel) : nullptr;
        const Amount before = ch ? ch->accepted : Amount{};
        const Verdict v = judge(ch, p, m_now);
        if (v.outcome == Outcome::Accepted) {
            ASSERT_TRUE(apply(*ch, p, m_now));
            ASSERT_GT(ch->accepted, before);
            ++proofs_accepted;
        } else {
            ++refusals;
            if (ch) {
                ASSERT_EQ(ch->accepted, before);
            }
        }
        // Proofs for another channel never count: the signature covers the channel id.
        if (target != c->id && v.outcome == Outcome::Accepted) FAIL() << "cross-channel replay accepted";
    }

    void close() {
        Channel* c = random_channel();
        if (c == nullptr) return;
        const auto& who = m_rng.uniform(0, 1) == 0 ? key_of(c->payer) : key_of(c->payee);
        const auto sig = btt::tron::sign_message_v2(who, btt::tron::close_message(c->id.bytes()));
        const auto party = check_close(*c, CloseRequest{c->id, btt::Bytes(sig.begin(), sig.end())});
        ASSERT_TRUE(party);
        (void)request_close(*c, *party, m_now, m_rules);
    }

    void tick() {
        for (auto& [id, c] : m_channels) (void)advance_by_time(c, m_now, m_rules);
    }

    void settle() {
        std::vector<Channel> due;
        for (auto& [id, c] : m_channels) {
            if (c.state == ChannelState::Settling && !m_planned.count(id)) due.push_back(c);
        }
        const auto plan = plan_settlement(due, m_refunds, m_rules.fee_bps);
        ASSERT_TRUE(plan);
        std::set<std::pair<btt::tron::TronAddress, std::string>> recipients;
        for (const auto& p : plan->payouts) {
            ASSERT_TRUE(recipients.insert({p.recipient, p.token_id}).second) << "paid twice in one window";
            ASSERT_FALSE(p.amount.is_zero());
        }
        m_stored.record_plan(due, m_refunds, *plan, m_rules.fee_bps);
        for (const auto& c : due) m_planned.insert(c.id);
        m_refunds.clear();
        ++windows;
    }

    void confirm() {
        for (const auto& id : m_planned) {
            Channel& c = m_channels.at(id);
            if (c.state == ChannelState::Settling) (void)mark_closed(c);
        }
    }

    void check() {
        std::vector<Channel> all;
        for (const auto& [id, c] : m_channels) {
            ASSERT_LE(c.accepted, c.deposit);
            auto& high = m_high_water[id];
            ASSERT_GE(c.accepted, high) << "accepted amount went down";
            high = c.accepted;
            all.push_back(c);
        }
        m_stored.set_channels(all);
        const auto books = m_stored.check();
        ASSERT_TRUE(books) << books.error().message();
    }

    const btt::tron::PrivateKey& key_of(const btt::tron::TronAddress& a) {
        for (const auto* k : m_people) {
            if (k->address() == a) return *k;
        }
        return *m_people[0];
    }

    // What node/ does: fetch the channel a top-up memo names, if it exists.
    const Channel* existing(const IncomingTransfer& t) const {
        const auto id = topup_target(t.memo);
        if (!id) return nullptr;
        const auto it = m_channels.find(*id);
        return it == m_channels.end() ? nullptr : &it->second;
    }

    btt::testkit::SeededRng& m_rng;
    Rules m_rules;
    std::vector<const btt::tron::PrivateKey*> m_people;
    std::map<ChannelId, Channel> m_channels;
    std::map<ChannelId, Amount> m_high_water;
    std::set<ChannelId> m_planned;
    std::vector<UnclaimedRefund> m_refunds;
    StoredLedger m_stored;  // what node/ would have stored, checked after every step
    UnixSeconds m_now = kOpenedAt;
    std::uint64_t m_transfers = 0;
};

TEST(ChannelProperties, RandomLedgerStoriesKeepEveryInvariant) {
    btt::testkit::SeededRng rng;
    for (int story = 0; story < 4; ++story) {
        Ledger ledger(rng);
        for (int i = 0; i < 1500; ++i) {
            ledger.step();
            if (::testing::Test::HasFatalFailure()) return;
        }
        EXPECT_GT(ledger.proofs_accepted, 0u);
        EXPECT_GT(ledger.refusals, 0u);
        EXPECT_GT(ledger.windows, 0u);
    }
}

}  // namespace
