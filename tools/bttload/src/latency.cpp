#include <btt/load/latency.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace btt::load {

// Buckets: [0, 64) one per value; then for exponent e >= 1, values v with
// bit_width(v) == e + 6 fall into 32 buckets of width 2^e: sub = v >> e in [32, 64).
std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) noexcept {
    if (micros < 64)
        return static_cast<std::size_t>(micros);
    const auto e = static_cast<unsigned>(std::bit_width(micros)) - 6;
    const auto sub = static_cast<std::size_t>(micros >> e) - 32;
    return std::min<std::size_t>(64 + (e - 1) * 32 + sub, kBuckets - 1);
}

std::uint64_t LatencyHistogram::upper_bound_of(std::size_t bucket) noexcept {
    if (bucket < 64)
        return bucket;
    const auto e = static_cast<unsigned>((bucket - 64) / 32 + 1);
    const auto sub = static_cast<std::uint64_t>((bucket - 64) % 32 + 32);
    return ((sub + 1) << e) - 1;
}

void LatencyHistogram::record(std::uint64_t micros) noexcept {
    ++m_buckets[bucket_of(micros)];
    ++m_count;
    m_max = std::max(m_max, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_max = std::max(m_max, other.m_max);
}

std::uint64_t LatencyHistogram::percentile(double q) const noexcept {
    if (m_count == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += m_buckets[i];
        if (seen >= rank)
            return std::min(upper_bound_of(i), m_max);
    }
    return m_max;
}

}  // namespace btt::load
