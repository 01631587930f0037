#pragma once
// Distinct 32-byte identifiers. A channel id is its funding transaction's txid, but the
// two are different types so a payout txid can never be used where a channel is meant.
// Text form: lowercase hex (DESIGN §3).

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include <btt/base/bytes.h>

namespace btt::channels {

template <typename Tag>
class Id32 {
public:
    constexpr Id32() = default;
    constexpr explicit Id32(const Hash32& bytes) : m_bytes(bytes) {}
    // Exactly 64 lowercase hex digits; nullopt otherwise (memos demand this exact form).
    [[nodiscard]] static std::optional<Id32> from_lower_hex(std::string_view text);
    // 32 bytes; nullopt otherwise.
    [[nodiscard]] static std::optional<Id32> from_bytes(ByteView bytes);
    [[nodiscard]] const Hash32& bytes() const noexcept { return m_bytes; }
    [[nodiscard]] std::string to_hex() const;
    auto operator<=>(const Id32&) const = default;

private:
    Hash32 m_bytes{};
};

struct ChannelIdTag {};
struct TxIdTag {};
using ChannelId = Id32<ChannelIdTag>;
using TxId = Id32<TxIdTag>;

// The channel a funding transfer opens.
[[nodiscard]] inline ChannelId channel_id_of(const TxId& funding) { return ChannelId(funding.bytes()); }

extern template class Id32<ChannelIdTag>;
extern template class Id32<TxIdTag>;

}  // namespace btt::channels
