// Receipt wire form -> channels::BatchReceipt (see receipt.h).
#include <btt/api/receipt.h>

#include <cstring>

#include <fmt/format.h>

namespace btt::api {

namespace {

template <std::size_t N>
bool copy_exact(const std::string& from, ByteArray<N>& to) {
    if (from.size() != N)
        return false;
    std::memcpy(to.data(), from.data(), N);
    return true;
}

}  // namespace

Expected<channels::BatchReceipt, std::string> receipt_from_proto(
    const btt::channel::v1::Receipt& p, const channels::ChannelId& channel) {
    channels::BatchReceipt out;
    if (!copy_exact(p.prev_batch_hash(), out.header.prev_hash))
        return unexpected(std::string("receipt.prev_batch_hash is not 32 bytes"));
    if (!copy_exact(p.root(), out.header.root))
        return unexpected(std::string("receipt.root is not 32 bytes"));
    if (!copy_exact(p.batch_signature(), out.batch_signature))
        return unexpected(std::string("receipt.batch_signature is not 65 bytes"));
    const auto amount = channels::Amount::from_uint64(p.amount());
    if (!amount)
        return unexpected(std::string("receipt.amount is above 2^63-1"));
    out.header.seq = p.batch_seq();
    out.header.leaf_count = p.leaf_count();
    out.leaf_index = p.leaf_index();
    out.path.resize(static_cast<std::size_t>(p.path_size()));
    for (int i = 0; i < p.path_size(); ++i) {
        if (!copy_exact(p.path(i), out.path[static_cast<std::size_t>(i)]))
            return unexpected(fmt::format("receipt.path[{}] is not 32 bytes", i));
    }
    out.channel = channel;
    out.amount = *amount;
    return out;
}

}  // namespace btt::api
