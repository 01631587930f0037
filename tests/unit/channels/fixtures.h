#pragma once
// A small ledger story for channel tests: alice opens a channel to bob through the escrow.
#include <btt/channels/channel.h>
#include <btt/channels/proof.h>
#include <btt/channels/rules.h>
#include <btt/testkit/actors.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::channels::test {

inline Amount amt(std::int64_t v) { return Amount::from_int64(v).value(); }

inline Rules rules() {
    Rules r;
    r.escrow = testkit::actor("escrow");
    r.peer_escrows = {testkit::actor("peer-escrow")};
    r.min_deposit = amt(1'000'000);
    r.min_expiry_horizon = std::chrono::seconds(3600);
    r.max_expiry_horizon = std::chrono::seconds(30 * 86400);
    r.settle_delay = std::chrono::seconds(600);
    r.fee_bps = 100;  // 1 %
    r.expiry_grace = std::chrono::seconds(0);
    return r;
}

inline constexpr UnixSeconds kOpenedAt{1'750'000'000};
inline constexpr UnixSeconds kExpiry{1'750'000'000 + 7 * 86400};

inline ChannelId channel_id(std::uint8_t fill = 0xc1) {
    Hash32 h{};
    h.fill(fill);
    return ChannelId(h);
}

inline Channel open_channel(std::int64_t deposit = 10'000'000, std::uint8_t id_fill = 0xc1) {
    Channel c;
    c.id = channel_id(id_fill);
    c.payer = testkit::alice().address();
    c.payee = testkit::bob().address();
    c.token_id = "1002000";
    c.deposit = amt(deposit);
    c.opened_at = kOpenedAt;
    c.expiry = kExpiry;
    return c;
}

inline ProofMsg proof_msg(const ChannelId& id, std::uint64_t amount,
                          const tron::PrivateKey& signer = testkit::alice()) {
    const auto sig = tron::sign_message_v2(signer, tron::balance_proof_message(id.bytes(), amount));
    return ProofMsg{Bytes(id.bytes().begin(), id.bytes().end()), amount, Bytes(sig.begin(), sig.end())};
}

inline VerifiedProof verified(const ChannelId& id, std::uint64_t amount,
                              const tron::PrivateKey& signer = testkit::alice()) {
    return check_proof(proof_msg(id, amount, signer)).value();
}

inline bool same_state(const Channel& a, const Channel& b) {
    return a.id == b.id && a.payer == b.payer && a.payee == b.payee && a.token_id == b.token_id &&
           a.deposit == b.deposit && a.expiry == b.expiry && a.state == b.state &&
           a.accepted == b.accepted && a.accepted_signature == b.accepted_signature &&
           a.settle_at == b.settle_at && a.close_cause == b.close_cause;
}

}  // namespace btt::channels::test
