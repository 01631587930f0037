#include <btt/testkit/seeded_rng.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

namespace btt::testkit {

namespace {
std::uint64_t choose_seed() {
    if (const char* text = std::getenv("BTT_TEST_SEED"); text != nullptr && *text != '\0') {
        return std::stoull(text);
    }
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) | device();
}
}  // namespace

SeededRng::SeededRng() : m_seed(choose_seed()), m_engine(m_seed) {
    std::cerr << "BTT_TEST_SEED=" << m_seed << "\n";
    ::testing::Test::RecordProperty("BTT_TEST_SEED", std::to_string(m_seed));
}

Bytes SeededRng::bytes(std::size_t n) {
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(m_engine());
    return out;
}

}  // namespace btt::testkit
