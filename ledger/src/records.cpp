#include <btt/ledger/records.h>

#include <type_traits>

namespace btt::ledger {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::string type_of(const Record& r) {
    return std::visit(Overloaded{[](const HeaderRecord&) { return std::string("header"); },
                                 [](const DepositRecord&) { return std::string("deposit"); },
                                 [](const ChannelRecord&) { return std::string("channel"); },
                                 [](const ProofRecord&) { return std::string("proof"); },
                                 [](const BatchRecord&) { return std::string("batch"); },
                                 [](const CloseRecord&) { return std::string("close"); },
                                 [](const SettlementRecord&) { return std::string("settlement"); },
                                 [](const PayoutRecord&) { return std::string("payout"); },
                                 [](const UnknownRecord& u) { return u.type; }},
                      r);
}

std::string id_of(const Record& r) {
    return std::visit(
        Overloaded{
            [](const HeaderRecord& h) { return std::string(h.schema); },
            [](const DepositRecord& d) { return d.txid.to_hex(); },
            [](const ChannelRecord& c) { return c.channel_id.to_hex(); },
            [](const ProofRecord& p) {
                return p.channel_id.to_hex() + ":" + std::to_string(p.amount.value());
            },
            [](const BatchRecord& b) { return std::to_string(b.header.seq); },
            [](const CloseRecord& c) { return c.channel_id.to_hex() + ":" + party_token(c.party); },
            [](const SettlementRecord& s) { return s.channel_id.to_hex(); },
            [](const PayoutRecord& p) { return std::to_string(p.payout_id); },
            [](const UnknownRecord&) { return std::string(); }},
        r);
}

const char* outcome_token(DepositOutcome o) noexcept {
    switch (o) {
        case DepositOutcome::Open:
            return "open";
        case DepositOutcome::TopUp:
            return "topup";
        case DepositOutcome::Held:
            return "held";
        case DepositOutcome::Unclaimed:
            return "unclaimed";
    }
    return "unclaimed";
}

const char* party_token(channels::Party p) noexcept {
    switch (p) {
        case channels::Party::Payer:
            return "payer";
        case channels::Party::Payee:
            return "payee";
    }
    return "payer";
}

const char* role_token(channels::PayoutRole r) noexcept {
    switch (r) {
        case channels::PayoutRole::PayeeShare:
            return "payee_share";
        case channels::PayoutRole::PayerRefund:
            return "payer_refund";
        case channels::PayoutRole::UnclaimedRefund:
            return "unclaimed_refund";
    }
    return "payee_share";
}

const char* payout_state_token(PayoutState s) noexcept {
    switch (s) {
        case PayoutState::Planned:
            return "planned";
        case PayoutState::Signed:
            return "signed";
        case PayoutState::Confirmed:
            return "confirmed";
    }
    return "planned";
}

std::optional<DepositOutcome> parse_outcome(std::string_view t) {
    for (auto o : {DepositOutcome::Open, DepositOutcome::TopUp, DepositOutcome::Held,
                   DepositOutcome::Unclaimed}) {
        if (t == outcome_token(o))
            return o;
    }
    return std::nullopt;
}

std::optional<channels::Party> parse_party(std::string_view t) {
    for (auto p : {channels::Party::Payer, channels::Party::Payee}) {
        if (t == party_token(p))
            return p;
    }
    return std::nullopt;
}

std::optional<channels::PayoutRole> parse_role(std::string_view t) {
    for (auto r : {channels::PayoutRole::PayeeShare, channels::PayoutRole::PayerRefund,
                   channels::PayoutRole::UnclaimedRefund}) {
        if (t == role_token(r))
            return r;
    }
    return std::nullopt;
}

std::optional<PayoutState> parse_payout_state(std::string_view t) {
    for (auto s : {PayoutState::Planned, PayoutState::Signed, PayoutState::Confirmed}) {
        if (t == payout_state_token(s))
            return s;
    }
    return std::nullopt;
}

std::optional<channels::ChannelState> parse_state(std::string_view t) {
    using S = channels::ChannelState;
    for (auto s : {S::Open, S::Closing, S::Settling, S::Closed}) {
        if (t == channels::state_name(s))
            return s;
    }
    return std::nullopt;
}

std::optional<channels::CloseCause> parse_cause(std::string_view t) {
    using C = channels::CloseCause;
    for (auto c : {C::PayerRequest, C::PayeeRequest, C::Expiry, C::ForceSettle}) {
        if (t == channels::cause_token(c))
            return c;
    }
    return std::nullopt;
}

}  // namespace btt::ledger
