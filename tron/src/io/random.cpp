#include <btt/tron/io/random.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace btt::tron::io {

namespace {
ByteArray<32> random_32() {
    ByteArray<32> out{};
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        throw std::runtime_error("the operating system gave no randomness");
    }
    return out;
}
}  // namespace

PrivateKey generate_private_key() {
    // A uniformly random 32-byte string is out of range with probability ~2^-128; retry.
    for (int attempt = 0; attempt < 16; ++attempt) {
        ByteArray<32> candidate = random_32();
        auto key = PrivateKey::from_bytes(candidate);
        OPENSSL_cleanse(candidate.data(), candidate.size());
        if (key) return std::move(key).value();
    }
    throw std::runtime_error("could not draw a valid private key");
}

void randomize_signing_context() {
    ByteArray<32> seed = random_32();
    randomize_context(seed);
    OPENSSL_cleanse(seed.data(), seed.size());
}

}  // namespace btt::tron::io
