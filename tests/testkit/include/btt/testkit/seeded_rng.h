#pragma once
// Randomness for property tests that can be replayed: the seed comes from BTT_TEST_SEED
// when set, else from std::random_device, and is printed so a failure can be rerun with
// exactly the same inputs (`BTT_TEST_SEED=<n> unit_tests --gtest_filter=...`).

#include <cstdint>
#include <random>

#include <btt/base/bytes.h>

namespace btt::testkit {

class SeededRng {
public:
    SeededRng();  // prints "BTT_TEST_SEED=<seed>" on stderr and as a gtest property
    [[nodiscard]] std::uint64_t seed() const noexcept { return m_seed; }
    std::uint64_t next() { return m_engine(); }
    // Uniform in [low, high].
    std::uint64_t uniform(std::uint64_t low, std::uint64_t high) {
        return std::uniform_int_distribution<std::uint64_t>(low, high)(m_engine);
    }
    Bytes bytes(std::size_t n);
    template <std::size_t N>
    ByteArray<N> array() {
        ByteArray<N> out{};
        for (auto& b : out) b = static_cast<std::uint8_t>(m_engine());
        return out;
    }
    std::mt19937_64& engine() noexcept { return m_engine; }

private:
    std::uint64_t m_seed;
    std::mt19937_64 m_engine;
};

}  // namespace btt::testkit
