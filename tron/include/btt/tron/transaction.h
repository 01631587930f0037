#pragma once
// Tron transactions on java-tron's wire, byte for byte (reference §3, §5.1–5.5, §7):
// building TRX (TransferContract) and TRC-10 (TransferAssetContract) transfers, their txid,
// signing, the signed Transaction bytes, decoding raw_data back into fields, block ids and
// TAPOS. Pure: no clock (times are arguments), no network.
//
// A txid is sha256 of the raw_data bytes as built or as received, never of a
// re-serialisation (DESIGN §8): decode_raw_data() keeps the input bytes for that reason.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::tron {

using TxId = Hash32;

// The "type.googleapis.com/protocol.X" Any URLs the SDKs and java-tron write (covered by
// the txid, so exact).
inline constexpr std::string_view kTransferContractTypeUrl =
    "type.googleapis.com/protocol.TransferContract";
inline constexpr std::string_view kTransferAssetContractTypeUrl =
    "type.googleapis.com/protocol.TransferAssetContract";

// ContractType numbers (reference §3.3).
enum class ContractType : int { Transfer = 1, TransferAsset = 2 };

// TAPOS fields of a transaction (reference §5.5).
struct Tapos {
    ByteArray<2> ref_block_bytes{};  // bytes 6..7 of uint64_be(reference block number)
    ByteArray<8> ref_block_hash{};   // bytes 8..15 of the reference block id
};

// TAPOS referring to block `number` whose id is `block_id`.
[[nodiscard]] Tapos tapos_from_block(std::int64_t number, const Hash32& block_id);

// Block id = uint64_be(number) || sha256(header raw)[8..31] (reference §5.4).
[[nodiscard]] Hash32 block_id(std::int64_t number, const Hash32& header_raw_sha256);

struct TransferSpec {
    std::optional<std::string> token_id;  // TRC-10 token id (ASCII digits); nullopt: TRX
    TronAddress owner;
    TronAddress to;
    std::int64_t amount = 0;  // token base units, or sun for TRX; must be > 0
    Tapos tapos;
    std::int64_t expiration_ms = 0;
    std::int64_t timestamp_ms = 0;
    Bytes memo;  // raw.data; empty: field absent (no memo fee)
};

struct TxBuildError {
    enum class Kind { NonPositiveAmount, BadTokenId, BadTime };
    Kind kind;
    [[nodiscard]] std::string message() const;
};

struct BuiltTransaction {
    Bytes raw_data;  // serialised Transaction.raw
    TxId txid;       // sha256(raw_data)
};

// Returns the raw_data bytes and txid, or why the spec cannot be a valid transfer
// (amount <= 0; token id not 1..19 ASCII digits; negative times).
[[nodiscard]] Expected<BuiltTransaction, TxBuildError> build_transfer(const TransferSpec& spec);

[[nodiscard]] TxId txid_of(ByteView raw_data);

// Signs a txid as java-tron and the SDK do: the 32 bytes themselves, RFC 6979, low-s,
// v = 27/28 (TronWeb's form; java-tron accepts it).
[[nodiscard]] Signature sign_transaction(const PrivateKey& key, const TxId& txid);

// The Transaction message as broadcast: {1: raw_data, 2: signature...}, no ret.
[[nodiscard]] Bytes signed_transaction_bytes(ByteView raw_data,
                                             std::span<const Signature> signatures);

struct DecodedContract {
    int type = 0;              // ContractType number as found (any value)
    std::string type_url;      // Any.type_url
    int permission_id = 0;
    // Present for TransferContract / TransferAssetContract:
    std::optional<TronAddress> owner;
    std::optional<TronAddress> to;
    std::optional<std::int64_t> amount;
    std::optional<std::string> token_id;  // TransferAssetContract.asset_name (ASCII)
};

struct DecodedRaw {
    Bytes ref_block_bytes;
    std::int64_t ref_block_num = 0;
    Bytes ref_block_hash;
    std::int64_t expiration = 0;
    std::int64_t timestamp = 0;
    Bytes data;
    std::int64_t fee_limit = 0;
    std::vector<DecodedContract> contracts;
    TxId txid{};  // sha256 of the input bytes
};

struct TxDecodeError {
    enum class Kind {
        NotProtobuf,       // raw_data does not parse as Transaction.raw
        BadContract,       // a transfer's Any payload does not parse, or type and URL disagree
        BadAddress,        // a transfer's owner or to is not a 21-byte 0x41 address
    };
    Kind kind;
    std::string detail;
    [[nodiscard]] std::string message() const;
};

// Decodes raw_data. Unknown contract types are returned with their type and URL only
// (a block scanner skips them; reference §3.3). Transfers are decoded fully and their
// addresses validated.
[[nodiscard]] Expected<DecodedRaw, TxDecodeError> decode_raw_data(ByteView raw_data);

// Splits a serialised Transaction into its raw_data bytes (exactly as found on the wire,
// so the txid is sha256 of what was sent) and its signatures (as sent: judging their
// length is the validator's job), skipping ret and unknown fields. Nullopt when the bytes
// are not a well-formed protobuf message or hold raw_data twice.
struct SignedParts {
    Bytes raw_data;
    std::vector<Bytes> signatures;
};
[[nodiscard]] std::optional<SignedParts> split_signed_transaction(ByteView transaction);

}  // namespace btt::tron
