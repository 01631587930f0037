#pragma once
// The btt_pay BEP 10 extension, version 1: what a seeder offers in the extended handshake
// and the messages payer and seeder exchange afterwards. Each is one flat bencoded
// dictionary (bencode.h); the README's "Paying per piece" section is the reference.
//
// Decides: the exact keys, types and bounds of every field, and refuses anything else
// with a typed reason (a refused message closes that one connection). Leaves to others:
// whether a proof's signature is the channel payer's (channels::check_proof and the
// seeder's channel lookup), and every policy (credit.h). Pure: no I/O.
//
// Handshake, under key "btt_pay" of the extended handshake dictionary:
//   seeder: {v:1, payee, price, token, escrow, node, credit, free}
//   payer:  {v:1}                       (speaks btt_pay, offers nothing)
// Messages, sent with the peer's "m"/"btt_pay" extension id:
//   {v:1, t:"open",  ch}                (the payer's channel to this seeder's payee)
//   {v:1, t:"proof", ch, amt, sig}      (cumulative balance proof, DESIGN §3)
//   {v:1, t:"ack",   ch, amt, allow}    (committed amount; pieces the seeder will serve)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <btt/base/expected.h>
#include <btt/channels/ids.h>
#include <btt/torrent/bencode.h>
#include <btt/tron/address.h>
#include <btt/tron/keys.h>

namespace btt::torrent {

// The extension's name in the handshake's "m" dictionary (BEP 10) and its version.
inline constexpr std::string_view kExtensionName = "btt_pay";
inline constexpr std::int64_t kVersion = 1;

struct Offer {
    tron::TronAddress payee;
    std::uint64_t price = 0;  // token base units per piece, >= 1
    std::string token_id;     // decimal TRC-10 id, e.g. "1002000"
    tron::TronAddress escrow;
    std::string node;                 // host:port of the bttnode the seeder settles with
    std::uint32_t credit_pieces = 1;  // >= 1: with none, payer and seeder deadlock
    std::uint32_t free_pieces = 0;
};

// The "btt_pay" handshake value: a seeder's offer, or none (a payer or a free peer).
struct Hello {
    std::optional<Offer> offer;
};

struct OpenMsg {
    channels::ChannelId channel;
};
struct ProofMsg {
    channels::ChannelId channel;
    std::uint64_t amount = 0;  // cumulative, 1..2^63-1
    tron::Signature signature{};
};
struct AckMsg {
    channels::ChannelId channel;
    std::uint64_t amount = 0;  // cumulative amount the node committed (receipt in hand)
    std::uint64_t allow = 0;   // pieces the seeder will serve this connection in total
};
using PayMessage = std::variant<OpenMsg, ProofMsg, AckMsg>;

enum class MessageError {
    NotBencoded,         // the bencoding itself is refused (detail: BencodeError)
    UnsupportedVersion,  // v missing or not 1
    UnknownType,         // t missing or not open/proof/ack
    MissingField,
    BadField,  // wrong type, length, base58 or range
};

struct DecodeError {
    MessageError kind;
    std::string field;  // the offending key, when there is one
    [[nodiscard]] std::string message() const;
};

[[nodiscard]] std::string encode_hello(const Hello& hello);
[[nodiscard]] std::string encode_message(const PayMessage& message);

// Returns the hello, or why not. An offer needs every field; unknown keys are ignored so
// that later versions can add some.
[[nodiscard]] Expected<Hello, DecodeError> decode_hello(std::string_view bencoded);
// Returns the message, or why not (unknown keys are ignored).
[[nodiscard]] Expected<PayMessage, DecodeError> decode_message(std::string_view bencoded);

}  // namespace btt::torrent
