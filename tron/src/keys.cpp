#include <btt/tron/keys.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <openssl/crypto.h>

#include <stdexcept>

#include <btt/base/hex.h>
#include <btt/tron/hash.h>

namespace btt::tron {

namespace {

// One context for the process. Read-only after randomize_context(), so threads share it.
secp256k1_context* context() {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

ByteArray<65> serialize_uncompressed(const secp256k1_pubkey& key) {
    ByteArray<65> out{};
    std::size_t length = out.size();
    secp256k1_ec_pubkey_serialize(context(), out.data(), &length, &key, SECP256K1_EC_UNCOMPRESSED);
    return out;
}

TronAddress address_of_uncompressed(const ByteArray<65>& key) {
    const Hash32 h = keccak256(ByteView(key).subspan(1));
    ByteArray<21> raw{};
    raw[0] = TronAddress::kPrefix;
    std::copy(h.begin() + 12, h.end(), raw.begin() + 1);
    return TronAddress::from_bytes(raw).value();  // prefix and length are ours: cannot fail
}

Expected<TronAddress, SignatureError> recover_with_recid(const Hash32& digest,
                                                         const Signature& signature, int recid,
                                                         SPolicy policy) {
    secp256k1_ecdsa_recoverable_signature sig;
    if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, signature.data(),
                                                            recid) != 1) {
        return unexpected(SignatureError{SignatureError::Kind::NotRecoverable});
    }
    if (policy == SPolicy::RefuseHighS && is_high_s(signature)) {
        return unexpected(SignatureError{SignatureError::Kind::HighS});
    }
    secp256k1_pubkey key;
    if (secp256k1_ecdsa_recover(context(), &key, &sig, digest.data()) != 1) {
        return unexpected(SignatureError{SignatureError::Kind::NotRecoverable});
    }
    return address_of_uncompressed(serialize_uncompressed(key));
}

}  // namespace

std::string KeyError::message() const {
    switch (kind) {
        case Kind::WrongLength:
            return "wrong key length: " + detail;
        case Kind::BadHex:
            return "key is not hex: " + detail;
        case Kind::OutOfRange:
            return "private key out of range (must be 0 < d < n)";
        case Kind::BadPublicKey:
            return "not a valid secp256k1 public key" + (detail.empty() ? "" : ": " + detail);
    }
    return "bad key";
}

std::string SignatureError::message() const {
    switch (kind) {
        case Kind::BadRecoveryByte:
            return "signature recovery byte v is not an accepted value";
        case Kind::HighS:
            return "signature has a high S value (not canonical)";
        case Kind::NotRecoverable:
            return "no public key recovers from this signature";
    }
    return "bad signature";
}

Expected<PublicKey, KeyError> PublicKey::parse(ByteView bytes) {
    if (bytes.size() != 33 && bytes.size() != 64 && bytes.size() != 65) {
        return unexpected(KeyError{KeyError::Kind::WrongLength,
                                   std::to_string(bytes.size()) + " bytes, expected 33, 64 or 65"});
    }
    // 64 bytes: X || Y without the 04 marker, as Ethereum-style tools print keys.
    ByteArray<65> prefixed{};
    if (bytes.size() == 64) {
        prefixed[0] = 0x04;
        std::copy(bytes.begin(), bytes.end(), prefixed.begin() + 1);
        bytes = prefixed;
    }
    secp256k1_pubkey key;
    if (secp256k1_ec_pubkey_parse(context(), &key, bytes.data(), bytes.size()) != 1) {
        return unexpected(KeyError{KeyError::Kind::BadPublicKey, "not a point on the curve"});
    }
    return PublicKey{serialize_uncompressed(key)};
}

TronAddress PublicKey::address() const { return address_of_uncompressed(uncompressed); }

ByteArray<33> PublicKey::compressed() const {
    secp256k1_pubkey key;
    ByteArray<33> out{};
    if (secp256k1_ec_pubkey_parse(context(), &key, uncompressed.data(), uncompressed.size()) != 1) {
        throw std::logic_error("PublicKey holds an invalid point");  // built only by parse/derive
    }
    std::size_t length = out.size();
    secp256k1_ec_pubkey_serialize(context(), out.data(), &length, &key, SECP256K1_EC_COMPRESSED);
    return out;
}

