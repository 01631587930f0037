#pragma once
// secp256k1 keys and signatures through libsecp256k1 (OpenSSL is 9x slower on this curve,
// performance-floor.md). Signatures are 65 bytes r || s || v. Everything we sign is
// RFC 6979 deterministic, low-s, with v = 27/28 as the Tron SDK writes (DESIGN §8).
//
// Two verification rule sets exist because Tron has two:
// - messages (TIP-104 proofs, receipts, close requests): v in {0, 1, 27, 28}; high-S is
//   refused under SPolicy::RefuseHighS, because a malleated copy of a proof must not count
//   as a different proof;
// - transactions (recover_transaction_signer): java-tron's rules, reference §5.3: v bytes
//   0..7 and 27..34, high-S accepted (java-tron does not enforce low-s).

#include <string>
#include <string_view>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/tron/address.h>

namespace btt::tron {

using Signature = ByteArray<65>;

struct KeyError {
    enum class Kind { WrongLength, BadHex, OutOfRange, BadPublicKey };
    Kind kind;
    std::string detail;
    [[nodiscard]] std::string message() const;
};

struct SignatureError {
    enum class Kind {
        BadRecoveryByte,  // v outside the accepted set
        HighS,            // s > n/2 where low-s is required
        NotRecoverable,   // r or s out of range, or no public key recovers
    };
    Kind kind;
    [[nodiscard]] std::string message() const;
};

enum class SPolicy { AcceptHighS, RefuseHighS };

struct PublicKey {
    ByteArray<65> uncompressed{};  // 04 || X || Y
    // Parses a 33-byte compressed or 65-byte uncompressed SEC1 key, or 64 bytes X || Y
    // (the uncompressed key without its 04 marker); refuses points off the curve.
    [[nodiscard]] static Expected<PublicKey, KeyError> parse(ByteView bytes);
    [[nodiscard]] TronAddress address() const;
    [[nodiscard]] ByteArray<33> compressed() const;
};

// A private key. Zeroes its bytes when destroyed or moved from; never printed or logged
// except by to_hex(), which exists for `bttctl key new` alone.
class PrivateKey {
public:
    // 32 bytes with 0 < d < n; anything else is refused (WrongLength, OutOfRange).
    [[nodiscard]] static Expected<PrivateKey, KeyError> from_bytes(ByteView bytes);
    // 64 hex digits (an optional 0x prefix is accepted).
    [[nodiscard]] static Expected<PrivateKey, KeyError> from_hex(std::string_view text);

    PrivateKey(PrivateKey&& other) noexcept;
    PrivateKey& operator=(PrivateKey&& other) noexcept;
    PrivateKey(const PrivateKey&) = delete;
    PrivateKey& operator=(const PrivateKey&) = delete;
    ~PrivateKey();

    [[nodiscard]] PublicKey public_key() const;
    [[nodiscard]] TronAddress address() const;
    [[nodiscard]] std::string to_hex() const;
    // Signs a 32-byte digest as is (no further hashing): RFC 6979, low-s, v = 27 + recid.
    [[nodiscard]] Signature sign_digest(const Hash32& digest) const;

private:
    explicit PrivateKey(const ByteArray<32>& bytes) : m_bytes(bytes) {}
    ByteArray<32> m_bytes{};
};

// Message rules: v in {0, 1, 27, 28}; `policy` decides high-S. Returns the signer's
// address or why there is none.
[[nodiscard]] Expected<TronAddress, SignatureError> recover_signer(const Hash32& digest,
                                                                   const Signature& signature,
                                                                   SPolicy policy);

// java-tron's transaction rules (reference §5.3): v byte 0..7 or 27..34, high-S accepted.
[[nodiscard]] Expected<TronAddress, SignatureError> recover_transaction_signer(
    const Hash32& txid, const Signature& signature);

// True when s > n/2 (a signature a compliant signer never makes).
[[nodiscard]] bool is_high_s(const Signature& signature);

// Re-blinds the shared signing context with 32 bytes of fresh randomness (side-channel
// hardening; signatures stay deterministic). Call once at start-up, before other threads
// sign: btt_tron_io's randomize_signing_context() does it with OS randomness.
void randomize_context(const ByteArray<32>& seed);

}  // namespace btt::tron
