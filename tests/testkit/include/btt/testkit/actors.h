#pragma once
// Named test actors with deterministic keys: alice pays, bob is paid, carol is a third
// party, plus the escrow and the node. Key = sha256("btt-test-actor:" + name).
#include <string_view>

#include <btt/tron/keys.h>

namespace btt::testkit {

[[nodiscard]] const tron::PrivateKey& actor_key(std::string_view name);
[[nodiscard]] inline tron::TronAddress actor(std::string_view name) { return actor_key(name).address(); }

inline const tron::PrivateKey& alice() { return actor_key("alice"); }
inline const tron::PrivateKey& bob() { return actor_key("bob"); }
inline const tron::PrivateKey& carol() { return actor_key("carol"); }
inline const tron::PrivateKey& escrow() { return actor_key("escrow"); }
inline const tron::PrivateKey& node_key() { return actor_key("node"); }

}  // namespace btt::testkit
