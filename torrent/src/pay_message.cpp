#include <btt/torrent/pay_message.h>

#include <algorithm>

namespace btt::torrent {

namespace {

constexpr std::int64_t kMaxAmount = INT64_MAX;
// Generous bounds that still keep a hostile peer from making us keep huge strings.
constexpr std::size_t kMaxNodeLength = 255;
constexpr std::size_t kMaxTokenLength = 32;

DecodeError err(MessageError kind, std::string field = {}) {
    return {kind, std::move(field)};
}

std::string raw(const auto& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Expected<std::int64_t, DecodeError> get_int(const BDict& d, const std::string& key, std::int64_t lo,
                                            std::int64_t hi) {
    const auto it = d.find(key);
    if (it == d.end())
        return unexpected(err(MessageError::MissingField, key));
    const auto* v = std::get_if<std::int64_t>(&it->second);
    if (v == nullptr || *v < lo || *v > hi)
        return unexpected(err(MessageError::BadField, key));
    return *v;
}

Expected<std::string, DecodeError> get_string(const BDict& d, const std::string& key) {
    const auto it = d.find(key);
    if (it == d.end())
        return unexpected(err(MessageError::MissingField, key));
    const auto* v = std::get_if<std::string>(&it->second);
    if (v == nullptr)
        return unexpected(err(MessageError::BadField, key));
    return *v;
}

Expected<tron::TronAddress, DecodeError> get_address(const BDict& d, const std::string& key) {
    auto s = get_string(d, key);
    if (!s)
        return unexpected(s.error());
    auto a = tron::TronAddress::from_base58(*s);
    if (!a)
        return unexpected(err(MessageError::BadField, key));
    return *a;
}

Expected<channels::ChannelId, DecodeError> get_channel(const BDict& d) {
    auto s = get_string(d, "ch");
    if (!s)
        return unexpected(s.error());
    const auto id = channels::ChannelId::from_bytes(as_bytes(*s));
    if (!id)
        return unexpected(err(MessageError::BadField, "ch"));
    return *id;
}

bool is_decimal(std::string_view s) {
    return !s.empty() && s.size() <= kMaxTokenLength && (s == "0" || s[0] != '0') &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Expected<BDict, DecodeError> parse_versioned(std::string_view bencoded) {
    auto d = bdecode_flat_dict(bencoded);
    if (!d)
        return unexpected(err(MessageError::NotBencoded, std::string(to_token(d.error()))));
    const auto v = d->find("v");
    if (v == d->end() || !std::holds_alternative<std::int64_t>(v->second) ||
        std::get<std::int64_t>(v->second) != kVersion) {
        return unexpected(err(MessageError::UnsupportedVersion, "v"));
    }
    return std::move(d).value();
}

}  // namespace

std::string DecodeError::message() const {
    const char* what = "";
    switch (kind) {
        case MessageError::NotBencoded:
            what = "not canonical bencoding";
            break;
        case MessageError::UnsupportedVersion:
            what = "unsupported btt_pay version";
            break;
        case MessageError::UnknownType:
            what = "unknown message type";
            break;
        case MessageError::MissingField:
            what = "missing field";
            break;
        case MessageError::BadField:
            what = "bad field";
            break;
    }
    return field.empty() ? what : std::string(what) + " (" + field + ")";
}

std::string encode_hello(const Hello& hello) {
    BDict d{{"v", kVersion}};
    if (hello.offer) {
        const auto& o = *hello.offer;
        d["payee"] = o.payee.to_base58();
        d["price"] = static_cast<std::int64_t>(o.price);
        d["token"] = o.token_id;
        d["escrow"] = o.escrow.to_base58();
        d["node"] = o.node;
        d["credit"] = static_cast<std::int64_t>(o.credit_pieces);
        d["free"] = static_cast<std::int64_t>(o.free_pieces);
    }
    return bencode(d);
}

std::string encode_message(const PayMessage& message) {
    BDict d{{"v", kVersion}};
    if (const auto* open = std::get_if<OpenMsg>(&message)) {
        d["t"] = std::string("open");
        d["ch"] = raw(open->channel.bytes());
    } else if (const auto* proof = std::get_if<ProofMsg>(&message)) {
        d["t"] = std::string("proof");
        d["ch"] = raw(proof->channel.bytes());
        d["amt"] = static_cast<std::int64_t>(proof->amount);
        d["sig"] = raw(proof->signature);
    } else {
        const auto& ack = std::get<AckMsg>(message);
        d["t"] = std::string("ack");
        d["ch"] = raw(ack.channel.bytes());
        d["amt"] = static_cast<std::int64_t>(ack.amount);
        d["allow"] = static_cast<std::int64_t>(ack.allow);
    }
    return bencode(d);
}

Expected<Hello, DecodeError> decode_hello(std::string_view bencoded) {
    auto d = parse_versioned(bencoded);
    if (!d)
        return unexpected(d.error());
    // No payee: a peer that speaks btt_pay but sells nothing.
    if (!d->contains("payee"))
        return Hello{};
    Offer o;
    auto payee = get_address(*d, "payee");
    if (!payee)
        return unexpected(payee.error());
    o.payee = *payee;
    auto price = get_int(*d, "price", 1, kMaxAmount);
    if (!price)
        return unexpected(price.error());
    o.price = static_cast<std::uint64_t>(*price);
    auto token = get_string(*d, "token");
    if (!token)
        return unexpected(token.error());
    if (!is_decimal(*token))
        return unexpected(err(MessageError::BadField, "token"));
    o.token_id = *token;
    auto escrow = get_address(*d, "escrow");
    if (!escrow)
        return unexpected(escrow.error());
    o.escrow = *escrow;
    auto node = get_string(*d, "node");
    if (!node)
        return unexpected(node.error());
    if (node->empty() || node->size() > kMaxNodeLength)
        return unexpected(err(MessageError::BadField, "node"));
    o.node = *node;
    auto credit = get_int(*d, "credit", 1, UINT32_MAX);
    if (!credit)
        return unexpected(credit.error());
    o.credit_pieces = static_cast<std::uint32_t>(*credit);
    auto free = get_int(*d, "free", 0, UINT32_MAX);
    if (!free)
        return unexpected(free.error());
    o.free_pieces = static_cast<std::uint32_t>(*free);
    return Hello{o};
}

Expected<PayMessage, DecodeError> decode_message(std::string_view bencoded) {
    auto d = parse_versioned(bencoded);
    if (!d)
        return unexpected(d.error());
    const auto t = d->find("t");
    if (t == d->end() || !std::holds_alternative<std::string>(t->second))
        return unexpected(err(MessageError::UnknownType, "t"));
    const auto& type = std::get<std::string>(t->second);
    auto channel = get_channel(*d);
    if (type != "open" && type != "proof" && type != "ack")
        return unexpected(err(MessageError::UnknownType, "t"));
    if (!channel)
        return unexpected(channel.error());
    if (type == "open")
        return PayMessage{OpenMsg{*channel}};
    if (type == "proof") {
        auto amount = get_int(*d, "amt", 1, kMaxAmount);
        if (!amount)
            return unexpected(amount.error());
        auto sig = get_string(*d, "sig");
        if (!sig)
            return unexpected(sig.error());
        if (sig->size() != tron::Signature{}.size())
            return unexpected(err(MessageError::BadField, "sig"));
        ProofMsg p{*channel, static_cast<std::uint64_t>(*amount), {}};
        std::copy(sig->begin(), sig->end(), p.signature.begin());
        return PayMessage{p};
    }
    auto amount = get_int(*d, "amt", 0, kMaxAmount);
    if (!amount)
        return unexpected(amount.error());
    auto allow = get_int(*d, "allow", 0, kMaxAmount);
    if (!allow)
        return unexpected(allow.error());
    return PayMessage{
        AckMsg{*channel, static_cast<std::uint64_t>(*amount), static_cast<std::uint64_t>(*allow)}};
}

}  // namespace btt::torrent
