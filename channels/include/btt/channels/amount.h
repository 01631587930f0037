#pragma once
// Money and time as types. An Amount counts token base units (BTT: 1 BTT = 1,000,000) and
// is always within 0..INT64_MAX, because chain amounts are int64 and the database stores
// them as bigint; arithmetic is checked and says "no" instead of wrapping.

#include <chrono>
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>

namespace btt::channels {

class Amount {
public:
    static constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

    constexpr Amount() = default;
    // Nullopt for negative values.
    [[nodiscard]] static constexpr std::optional<Amount> from_int64(std::int64_t v) {
        if (v < 0) return std::nullopt;
        return Amount(v);
    }
    // Nullopt above INT64_MAX.
    [[nodiscard]] static constexpr std::optional<Amount> from_uint64(std::uint64_t v) {
        if (v > static_cast<std::uint64_t>(kMax)) return std::nullopt;
        return Amount(static_cast<std::int64_t>(v));
    }
    [[nodiscard]] constexpr std::int64_t value() const noexcept { return m_value; }
    [[nodiscard]] constexpr bool is_zero() const noexcept { return m_value == 0; }

    // Nullopt when the sum exceeds INT64_MAX.
    [[nodiscard]] constexpr std::optional<Amount> checked_add(Amount other) const {
        if (m_value > kMax - other.m_value) return std::nullopt;
        return Amount(m_value + other.m_value);
    }
    // Nullopt when the difference would be negative.
    [[nodiscard]] constexpr std::optional<Amount> checked_sub(Amount other) const {
        if (other.m_value > m_value) return std::nullopt;
        return Amount(m_value - other.m_value);
    }

    constexpr auto operator<=>(const Amount&) const = default;

private:
    constexpr explicit Amount(std::int64_t v) : m_value(v) {}
    std::int64_t m_value = 0;
};

// A point in time, seconds since the Unix epoch. Time always arrives as an argument.
struct UnixSeconds {
    std::int64_t value = 0;
    constexpr auto operator<=>(const UnixSeconds&) const = default;
    // Saturates instead of overflowing: a far-future instant stays far in the future.
    [[nodiscard]] constexpr UnixSeconds plus(std::chrono::seconds d) const {
        const auto s = d.count();
        if (s > 0 && value > std::numeric_limits<std::int64_t>::max() - s) {
            return {std::numeric_limits<std::int64_t>::max()};
        }
        if (s < 0 && value < std::numeric_limits<std::int64_t>::min() - s) {
            return {std::numeric_limits<std::int64_t>::min()};
        }
        return {value + s};
    }
};

}  // namespace btt::channels
