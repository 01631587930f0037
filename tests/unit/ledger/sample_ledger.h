#pragma once
// A small, consistent btt-ledger/1 story for the ledger tests: alice and carol open
// channels to bob, alice tops up, carol sends a transfer with a bad memo; five proofs in
// three receipt batches signed by the node's key; bob closes alice's channel, which is
// settled at 100 bps and paid out; carol's channel stays open (still held).
#include <vector>

#include <btt/channels/receipt.h>
#include <btt/ledger/records.h>
#include <btt/testkit/actors.h>
#include <btt/tron/merkle.h>
#include <btt/tron/tip104.h>

namespace btt::ledger::test {

inline channels::Amount amt(std::int64_t v) {
    return channels::Amount::from_int64(v).value();
}

inline Hash32 filled(std::uint8_t b) {
    Hash32 h{};
    h.fill(b);
    return h;
}

inline const channels::ChannelId kAliceChannel{filled(0xa1)};
inline const channels::ChannelId kCarolChannel{filled(0xc1)};
inline const channels::TxId kTopUp{filled(0xa2)};
inline const channels::TxId kStray{filled(0xee)};

inline ProofRecord signed_proof(const channels::ChannelId& ch, std::int64_t amount,
                                std::uint64_t seq, std::uint32_t leaf,
                                const tron::PrivateKey& signer) {
    ProofRecord p;
    p.channel_id = ch;
    p.amount = amt(amount);
    p.signature = tron::sign_message_v2(
        signer, tron::balance_proof_message(ch.bytes(), static_cast<std::uint64_t>(amount)));
    p.received_at = 1'750'000'100 + amount;
    p.batch_seq = seq;
    p.leaf_index = leaf;
    return p;
}

// A batch line for `proofs` (all of one seq), chained to `prev`, signed by `key`.
inline BatchRecord signed_batch(std::uint64_t seq, const Hash32& prev,
                                const std::vector<ProofRecord>& proofs,
                                const tron::PrivateKey& key = testkit::node_key()) {
    std::vector<Hash32> leaves;
    for (const auto& p : proofs)
        leaves.push_back(channels::receipt_leaf_hash(p.channel_id, p.amount));
    BatchRecord b;
    b.header.seq = seq;
    b.header.prev_hash = prev;
    b.header.leaf_count = static_cast<std::uint32_t>(leaves.size());
    b.header.root = tron::merkle_root(leaves);
    b.signature = tron::sign_message_v2(key, tron::batch_header_message(b.header));
    b.committed_at = 1'750'000'500 + static_cast<std::int64_t>(seq);
    return b;
}

inline DepositRecord deposit(const channels::TxId& txid, const tron::PrivateKey& from,
                             std::int64_t amount, std::int64_t block, DepositOutcome outcome,
                             std::optional<channels::ChannelId> channel, std::string memo) {
    DepositRecord d;
    d.txid = txid;
    d.from = from.address();
    d.amount = amt(amount);
    d.token_id = "1002000";
    d.block = block;
    d.block_time = 1'750'000'000 + block * 3;
    d.memo = to_bytes(memo);
    d.outcome = outcome;
    d.channel_id = channel;
    if (outcome == DepositOutcome::Unclaimed) {
        d.unclaimed_reason = "bad_memo";
        d.refund_batch_id = 1;  // refunded by payout 3
    }
    return d;
}

inline ChannelRecord channel(const channels::ChannelId& id, const tron::PrivateKey& payer,
                             std::int64_t deposit, std::int64_t accepted,
                             channels::ChannelState state) {
    ChannelRecord c;
    c.channel_id = id;
    c.payer = payer.address();
    c.payee = testkit::bob().address();
    c.token_id = "1002000";
    c.deposit = amt(deposit);
    c.accepted = amt(accepted);
    c.expiry = 1'750'000'000 + 86'400;
    c.opened_at = 1'750'000'030;
    c.opened_block = 10;
    c.state = state;
    return c;
}

inline PayoutRecord payout(std::uint64_t id, const tron::TronAddress& to, std::int64_t amount,
                           ContributionRecord c) {
    PayoutRecord p;
    p.payout_id = id;
    p.batch_id = 1;
    p.txid = channels::TxId(filled(static_cast<std::uint8_t>(0x50 + id)));
    p.recipient = to;
    p.token_id = "1002000";
    p.amount = amt(amount);
    p.block = 40 + static_cast<std::int64_t>(id);
    p.state = PayoutState::Confirmed;
    p.contributions = {c};
    return p;
}

// The story as records, in export order. Line numbers are index + 1:
//  1 header | 2-5 deposits | 6-7 channels | 8 batch 1, 9-10 proofs | 11 batch 2, 12-14 proofs
//  | 15 batch 3, 16 proof | 17 close | 18 settlement | 19-21 payouts
inline std::vector<Record> sample_ledger() {
    using testkit::alice;
    using testkit::bob;
    using testkit::carol;
    std::vector<Record> out;
    HeaderRecord h;
    h.escrow_address = testkit::escrow().address();
    h.receipt_address = testkit::node_key().address();
    h.token_id = "1002000";
    h.fee_bps = 100;
    h.chain_id = std::string(64, '0');
    h.exported_at = 1'750'001'000;
    h.solid_block = 100;
    h.solid_block_id = filled(0x0b);
    out.push_back(h);

    const auto open_memo = "btt-channel:v1:open:" + bob().address().to_base58() + ":1750086400";
    out.push_back(deposit(channels::TxId(kAliceChannel.bytes()), alice(), 1'000'000, 10,
                          DepositOutcome::Open, kAliceChannel, open_memo));
    out.push_back(deposit(channels::TxId(kCarolChannel.bytes()), carol(), 2'000'000, 11,
                          DepositOutcome::Open, kCarolChannel, open_memo));
    out.push_back(deposit(kTopUp, alice(), 500'000, 12, DepositOutcome::TopUp, kAliceChannel,
                          "btt-channel:v1:topup:" + kAliceChannel.to_hex()));
    out.push_back(deposit(kStray, carol(), 7, 13, DepositOutcome::Unclaimed, std::nullopt,
                          "hello, \"world\""));

    out.push_back(channel(kAliceChannel, alice(), 1'500'000, 700, channels::ChannelState::Closed));
    out.push_back(channel(kCarolChannel, carol(), 2'000'000, 400, channels::ChannelState::Open));

    const std::vector<ProofRecord> b1 = {signed_proof(kAliceChannel, 100, 1, 0, alice()),
                                         signed_proof(kCarolChannel, 200, 1, 1, carol())};
    const std::vector<ProofRecord> b2 = {signed_proof(kAliceChannel, 300, 2, 0, alice()),
                                         signed_proof(kAliceChannel, 500, 2, 1, alice()),
                                         signed_proof(kCarolChannel, 400, 2, 2, carol())};
    const std::vector<ProofRecord> b3 = {signed_proof(kAliceChannel, 700, 3, 0, alice())};
    const auto batch1 = signed_batch(1, Hash32{}, b1);
    const auto batch2 = signed_batch(2, tron::batch_hash(batch1.header), b2);
    const auto batch3 = signed_batch(3, tron::batch_hash(batch2.header), b3);
    for (const auto& [b, proofs] :
         {std::pair{batch1, b1}, std::pair{batch2, b2}, std::pair{batch3, b3}}) {
        out.push_back(b);
        for (const auto& p : proofs)
            out.push_back(p);
    }

    CloseRecord close;
    close.channel_id = kAliceChannel;
    close.party = channels::Party::Payee;
    close.signature = tron::sign_message_v2(bob(), tron::close_message(kAliceChannel.bytes()));
    close.at = 1'750'000'900;
    out.push_back(close);

    SettlementRecord s;
    s.channel_id = kAliceChannel;
    s.batch_id = 1;
    s.fee_bps = 100;
    s.deposit = amt(1'500'000);
    s.accepted = amt(700);
    s.fee = amt(7);
    s.payee_amount = amt(693);
    s.refund = amt(1'499'300);
    out.push_back(s);

    out.push_back(
        payout(1, bob().address(), 693,
               {channels::PayoutRole::PayeeShare, kAliceChannel, std::nullopt, amt(693)}));
    out.push_back(
        payout(2, alice().address(), 1'499'300,
               {channels::PayoutRole::PayerRefund, kAliceChannel, std::nullopt, amt(1'499'300)}));
    out.push_back(payout(3, carol().address(), 7,
                         {channels::PayoutRole::UnclaimedRefund, std::nullopt, kStray, amt(7)}));
    auto& header = std::get<HeaderRecord>(out.front());
    header.records = out.size() - 1;
    header.last_batch_seq = 3;
    return out;
}

}  // namespace btt::ledger::test
