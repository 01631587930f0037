// API messages → JSON for bttctl's output (see api_json.h).
#include <btt/ctl/api_json.h>

#include <btt/base/hex.h>

namespace btt::ctl {

namespace {

template <typename Name>
std::string without_prefix(const std::string& name, Name prefix) {
    const std::string_view p(prefix);
    return name.rfind(p, 0) == 0 ? name.substr(p.size()) : name;
}

// Memos are free bytes on chain: printed as text only when they are plain ASCII.
bool printable(const std::string& text) {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

std::string amount(std::int64_t a) {
    return std::to_string(a);
}

}  // namespace

std::string hex_of(const std::string& raw) {
    return to_hex(as_bytes(raw));
}

std::string state_text(int state) {
    if (!v1::ChannelState_IsValid(state))
        return std::to_string(state);
    return without_prefix(v1::ChannelState_Name(static_cast<v1::ChannelState>(state)),
                          "CHANNEL_STATE_");
}

nlohmann::ordered_json to_json(const v1::ChannelInfo& c) {
    return {{"channel_id", hex_of(c.channel_id())},
            {"payer", c.payer()},
            {"payee", c.payee()},
            {"token_id", c.token_id()},
            {"deposit", amount(c.deposit())},
            {"accepted", amount(c.accepted())},
            {"accepted_signature", hex_of(c.accepted_signature())},
            {"state", state_text(c.state())},
            {"opened_at", c.opened_at()},
            {"expiry", c.expiry()},
            {"settle_at", c.settle_at()},
            {"close_cause", c.close_cause()}};
}

nlohmann::ordered_json to_json(const v1::PayoutInfo& p) {
    nlohmann::ordered_json attempts = nlohmann::ordered_json::array();
    for (const auto& a : p.attempts()) {
        attempts.push_back(
            {{"txid", hex_of(a.txid())},
             {"attempt", a.attempt()},
             {"state", without_prefix(v1::AttemptState_Name(a.state()), "ATTEMPT_STATE_")},
             {"block", a.block()},
             {"signed_at", a.signed_at()},
             {"expiration", a.expiration()}});
    }
    nlohmann::ordered_json contributions = nlohmann::ordered_json::array();
    for (const auto& c : p.contributions()) {
        nlohmann::ordered_json one{{"role", c.role()}, {"amount", amount(c.amount())}};
        if (!c.channel_id().empty())
            one["channel_id"] = hex_of(c.channel_id());
        if (!c.transfer_txid().empty())
            one["transfer_txid"] = hex_of(c.transfer_txid());
        contributions.push_back(std::move(one));
    }
    return {{"payout_id", p.payout_id()},
            {"batch_id", p.batch_id()},
            {"recipient", p.recipient()},
            {"token_id", p.token_id()},
            {"amount", amount(p.amount())},
            {"state", without_prefix(v1::PayoutState_Name(p.state()), "PAYOUT_STATE_")},
            {"txid", hex_of(p.txid())},
            {"block", p.block()},
            {"attempts", std::move(attempts)},
            {"contributions", std::move(contributions)}};
}

nlohmann::ordered_json to_json(const v1::SettlementRecord& s) {
    return {{"channel_id", hex_of(s.channel_id())},
            {"batch_id", s.batch_id()},
            {"fee_bps", s.fee_bps()},
            {"deposit", amount(s.deposit())},
            {"accepted", amount(s.accepted())},
            {"fee", amount(s.fee())},
            {"payee_amount", amount(s.payee_amount())},
            {"refund", amount(s.refund())},
            {"planned_at", s.planned_at()}};
}

nlohmann::ordered_json to_json(const v1::ChannelHistory& h) {
    nlohmann::ordered_json out{{"channel", to_json(h.channel())}};
    auto& deposits = out["deposits"] = nlohmann::ordered_json::array();
    for (const auto& d : h.deposits()) {
        deposits.push_back({{"txid", hex_of(d.txid())},
                            {"from", d.from()},
                            {"amount", amount(d.amount())},
                            {"token_id", d.token_id()},
                            {"block", d.block()},
                            {"block_time", d.block_time()},
                            {"memo", printable(d.memo()) ? d.memo() : ""},
                            {"memo_hex", hex_of(d.memo())},
                            {"outcome", d.outcome()}});
    }
    auto& proofs = out["proofs"] = nlohmann::ordered_json::array();
    for (const auto& p : h.proofs()) {
        proofs.push_back({{"amount", amount(p.amount())},
                          {"signature", hex_of(p.signature())},
                          {"received_at", p.received_at()},
                          {"batch_seq", p.batch_seq()},
                          {"leaf_index", p.leaf_index()}});
    }
    out["close"] = h.has_close()
                       ? nlohmann::ordered_json{{"party", h.close().party()},
                                                {"signature", hex_of(h.close().signature())},
                                                {"at", h.close().at()}}
                       : nlohmann::ordered_json(nullptr);
    out["settlement"] =
        h.has_settlement() ? to_json(h.settlement()) : nlohmann::ordered_json(nullptr);
    auto& payouts = out["payouts"] = nlohmann::ordered_json::array();
    for (const auto& p : h.payouts())
        payouts.push_back(to_json(p));
    return out;
}

nlohmann::ordered_json to_json(const v1::IntakeState& s) {
    return {{"paused", s.paused()}, {"reason", s.reason()}, {"since", s.since()}};
}

nlohmann::ordered_json to_json(const v1::HeldTransfer& h) {
    return {{"txid", hex_of(h.txid())},         {"from", h.from()},
            {"token_id", h.token_id()},         {"amount", std::to_string(h.amount())},
            {"block", h.block()},               {"block_time", h.block_time()},
            {"unclaimed_reason", h.unclaimed_reason()}};
}

}  // namespace btt::ctl
