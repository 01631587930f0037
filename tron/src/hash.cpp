#include <btt/tron/hash.h>

#include <cryptopp/keccak.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace btt::tron {

namespace {
// The EVP_MD is fetched once: a fetch per call costs 2.7x (performance-floor.md).
const EVP_MD* sha256_md() {
    static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

struct MdContextDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
}  // namespace

Hash32 sha256(ByteView data) {
    // One context per thread, reused: hashing sits on the proof and txid hot paths.
    thread_local std::unique_ptr<EVP_MD_CTX, MdContextDeleter> ctx(EVP_MD_CTX_new());
    Hash32 out{};
    unsigned int length = 0;
    if (!ctx || EVP_DigestInit_ex2(ctx.get(), sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1 || length != out.size()) {
        // Only an OpenSSL installation without SHA-256 gets here: nothing can work then.
        throw std::runtime_error("OpenSSL SHA-256 is unavailable");
    }
    return out;
}

Hash32 keccak256(ByteView data) {
    CryptoPP::Keccak_256 hasher;
    hasher.Update(data.data(), data.size());
    Hash32 out{};
    hasher.Final(out.data());
    return out;
}

}  // namespace btt::tron
