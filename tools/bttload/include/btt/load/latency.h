#pragma once
// Send-to-answer latency: a fixed-size log-linear histogram in microseconds (as
// HdrHistogram with 5 significant bits: every bucket spans at most 1/32 of its value, so a
// percentile is within about 3 %). Recording is an index computation and an increment: no
// allocation, cheap enough to run on every answer. Not thread-safe: one per stream, merged
// at the end.

#include <array>
#include <cstddef>
#include <cstdint>

namespace btt::load {

class LatencyHistogram {
public:
    void record(std::uint64_t micros) noexcept;
    void merge(const LatencyHistogram& other) noexcept;

    [[nodiscard]] std::uint64_t count() const noexcept { return m_count; }
    [[nodiscard]] std::uint64_t max() const noexcept { return m_max; }
    // The value at quantile q in [0, 1] (the smallest recorded value v such that at least
    // q of the samples are <= v, reported as its bucket's upper bound, never above max());
    // 0 when empty.
    [[nodiscard]] std::uint64_t percentile(double q) const noexcept;

    // Bucket layout, exposed for tests: values below 64 have a bucket each; above, each
    // power of two is split into 32 buckets.
    [[nodiscard]] static std::size_t bucket_of(std::uint64_t micros) noexcept;
    [[nodiscard]] static std::uint64_t upper_bound_of(std::size_t bucket) noexcept;

    static constexpr std::size_t kBuckets = 64 + 58 * 32;

private:
    std::array<std::uint64_t, kBuckets> m_buckets{};
    std::uint64_t m_count = 0;
    std::uint64_t m_max = 0;
};

}  // namespace btt::load
