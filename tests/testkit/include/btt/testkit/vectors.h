#pragma once
// The SDK test vectors (tests/vectors/tron-vectors.json, a copy of shared/vectors: data made
// by the official Tron JavaScript SDK), parsed once.

#include <nlohmann/json.hpp>

namespace btt::testkit {

// Throws std::runtime_error when the file is missing or not JSON: a test without its
// oracle must fail, never pass vacuously.
[[nodiscard]] const nlohmann::json& tron_vectors();

}  // namespace btt::testkit
