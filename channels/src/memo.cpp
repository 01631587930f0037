#include <btt/channels/memo.h>

#include <string_view>

namespace btt::channels {

namespace {

constexpr std::string_view kOpen = "btt-channel:v1:open:";
constexpr std::string_view kTopUp = "btt-channel:v1:topup:";

// Canonical decimal: "0" or a non-zero digit followed by digits; within int64.
std::optional<std::int64_t> canonical_decimal(std::string_view text) {
    if (text.empty() || text.size() > 19) return std::nullopt;
    if (text.size() > 1 && text[0] == '0') return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value > static_cast<std::uint64_t>(Amount::kMax)) return std::nullopt;
    return static_cast<std::int64_t>(value);
}

}  // namespace

std::optional<Memo> parse_memo(ByteView memo) {
    const std::string_view text(reinterpret_cast<const char*>(memo.data()), memo.size());
    if (text.starts_with(kOpen)) {
        const std::string_view rest = text.substr(kOpen.size());
        const auto colon = rest.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        const std::string_view payee_text = rest.substr(0, colon);
        // Base58check only: a hex payee is not the canonical form.
        if (payee_text.size() != 34 || payee_text[0] != 'T') return std::nullopt;
        const auto payee = tron::TronAddress::from_base58(payee_text);
        if (!payee) return std::nullopt;
        const auto expiry = canonical_decimal(rest.substr(colon + 1));
        if (!expiry) return std::nullopt;
        return OpenMemo{*payee, UnixSeconds{*expiry}};
    }
    if (text.starts_with(kTopUp)) {
        const auto id = ChannelId::from_lower_hex(text.substr(kTopUp.size()));
        if (!id) return std::nullopt;
        return TopUpMemo{*id};
    }
    return std::nullopt;
}

}  // namespace btt::channels
