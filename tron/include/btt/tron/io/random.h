#pragma once
// Fresh secrets from the operating system's CSPRNG (through OpenSSL's RAND_bytes).

#include <btt/tron/keys.h>

namespace btt::tron::io {

// A new private key. Throws std::runtime_error only if the OS has no randomness to give.
[[nodiscard]] PrivateKey generate_private_key();

// Re-blinds libsecp256k1's shared context with OS randomness (side-channel hardening).
// Call once at process start, before threads sign.
void randomize_signing_context();

}  // namespace btt::tron::io
