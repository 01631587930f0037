#include <btt/tron/channel_messages.h>

namespace btt::tron {

namespace {
Bytes domain_and_amount(std::string_view domain, const Hash32& channel_id, std::uint64_t amount) {
    Bytes out = to_bytes(domain);
    append(out, channel_id);
    for (int shift = 56; shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(amount >> shift));
    }
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

}  // namespace btt::tron
