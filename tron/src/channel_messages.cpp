#include <btt/tron/channel_messages.h>

#include <btt/tron/hash.h>

namespace btt::tron {

namespace {
// The low `bytes` bytes of `value`, most significant first.
void append_big_endian(Bytes& out, std::uint64_t value, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(value >> shift));
    }
}

Bytes domain_and_amount(std::string_view domain, const Hash32& channel_id, std::uint64_t amount) {
    Bytes out = to_bytes(domain);
    append(out, channel_id);
    append_big_endian(out, amount, 8);
    return out;
}
}  // namespace

Bytes balance_proof_message(const Hash32& channel_id, std::uint64_t cumulative_amount) {
    return domain_and_amount(kBalanceProofDomain, channel_id, cumulative_amount);
}

Bytes receipt_message(const Hash32& channel_id, std::uint64_t cumulative_amount) {
    return domain_and_amount(kReceiptDomain, channel_id, cumulative_amount);
}

Bytes close_message(const Hash32& channel_id) {
    Bytes out = to_bytes(kCloseDomain);
    append(out, channel_id);
    return out;
}

Bytes batch_header_message(const BatchHeader& header) {
    Bytes out = to_bytes(kBatchDomain);
    out.reserve(88);
    append_big_endian(out, header.seq, 8);
    append(out, header.prev_hash);
    append_big_endian(out, header.leaf_count, 4);
    append(out, header.root);
    return out;
}

Hash32 batch_hash(const BatchHeader& header) { return keccak256(batch_header_message(header)); }

}  // namespace btt::tron
