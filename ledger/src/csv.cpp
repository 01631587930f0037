#include <btt/ledger/csv.h>

#include <array>
#include <optional>

#include <btt/base/hex.h>

namespace btt::ledger {

namespace {

constexpr std::size_t kColumns = 15;
constexpr std::array<const char*, kColumns> kNames = {
    "movement", "time",   "block",      "txid",  "channel_id", "batch", "from",  "to",
    "token_id", "amount", "cumulative", "state", "signature",  "memo",  "detail"};

struct Row {
    std::string movement, time, block, txid, channel_id, batch, from, to, token_id, amount,
        cumulative, state, signature, memo, detail;
    [[nodiscard]] std::string render() const {
        const std::array<const std::string*, kColumns> f = {
            &movement, &time,   &block,      &txid,  &channel_id, &batch, &from,  &to,
            &token_id, &amount, &cumulative, &state, &signature,  &memo,  &detail};
        std::string out;
        for (std::size_t i = 0; i < kColumns; ++i) {
            if (i)
                out += ',';
            out += csv_field(*f[i]);
        }
        return out + "\r\n";
    }
};

std::string num(std::int64_t v) {
    return std::to_string(v);
}
std::string num(channels::Amount a) {
    return std::to_string(a.value());
}

// Printable ASCII memos (all the channel memos) as text; anything else as hex.
std::string memo_text(const Bytes& memo) {
    for (const auto b : memo) {
        if (b < 0x20 || b > 0x7e)
            return "hex:" + to_hex(memo);
    }
    return std::string(memo.begin(), memo.end());
}

}  // namespace

std::string csv_header_row() {
    std::string out;
    for (std::size_t i = 0; i < kColumns; ++i) {
        if (i)
            out += ',';
        out += kNames[i];
    }
    return out + "\r\n";
}

std::string csv_field(std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(value);
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

std::string CsvRenderer::rows(const Record& record) {
    if (const auto* h = std::get_if<HeaderRecord>(&record)) {
        m_escrow = h->escrow_address.to_base58();
        return {};
    }
    if (const auto* d = std::get_if<DepositRecord>(&record)) {
        Row r;
        r.movement = "deposit";
        r.time = num(d->block_time);
        r.block = num(d->block);
        r.txid = d->txid.to_hex();
        if (d->channel_id)
            r.channel_id = d->channel_id->to_hex();
        r.from = d->from.to_base58();
        r.to = m_escrow;
        r.token_id = d->token_id;
        r.amount = num(d->amount);
        r.state = outcome_token(d->outcome);
        r.memo = memo_text(d->memo);
        if (d->unclaimed_reason)
            r.detail = *d->unclaimed_reason;
        return r.render();
    }
    if (const auto* c = std::get_if<ChannelRecord>(&record)) {
        m_channels[c->channel_id] = {c->payer, c->payee, c->token_id, {}};
        return {};
    }
    if (const auto* p = std::get_if<ProofRecord>(&record)) {
        auto& facts = m_channels[p->channel_id];
        Row r;
        r.movement = "proof";
        r.time = num(p->received_at);
        r.channel_id = p->channel_id.to_hex();
        r.batch = std::to_string(p->batch_seq);
        r.from = facts.payer.to_base58();
        r.to = facts.payee.to_base58();
        r.token_id = facts.token_id;
        // A malformed (decreasing) ledger shows a negative increase rather than hiding it.
        r.amount = num(p->amount.value() - facts.last_proof.value());
        r.cumulative = num(p->amount);
        r.signature = to_hex(p->signature);
        r.detail = "leaf " + std::to_string(p->leaf_index);
        facts.last_proof = p->amount;
        return r.render();
    }
    if (const auto* s = std::get_if<SettlementRecord>(&record)) {
        const auto& facts = m_channels[s->channel_id];
        std::string out;
        const auto row = [&](const char* movement, const std::string& to, channels::Amount a,
                             const std::string& detail) {
            Row r;
            r.movement = movement;
            r.channel_id = s->channel_id.to_hex();
            r.batch = std::to_string(s->batch_id);
            r.from = m_escrow;
            r.to = to;
            r.token_id = facts.token_id;
            r.amount = num(a);
            r.cumulative = num(s->accepted);
            r.detail = detail;
            out += r.render();
        };
        row("fee", m_escrow, s->fee,
            "kept by the operator at " + std::to_string(s->fee_bps) + " bps");
        row("payee_share", facts.payee.to_base58(), s->payee_amount, "");
        row("payer_refund", facts.payer.to_base58(), s->refund,
            "deposit " + num(s->deposit) + " - accepted " + num(s->accepted));
        return out;
    }
    if (const auto* p = std::get_if<PayoutRecord>(&record)) {
        Row r;
        r.movement = "payout";
        if (p->block)
            r.block = num(*p->block);
        if (p->txid)
            r.txid = p->txid->to_hex();
        r.batch = std::to_string(p->batch_id);
        r.from = m_escrow;
        r.to = p->recipient.to_base58();
        r.token_id = p->token_id;
        r.amount = num(p->amount);
        r.state = payout_state_token(p->state);
        std::string detail = "payout " + std::to_string(p->payout_id) + ":";
        for (const auto& c : p->contributions) {
            detail += std::string(" ") + role_token(c.role) + " " +
                      (c.channel_id ? c.channel_id->to_hex() : c.transfer_txid->to_hex()) + " " +
                      num(c.amount) + ";";
        }
        r.detail = detail;
        return r.render();
    }
    return {};
}

}  // namespace btt::ledger
