#include <btt/ledger/jsonl.h>

#include <limits>

#include <nlohmann/json.hpp>

#include <btt/base/hex.h>

namespace btt::ledger {

namespace {

using Json = nlohmann::ordered_json;

std::string amount_text(channels::Amount a) {
    return std::to_string(a.value());
}

template <typename T>
Json or_null(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

Json encode(const HeaderRecord& h) {
    Json j;
    j["schema"] = h.schema;
    j["type"] = "header";
    j["escrow_address"] = h.escrow_address.to_base58();
    j["receipt_address"] = h.receipt_address.to_base58();
    j["token_id"] = h.token_id;
    j["fee_bps"] = h.fee_bps;
    j["chain_id"] = or_null(h.chain_id);
    j["exported_at"] = h.exported_at;
    j["solid_block"] = h.solid_block;
    j["solid_block_id"] = h.solid_block_id ? Json(to_hex(*h.solid_block_id)) : Json(nullptr);
    j["records"] = h.records ? Json(*h.records) : Json(nullptr);
    j["last_batch_seq"] = h.last_batch_seq ? Json(*h.last_batch_seq) : Json(nullptr);
    return j;
}

Json encode(const DepositRecord& d) {
    Json j;
    j["type"] = "deposit";
    j["txid"] = d.txid.to_hex();
    j["from"] = d.from.to_base58();
    j["amount"] = amount_text(d.amount);
    j["token_id"] = d.token_id;
    j["block"] = d.block;
    j["block_time"] = d.block_time;
    j["memo"] = to_hex(d.memo);
    j["outcome"] = outcome_token(d.outcome);
    j["channel_id"] = d.channel_id ? Json(d.channel_id->to_hex()) : Json(nullptr);
    j["unclaimed_reason"] = or_null(d.unclaimed_reason);
    j["refund_batch_id"] = or_null(d.refund_batch_id);
    j["held"] = d.held;
    return j;
}

Json encode(const ChannelRecord& c) {
    Json j;
    j["type"] = "channel";
    j["channel_id"] = c.channel_id.to_hex();
    j["payer"] = c.payer.to_base58();
    j["payee"] = c.payee.to_base58();
    j["token_id"] = c.token_id;
    j["deposit"] = amount_text(c.deposit);
    j["accepted"] = amount_text(c.accepted);
    j["expiry"] = c.expiry;
    j["opened_at"] = c.opened_at;
    j["opened_block"] = c.opened_block;
    j["state"] = channels::state_name(c.state);
    j["close_cause"] = c.close_cause ? Json(channels::cause_token(*c.close_cause)) : Json(nullptr);
    j["settle_at"] = or_null(c.settle_at);
    return j;
}

Json encode(const ProofRecord& p) {
    Json j;
    j["type"] = "proof";
    j["channel_id"] = p.channel_id.to_hex();
    j["amount"] = amount_text(p.amount);
    j["signature"] = to_hex(p.signature);
    j["received_at"] = p.received_at;
    j["batch_seq"] = p.batch_seq;
    j["leaf_index"] = p.leaf_index;
    return j;
}

Json encode(const BatchRecord& b) {
    Json j;
    j["type"] = "batch";
    j["seq"] = b.header.seq;
    j["prev_hash"] = to_hex(b.header.prev_hash);
    j["leaf_count"] = b.header.leaf_count;
    j["root"] = to_hex(b.header.root);
    j["signature"] = to_hex(b.signature);
    // Derived, for readers without keccak: the next batch's prev_hash.
    j["batch_hash"] = to_hex(tron::batch_hash(b.header));
    j["committed_at"] = or_null(b.committed_at);
    return j;
}

Json encode(const CloseRecord& c) {
    Json j;
    j["type"] = "close";
    j["channel_id"] = c.channel_id.to_hex();
    j["party"] = party_token(c.party);
    j["signature"] = to_hex(c.signature);
    j["at"] = c.at;
    return j;
}

Json encode(const SettlementRecord& s) {
    Json j;
    j["type"] = "settlement";
    j["channel_id"] = s.channel_id.to_hex();
    j["batch_id"] = s.batch_id;
    j["fee_bps"] = s.fee_bps;
    j["deposit"] = amount_text(s.deposit);
    j["accepted"] = amount_text(s.accepted);
    j["fee"] = amount_text(s.fee);
    j["payee_amount"] = amount_text(s.payee_amount);
    j["refund"] = amount_text(s.refund);
    return j;
}

Json encode(const PayoutRecord& p) {
    Json j;
    j["type"] = "payout";
    j["payout_id"] = p.payout_id;
    j["batch_id"] = p.batch_id;
    j["txid"] = p.txid ? Json(p.txid->to_hex()) : Json(nullptr);
    j["recipient"] = p.recipient.to_base58();
    j["token_id"] = p.token_id;
    j["amount"] = amount_text(p.amount);
    j["block"] = or_null(p.block);
    j["state"] = payout_state_token(p.state);
    Json list = Json::array();
    for (const auto& c : p.contributions) {
        Json cj;
        cj["role"] = role_token(c.role);
        cj["channel_id"] = c.channel_id ? Json(c.channel_id->to_hex()) : Json(nullptr);
        cj["transfer_txid"] = c.transfer_txid ? Json(c.transfer_txid->to_hex()) : Json(nullptr);
        cj["amount"] = amount_text(c.amount);
        list.push_back(std::move(cj));
    }
    j["contributions"] = std::move(list);
    return j;
}

Json encode(const UnknownRecord& u) {
    Json j;
    j["type"] = u.type;
    return j;
}

// Decoding: each reader throws Bad with the field's name; decode_line turns it into a
// DecodeError. Exceptions stay inside this file.
struct Bad {
    std::string detail;
};

[[noreturn]] void bad(const std::string& field, const std::string& why) {
    throw Bad{"field \"" + field + "\": " + why};
}

const Json& field(const Json& j, const char* name) {
    const auto it = j.find(name);
    if (it == j.end())
        bad(name, "missing");
    return *it;
}

bool is_null(const Json& j, const char* name) {
    const auto it = j.find(name);
    return it == j.end() || it->is_null();
}

std::string text(const Json& j, const char* name) {
    const auto& f = field(j, name);
    if (!f.is_string())
        bad(name, "not a string");
    return f.get<std::string>();
}

std::int64_t integer(const Json& j, const char* name) {
    const auto& f = field(j, name);
    if (f.is_number_unsigned()) {
        const auto v = f.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            bad(name, "out of range");
        }
        return static_cast<std::int64_t>(v);
    }
    if (!f.is_number_integer())
        bad(name, "not an integer");
    return f.get<std::int64_t>();
}

std::uint64_t unsigned_integer(const Json& j, const char* name) {
    const auto v = integer(j, name);
    if (v < 0)
        bad(name, "negative");
    return static_cast<std::uint64_t>(v);
}

std::uint32_t u32(const Json& j, const char* name) {
    const auto v = unsigned_integer(j, name);
    if (v > std::numeric_limits<std::uint32_t>::max())
        bad(name, "out of range");
    return static_cast<std::uint32_t>(v);
}

// Canonical decimal: digits only, no sign, no leading zero, at most INT64_MAX.
channels::Amount amount(const Json& j, const char* name) {
    const auto s = text(j, name);
    if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) {
        bad(name, "not a canonical decimal amount");
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            bad(name, "not a canonical decimal amount");
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    const auto a = channels::Amount::from_uint64(v);
    if (!a)
        bad(name, "above 2^63-1");
    return *a;
}

template <std::size_t N>
ByteArray<N> fixed_hex(const Json& j, const char* name) {
    const auto s = text(j, name);
    const auto b = from_hex_fixed<N>(s);
    if (!b || s.size() != 2 * N)
        bad(name, "not " + std::to_string(N) + " bytes of hex");
    return *b;
}

channels::ChannelId channel_id(const Json& j, const char* name) {
    return channels::ChannelId(fixed_hex<32>(j, name));
}
channels::TxId txid(const Json& j, const char* name) {
    return channels::TxId(fixed_hex<32>(j, name));
}

tron::TronAddress address(const Json& j, const char* name) {
    const auto a = tron::TronAddress::from_base58(text(j, name));
    if (!a)
        bad(name, a.error().message());
    return *a;
}

template <typename T, typename Parse>
T token(const Json& j, const char* name, Parse parse) {
    const auto s = text(j, name);
    const auto v = parse(s);
    if (!v)
        bad(name, "unknown token \"" + s + "\"");
    return *v;
}

HeaderRecord decode_header(const Json& j) {
    HeaderRecord h;
    h.schema = text(j, "schema");
    if (h.schema != kSchema)
        bad("schema", "\"" + h.schema + "\" is not btt-ledger/1");
    h.escrow_address = address(j, "escrow_address");
    h.receipt_address = address(j, "receipt_address");
    h.token_id = text(j, "token_id");
    h.fee_bps = u32(j, "fee_bps");
    if (!is_null(j, "chain_id"))
        h.chain_id = text(j, "chain_id");
    h.exported_at = integer(j, "exported_at");
    h.solid_block = integer(j, "solid_block");
    if (!is_null(j, "solid_block_id"))
        h.solid_block_id = fixed_hex<32>(j, "solid_block_id");
    if (!is_null(j, "records"))
        h.records = unsigned_integer(j, "records");
    if (!is_null(j, "last_batch_seq"))
        h.last_batch_seq = unsigned_integer(j, "last_batch_seq");
    return h;
}

DepositRecord decode_deposit(const Json& j) {
    DepositRecord d;
    d.txid = txid(j, "txid");
    d.from = address(j, "from");
    d.amount = amount(j, "amount");
    d.token_id = text(j, "token_id");
    d.block = integer(j, "block");
    if (!is_null(j, "block_time"))
        d.block_time = integer(j, "block_time");
    const auto memo = from_hex(text(j, "memo"));
    if (!memo)
        bad("memo", "not hex");
    d.memo = *memo;
    d.outcome = token<DepositOutcome>(j, "outcome", parse_outcome);
    if (!is_null(j, "channel_id"))
        d.channel_id = channel_id(j, "channel_id");
    if (!is_null(j, "unclaimed_reason"))
        d.unclaimed_reason = text(j, "unclaimed_reason");
    if (!is_null(j, "refund_batch_id"))
        d.refund_batch_id = unsigned_integer(j, "refund_batch_id");
    if (!is_null(j, "held")) {
        if (!field(j, "held").is_boolean())
            bad("held", "not true or false");
        d.held = field(j, "held").get<bool>();
    }
    if (d.held && (d.outcome != DepositOutcome::Unclaimed || d.refund_batch_id))
        bad("held", "only an unclaimed transfer with no refund planned is held");
    const bool funds = d.outcome == DepositOutcome::Open || d.outcome == DepositOutcome::TopUp;
    if (funds != d.channel_id.has_value()) {
        bad("channel_id", "set exactly for outcomes open and topup");
    }
    return d;
}

ChannelRecord decode_channel(const Json& j) {
    ChannelRecord c;
    c.channel_id = channel_id(j, "channel_id");
    c.payer = address(j, "payer");
    c.payee = address(j, "payee");
    c.token_id = text(j, "token_id");
    c.deposit = amount(j, "deposit");
    c.accepted = amount(j, "accepted");
    c.expiry = integer(j, "expiry");
    c.opened_at = integer(j, "opened_at");
    c.opened_block = integer(j, "opened_block");
    c.state = token<channels::ChannelState>(j, "state", parse_state);
    if (!is_null(j, "close_cause")) {
        c.close_cause = token<channels::CloseCause>(j, "close_cause", parse_cause);
    }
    if (!is_null(j, "settle_at"))
        c.settle_at = integer(j, "settle_at");
    return c;
}

ProofRecord decode_proof(const Json& j) {
    ProofRecord p;
    p.channel_id = channel_id(j, "channel_id");
    p.amount = amount(j, "amount");
    p.signature = fixed_hex<65>(j, "signature");
    p.received_at = integer(j, "received_at");
    p.batch_seq = unsigned_integer(j, "batch_seq");
    p.leaf_index = u32(j, "leaf_index");
    return p;
}

BatchRecord decode_batch(const Json& j) {
    BatchRecord b;
    b.header.seq = unsigned_integer(j, "seq");
    b.header.prev_hash = fixed_hex<32>(j, "prev_hash");
    b.header.leaf_count = u32(j, "leaf_count");
    b.header.root = fixed_hex<32>(j, "root");
    b.signature = fixed_hex<65>(j, "signature");
    if (!is_null(j, "committed_at"))
        b.committed_at = integer(j, "committed_at");
    return b;
}

CloseRecord decode_close(const Json& j) {
    CloseRecord c;
    c.channel_id = channel_id(j, "channel_id");
    c.party = token<channels::Party>(j, "party", parse_party);
    c.signature = fixed_hex<65>(j, "signature");
    c.at = integer(j, "at");
    return c;
}

SettlementRecord decode_settlement(const Json& j) {
    SettlementRecord s;
    s.channel_id = channel_id(j, "channel_id");
    s.batch_id = unsigned_integer(j, "batch_id");
    s.fee_bps = u32(j, "fee_bps");
    s.deposit = amount(j, "deposit");
    s.accepted = amount(j, "accepted");
    s.fee = amount(j, "fee");
    s.payee_amount = amount(j, "payee_amount");
    s.refund = amount(j, "refund");
    return s;
}

PayoutRecord decode_payout(const Json& j) {
    PayoutRecord p;
    p.payout_id = unsigned_integer(j, "payout_id");
    p.batch_id = unsigned_integer(j, "batch_id");
    if (!is_null(j, "txid"))
        p.txid = txid(j, "txid");
    p.recipient = address(j, "recipient");
    p.token_id = text(j, "token_id");
    p.amount = amount(j, "amount");
    if (!is_null(j, "block"))
        p.block = integer(j, "block");
    p.state = token<PayoutState>(j, "state", parse_payout_state);
    const auto& list = field(j, "contributions");
    if (!list.is_array())
        bad("contributions", "not an array");
    for (const auto& cj : list) {
        if (!cj.is_object())
            bad("contributions", "an element is not an object");
        ContributionRecord c;
        c.role = token<channels::PayoutRole>(cj, "role", parse_role);
        if (!is_null(cj, "channel_id"))
            c.channel_id = channel_id(cj, "channel_id");
        if (!is_null(cj, "transfer_txid"))
            c.transfer_txid = txid(cj, "transfer_txid");
        c.amount = amount(cj, "amount");
        const bool refund = c.role == channels::PayoutRole::UnclaimedRefund;
        if (refund != c.transfer_txid.has_value() || refund == c.channel_id.has_value()) {
            bad("contributions", "unclaimed_refund names a transfer_txid, the others a channel_id");
        }
        p.contributions.push_back(c);
    }
    return p;
}

}  // namespace

std::string encode_line(const Record& record) {
    return std::visit([](const auto& r) { return encode(r).dump(); }, record);
}

Expected<Record, DecodeError> decode_line(std::string_view line) {
    const auto j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
        return unexpected(DecodeError{"not a JSON object"});
    try {
        // The header is recognised by its schema field as well as by its type, so a reader
        // of a file whose first line lacks `type` still learns the schema.
        const bool has_schema = j.contains("schema");
        const std::string type = j.contains("type") ? text(j, "type") : "";
        if (type == "header" || (type.empty() && has_schema))
            return Record{decode_header(j)};
        if (type.empty())
            return unexpected(DecodeError{"field \"type\": missing"});
        if (type == "deposit")
            return Record{decode_deposit(j)};
        if (type == "channel")
            return Record{decode_channel(j)};
        if (type == "proof")
            return Record{decode_proof(j)};
        if (type == "batch")
            return Record{decode_batch(j)};
        if (type == "close")
            return Record{decode_close(j)};
        if (type == "settlement")
            return Record{decode_settlement(j)};
        if (type == "payout")
            return Record{decode_payout(j)};
        return Record{UnknownRecord{type}};
    } catch (const Bad& b) {
        return unexpected(DecodeError{b.detail});
    } catch (const nlohmann::json::exception& e) {
        return unexpected(DecodeError{e.what()});
    }
}

}  // namespace btt::ledger