Expected<PrivateKey, KeyError> PrivateKey::from_bytes(ByteView bytes) {
    if (bytes.size() != 32) {
        return unexpected(KeyError{KeyError::Kind::WrongLength,
                                   std::to_string(bytes.size()) + " bytes, expected 32"});
    }
    ByteArray<32> d{};
    std::copy(bytes.begin(), bytes.end(), d.begin());
    if (secp256k1_ec_seckey_verify(context(), d.data()) != 1) {
        OPENSSL_cleanse(d.data(), d.size());
        return unexpected(KeyError{KeyError::Kind::OutOfRange, ""});
    }
    PrivateKey key(d);
    OPENSSL_cleanse(d.data(), d.size());
    return key;
}

Expected<PrivateKey, KeyError> PrivateKey::from_hex(std::string_view text) {
    auto bytes = btt::from_hex(text);
    if (!bytes) return unexpected(KeyError{KeyError::Kind::BadHex, bytes.error().message()});
    auto key = from_bytes(*bytes);
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return key;
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : m_bytes(other.m_bytes) {
    OPENSSL_cleanse(other.m_bytes.data(), other.m_bytes.size());
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
    if (this != &other) {
        m_bytes = other.m_bytes;
        OPENSSL_cleanse(other.m_bytes.data(), other.m_bytes.size());
    }
    return *this;
}

PrivateKey::~PrivateKey() { OPENSSL_cleanse(m_bytes.data(), m_bytes.size()); }

PublicKey PrivateKey::public_key() const {
    secp256k1_pubkey key;
    if (secp256k1_ec_pubkey_create(context(), &key, m_bytes.data()) != 1) {
        throw std::logic_error("PrivateKey holds an invalid scalar");  // checked at creation
    }
    return PublicKey{serialize_uncompressed(key)};
}

TronAddress PrivateKey::address() const { return public_key().address(); }

std::string PrivateKey::to_hex() const { return btt::to_hex(m_bytes); }

Signature PrivateKey::sign_digest(const Hash32& digest) const {
    secp256k1_ecdsa_recoverable_signature sig;
    // nullptr nonce function = RFC 6979; libsecp256k1 always produces low-s.
    if (secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), m_bytes.data(), nullptr,
                                         nullptr) != 1) {
        throw std::logic_error("secp256k1 signing failed with a valid key");
    }
    Signature out{};
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out.data(), &recid, &sig);
    out[64] = static_cast<std::uint8_t>(27 + recid);
    return out;
}

bool is_high_s(const Signature& signature) {
    secp256k1_ecdsa_signature sig;
    if (secp256k1_ecdsa_signature_parse_compact(context(), &sig, signature.data()) != 1) {
        return false;  // out of range altogether: parse fails elsewhere
    }
    return secp256k1_ecdsa_signature_normalize(context(), nullptr, &sig) == 1;
}

Expected<TronAddress, SignatureError> recover_signer(const Hash32& digest,
                                                     const Signature& signature, SPolicy policy) {
    const std::uint8_t v = signature[64];
    int recid = -1;
    if (v == 0 || v == 1) recid = v;
    if (v == 27 || v == 28) recid = v - 27;
    if (recid < 0) return unexpected(SignatureError{SignatureError::Kind::BadRecoveryByte});
    return recover_with_recid(digest, signature, recid, policy);
}

Expected<TronAddress, SignatureError> recover_transaction_signer(const Hash32& txid,
                                                                 const Signature& signature) {
    // java-tron reads v as a signed Java byte: below 27 it adds 27; the result must be in
    // 27..34, and 31..34 lose 4 (compressed-key markers). So bytes 0..7 and 27..34 pass.
    int v = static_cast<std::int8_t>(signature[64]);
    if (v < 27) v += 27;
    if (v < 27 || v > 34) return unexpected(SignatureError{SignatureError::Kind::BadRecoveryByte});
    if (v >= 31) v -= 4;
    return recover_with_recid(txid, signature, v - 27, SPolicy::AcceptHighS);
}

void randomize_context(const ByteArray<32>& seed) {
    if (secp256k1_context_randomize(context(), seed.data()) != 1) {
        throw std::runtime_error("secp256k1 context randomization failed");
    }
}

}  // namespace btt::tron
