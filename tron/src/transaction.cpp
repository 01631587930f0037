#include <btt/tron/transaction.h>

#include <algorithm>

#include <tron/api/api.pb.h>
#include <tron/core/Tron.pb.h>
#include <tron/core/contract/asset_issue_contract.pb.h>
#include <tron/core/contract/balance_contract.pb.h>

#include <btt/tron/hash.h>

namespace btt::tron {

namespace {

std::string as_string(ByteView bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Bytes as_bytes_copy(const std::string& s) { return to_bytes(s); }

bool is_token_id(const std::string& id) {
    return !id.empty() && id.size() <= 19 &&
           std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Minimal protobuf reader for split_signed_transaction: varints and field skipping.
class WireReader {
public:
    explicit WireReader(ByteView data) : m_data(data) {}
    [[nodiscard]] bool done() const { return m_pos == m_data.size(); }
    std::optional<std::uint64_t> varint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_data.size()) return std::nullopt;
            const std::uint8_t byte = m_data[m_pos++];
            value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return value;
        }
        return std::nullopt;
    }
    std::optional<ByteView> take(std::uint64_t n) {
        if (n > m_data.size() - m_pos) return std::nullopt;
        ByteView out = m_data.subspan(m_pos, static_cast<std::size_t>(n));
        m_pos += static_cast<std::size_t>(n);
        return out;
    }

private:
    ByteView m_data;
    std::size_t m_pos = 0;
};

void put_varint(Bytes& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

}  // namespace

std::string TxBuildError::message() const {
    switch (kind) {
        case Kind::NonPositiveAmount:
            return "amount must be greater than 0";
        case Kind::BadTokenId:
            return "token id must be 1 to 19 decimal digits (e.g. 1002000)";
        case Kind::BadTime:
            return "expiration and timestamp must not be negative";
    }
    return "bad transaction";
}

std::string TxDecodeError::message() const {
    switch (kind) {
        case Kind::NotProtobuf:
            return "raw_data is not a protobuf Transaction.raw" + (detail.empty() ? "" : ": " + detail);
        case Kind::BadContract:
            return "bad contract: " + detail;
        case Kind::BadAddress:
            return "bad address in contract: " + detail;
    }
    return "bad transaction";
}

Tapos tapos_from_block(std::int64_t number, const Hash32& id) {
    Tapos t;
    const auto n = static_cast<std::uint64_t>(number);
    t.ref_block_bytes = {static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    std::copy(id.begin() + 8, id.begin() + 16, t.ref_block_hash.begin());
    return t;
}

Hash32 block_id(std::int64_t number, const Hash32& header_raw_sha256) {
    Hash32 id = header_raw_sha256;
    const auto n = static_cast<std::uint64_t>(number);
    for (int i = 0; i < 8; ++i) id[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
    return id;
}

TxId txid_of(ByteView raw_data) { return sha256(raw_data); }

Expected<BuiltTransaction, TxBuildError> build_transfer(const TransferSpec& spec) {
    if (spec.amount <= 0) return unexpected(TxBuildError{TxBuildError::Kind::NonPositiveAmount});
    if (spec.expiration_ms < 0 || spec.timestamp_ms < 0) {
        return unexpected(TxBuildError{TxBuildError::Kind::BadTime});
    }
    protocol::Transaction::raw raw;
    raw.set_ref_block_bytes(as_string(spec.tapos.ref_block_bytes));
    raw.set_ref_block_hash(as_string(spec.tapos.ref_block_hash));
    raw.set_expiration(spec.expiration_ms);
    if (!spec.memo.empty()) raw.set_data(as_string(spec.memo));
    raw.set_timestamp(spec.timestamp_ms);

    auto* contract = raw.add_contract();
    auto* parameter = contract->mutable_parameter();
    if (spec.token_id) {
        if (!is_token_id(*spec.token_id)) {
            return unexpected(TxBuildError{TxBuildError::Kind::BadTokenId});
        }
        protocol::TransferAssetContract inner;
        inner.set_asset_name(*spec.token_id);
        inner.set_owner_address(as_string(spec.owner.bytes()));
        inner.set_to_address(as_string(spec.to.bytes()));
        inner.set_amount(spec.amount);
        contract->set_type(protocol::Transaction::Contract::TransferAssetContract);
        parameter->set_type_url(std::string(kTransferAssetContractTypeUrl));
        parameter->set_value(inner.SerializeAsString());
    } else {
        protocol::TransferContract inner;
        inner.set_owner_address(as_string(spec.owner.bytes()));
        inner.set_to_address(as_string(spec.to.bytes()));
        inner.set_amount(spec.amount);
        contract->set_type(protocol::Transaction::Contract::TransferContract);
        parameter->set_type_url(std::string(kTransferContractTypeUrl));
        parameter->set_value(inner.SerializeAsString());
    }
    BuiltTransaction built;
    built.raw_data = as_bytes_copy(raw.SerializeAsString());
    built.txid = txid_of(built.raw_data);
    return built;
}

Signature sign_transaction(const PrivateKey& key, const TxId& txid) { return key.sign_digest(txid); }

Bytes signed_transaction_bytes(ByteView raw_data, std::span<const Signature> signatures) {
    Bytes out;
    out.reserve(raw_data.size() + 8 + signatures.size() * 67);
    out.push_back(0x0a);  // field 1, length-delimited
    put_varint(out, raw_data.size());
    append(out, raw_data);
    for (const auto& sig : signatures) {
        out.push_back(0x12);  // field 2, length-delimited
        put_varint(out, sig.size());
        append(out, sig);
    }
    return out;
}

Expected<DecodedRaw, TxDecodeError> decode_raw_data(ByteView raw_data) {
    protocol::Transaction::raw raw;
    if (!raw.ParseFromArray(raw_data.data(), static_cast<int>(raw_data.size()))) {
        return unexpected(TxDecodeError{TxDecodeError::Kind::NotProtobuf, ""});
    }
    DecodedRaw out;
    out.ref_block_bytes = as_bytes_copy(raw.ref_block_bytes());
    out.ref_block_num = raw.ref_block_num();
    out.ref_block_hash = as_bytes_copy(raw.ref_block_hash());
    out.expiration = raw.expiration();
    out.timestamp = raw.timestamp();
    out.data = as_bytes_copy(raw.data());
    out.fee_limit = raw.fee_limit();
    out.txid = txid_of(raw_data);
    for (const auto& c : raw.contract()) {
        DecodedContract d;
        d.type = static_cast<int>(c.type());
        d.type_url = c.parameter().type_url();
        d.permission_id = c.permission_id();
        const std::string& value = c.parameter().value();
        auto address = [](const std::string& bytes, const char* what)
            -> Expected<TronAddress, TxDecodeError> {
            auto a = TronAddress::from_bytes(as_bytes(bytes));
            if (!a) {
                return unexpected(TxDecodeError{TxDecodeError::Kind::BadAddress,
                                                std::string(what) + ": " + a.error().message()});
            }
            return *a;
        };
        if (d.type == static_cast<int>(ContractType::TransferAsset) ||
            d.type == static_cast<int>(ContractType::Transfer)) {
            const bool asset = d.type == static_cast<int>(ContractType::TransferAsset);
            const std::string_view url = asset ? kTransferAssetContractTypeUrl : kTransferContractTypeUrl;
            // java-tron compares only the part after the last '/'.
            const auto slash = d.type_url.rfind('/');
            const std::string tail = slash == std::string::npos ? d.type_url : d.type_url.substr(slash + 1);
            if (tail != url.substr(url.rfind('/') + 1)) {
                return unexpected(TxDecodeError{TxDecodeError::Kind::BadContract,
                                                "type " + std::to_string(d.type) +
                                                    " with parameter type " + d.type_url});
            }
            std::string owner_bytes, to_bytes_;
            std::int64_t amount = 0;
            if (asset) {
                protocol::TransferAssetContract inner;
                if (!inner.ParseFromString(value)) {
                    return unexpected(TxDecodeError{TxDecodeError::Kind::BadContract,
                                                    "TransferAssetContract does not parse"});
                }
                d.token_id = inner.asset_name();
                owner_bytes = inner.owner_address();
                to_bytes_ = inner.to_address();
                amount = inner.amount();
            } else {
                protocol::TransferContract inner;
                if (!inner.ParseFromString(value)) {
                    return unexpected(TxDecodeError{TxDecodeError::Kind::BadContract,
                                                    "TransferContract does not parse"});
                }
                owner_bytes = inner.owner_address();
                to_bytes_ = inner.to_address();
                amount = inner.amount();
            }
            auto owner = address(owner_bytes, "owner_address");
            if (!owner) return unexpected(owner.error());
            auto to = address(to_bytes_, "to_address");
            if (!to) return unexpected(to.error());
            d.owner = *owner;
            d.to = *to;
            d.amount = amount;
        }
        out.contracts.push_back(std::move(d));
    }
    return out;
}

std::optional<SignedParts> split_signed_transaction(ByteView transaction) {
    WireReader in(transaction);
    SignedParts parts;
    bool have_raw = false;
    while (!in.done()) {
        const auto tag = in.varint();
        if (!tag) return std::nullopt;
        const std::uint64_t field = *tag >> 3;
        const auto wire_type = static_cast<int>(*tag & 7);
        if (field == 0) return std::nullopt;
        switch (wire_type) {
            case 0:
                if (!in.varint()) return std::nullopt;
                break;
            case 1:
                if (!in.take(8)) return std::nullopt;
                break;
            case 5:
                if (!in.take(4)) return std::nullopt;
                break;
            case 2: {
                const auto length = in.varint();
                if (!length) return std::nullopt;
                const auto body = in.take(*length);
                if (!body) return std::nullopt;
                if (field == 1) {
                    if (have_raw) return std::nullopt;
                    have_raw = true;
                    parts.raw_data.assign(body->begin(), body->end());
                } else if (field == 2) {
                    parts.signatures.emplace_back(body->begin(), body->end());
                }
                break;
            }
            default:
                return std::nullopt;  // groups never occur in Tron messages
        }
    }
    return parts;
}

}  // namespace btt::tron
