// raw_data decoding and signed-transaction splitting never crash; what decodes keeps its
// txid (sha256 of the input bytes) and survives a rebuild with the same fields. When the
// input is exactly what a canonical encoder writes for a transfer (java-tron's own
// re-serialisation gives the same bytes, nothing beyond the builder's fields), the builder
// must reproduce it byte for byte: that is the byte-exactness the chain relies on.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/unknown_field_set.h>
#include <tron/core/Tron.pb.h>
#include <tron/core/contract/asset_issue_contract.pb.h>
#include <tron/core/contract/balance_contract.pb.h>

#include <btt/tron/hash.h>
#include <btt/tron/transaction.h>

using namespace btt::tron;

namespace {

bool no_unknown_fields(const google::protobuf::Message& m) {
    return m.GetReflection()->GetUnknownFields(m).empty();
}

// Parses, holds no unknown fields (kept and re-emitted by protobuf, never by our builder),
// and re-serialises to the same bytes.
template <typename Message>
bool canonical(const std::string& bytes) {
    Message m;
    return m.ParseFromString(bytes) && no_unknown_fields(m) && m.SerializeAsString() == bytes;
}

// True when `input` is a canonical Transaction.raw holding only what build_transfer sets.
bool canonical_transfer(btt::ByteView input) {
    const std::string bytes(reinterpret_cast<const char*>(input.data()), input.size());
    if (!canonical<protocol::Transaction::raw>(bytes)) return false;
    protocol::Transaction::raw raw;
    raw.ParseFromString(bytes);
    if (raw.auths_size() != 0 || !raw.scripts().empty() || raw.contract_size() != 1) {
        return false;
    }
    const auto& c = raw.contract(0);
    if (!c.provider().empty() || !c.contractname().empty() || c.permission_id() != 0 ||
        !no_unknown_fields(c) || !no_unknown_fields(c.parameter())) {
        return false;
    }
    if (c.type() == protocol::Transaction::Contract::TransferAssetContract) {
        return c.parameter().type_url() == kTransferAssetContractTypeUrl &&
               canonical<protocol::TransferAssetContract>(c.parameter().value());
    }
    if (c.type() == protocol::Transaction::Contract::TransferContract) {
        return c.parameter().type_url() == kTransferContractTypeUrl &&
               canonical<protocol::TransferContract>(c.parameter().value());
    }
    return false;
}

// protobuf logs every invalid UTF-8 type_url it refuses; thousands of lines hide the
// fuzzer's own report.
const bool kQuietProtobuf = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const btt::ByteView input(data, size);
    const auto decoded = decode_raw_data(input);
    if (decoded) {
        if (decoded->txid != sha256(input)) std::abort();
        if (decoded->contracts.size() == 1 && decoded->contracts[0].owner &&
            decoded->ref_block_bytes.size() == 2 && decoded->ref_block_hash.size() == 8 &&
            *decoded->contracts[0].amount > 0 && decoded->expiration >= 0 &&
            decoded->timestamp >= 0 && decoded->fee_limit == 0 && decoded->ref_block_num == 0) {
            const auto& c = decoded->contracts[0];
            TransferSpec spec{c.token_id, *c.owner, *c.to, *c.amount, {},
                              decoded->expiration, decoded->timestamp, decoded->data};
            std::copy(decoded->ref_block_bytes.begin(), decoded->ref_block_bytes.end(),
                      spec.tapos.ref_block_bytes.begin());
            std::copy(decoded->ref_block_hash.begin(), decoded->ref_block_hash.end(),
                      spec.tapos.ref_block_hash.begin());
            const auto rebuilt = build_transfer(spec);
            if (rebuilt) {
                const auto again = decode_raw_data(rebuilt->raw_data);
                if (!again || again->contracts.size() != 1 ||
                    again->contracts[0].amount != c.amount || again->data != decoded->data ||
                    again->contracts[0].token_id != c.token_id) {
                    std::abort();
                }
                if (canonical_transfer(input) &&
                    (rebuilt->raw_data != btt::Bytes(input.begin(), input.end()) ||
                     rebuilt->txid != decoded->txid)) {
                    std::abort();
                }
            }
        }
    }
    const auto parts = split_signed_transaction(input);
    if (parts) {
        std::vector<Signature> sigs;
        for (const auto& s : parts->signatures) {
            if (s.size() != 65) return 0;
            Signature sig{};
            std::copy(s.begin(), s.end(), sig.begin());
            sigs.push_back(sig);
        }
        const auto wire = signed_transaction_bytes(parts->raw_data, sigs);
        const auto again = split_signed_transaction(wire);
        if (!again || again->raw_data != parts->raw_data || again->signatures != parts->signatures) {
            std::abort();
        }
    }
    return 0;
}
