#include <btt/channels/ids.h>

#include <algorithm>

#include <btt/base/hex.h>

namespace btt::channels {

template <typename Tag>
std::optional<Id32<Tag>> Id32<Tag>::from_lower_hex(std::string_view text) {
    if (text.size() != 64) return std::nullopt;
    const bool lower = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (!lower) return std::nullopt;
    auto bytes = btt::from_hex_fixed<32>(text);
    if (!bytes) return std::nullopt;
    return Id32(*bytes);
}

template <typename Tag>
std::optional<Id32<Tag>> Id32<Tag>::from_bytes(ByteView bytes) {
    if (bytes.size() != 32) return std::nullopt;
    Hash32 out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return Id32(out);
}

template <typename Tag>
std::string Id32<Tag>::to_hex() const {
    return btt::to_hex(m_bytes);
}

template class Id32<ChannelIdTag>;
template class Id32<TxIdTag>;

}  // namespace btt::channels
