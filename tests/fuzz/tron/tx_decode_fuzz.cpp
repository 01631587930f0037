// raw_data decoding and signed-transaction splitting never crash; what decodes keeps its
// txid (sha256 of the input bytes) and survives a rebuild with the same fields.
#include <cstdint>
#include <cstdlib>

#include <btt/tron/hash.h>
#include <btt/tron/transaction.h>

using namespace btt::tron;

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
