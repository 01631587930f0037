#pragma once
// The bridge to a java-tron full node (or trondev): protocol.Wallet on the full-node
// endpoint, protocol.WalletSolidity + Database on the solidity endpoint, behind one client.
// Every call has a deadline; transient failures (gRPC UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED; Return SERVER_BUSY, NO_CONNECTION, NOT_ENOUGH_EFFECTIVE_CONNECTION,
// BLOCK_UNSOLIDIFIED) are retried with jittered exponential backoff. java-tron answers
// "not found" with an empty message and status OK: that becomes std::nullopt here.
// Errors are ChainError{Transient, Rejected, Unknown}; Unknown after a broadcast means
// "maybe sent" — the caller's outbox decides, never a blind re-sign. Once a broadcast
// attempt has begun, every gRPC failure (INTERNAL and UNKNOWN included) ends as Unknown:
// none proves the node did not take the bytes (classify_broadcast_failure, issue 11).
// cancel() (thread-safe) ends every backoff at once and cancels the calls in flight, so a
// shutdown never waits out a retry.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/tron/address.h>
#include <btt/tron/broadcast_policy.h>
#include <btt/tron/transaction.h>

namespace protocol {
class BlockExtention;
class TransactionInfo;
}  // namespace protocol

namespace btt::tron::client {

struct Endpoint {
    std::string address = "127.0.0.1:50051";  // host:port
    bool tls = false;
    std::string root_certificates_file;  // PEM; empty: the system's roots
};

struct ClientOptions {
    Endpoint full_node;
    Endpoint solidity{"127.0.0.1:50061"};
    std::chrono::milliseconds deadline{5000};  // per attempt
    BackoffPolicy backoff;
};

struct ChainError {
    enum class Kind {
        Transient,  // nothing happened (a read failed, or the client was cancelled before a
                    // broadcast's first attempt): try again later
        Rejected,   // refused: these arguments or bytes will not do (a broadcast: refused
                    // unsent, before any attempt)
        Unknown,    // a broadcast may have reached the node: follow the txid
    };
    Kind kind;
    std::string message;
    int grpc_code = 0;
};

template <typename T>
using Result = Expected<T, ChainError>;

struct BlockRef {
    std::int64_t number = 0;
    std::int64_t timestamp = 0;  // ms
    Hash32 id{};
};

struct Balances {
    bool exists = false;
    std::int64_t trx = 0;                         // sun
    std::map<std::string, std::int64_t> tokens;  // assetV2: token id -> base units
};

struct BroadcastOutcome {
    BroadcastClass kind;
    int code = 0;          // Return.code
    std::string message;   // Return.message
    int attempts = 0;
    // Attempts before this answer that got a gRPC failure instead of a Return: they may have
    // reached the node, so even a refusal here does not prove the transaction absent.
    int unanswered_attempts = 0;
};

struct Inclusion {
    std::int64_t block_number = 0;
    std::int64_t block_timestamp = 0;
    std::int64_t fee = 0;
};

class TronClient {
public:
    explicit TronClient(ClientOptions options);
    ~TronClient();
    TronClient(const TronClient&) = delete;
    TronClient& operator=(const TronClient&) = delete;

    [[nodiscard]] Result<BlockRef> head();
    [[nodiscard]] Result<BlockRef> solid_head();
    // A block from the full node (may be above the solid height); nullopt if none.
    [[nodiscard]] Result<std::optional<protocol::BlockExtention>> block(std::int64_t number);
    // Solidified blocks in [start, end): fetched from the full node at most 100 per call
    // and never above the solid height (java-tron's WalletSolidity has no range call).
    [[nodiscard]] Result<std::vector<protocol::BlockExtention>> solid_blocks(std::int64_t start, std::int64_t end);
    // Where a transaction sits on the SOLIDIFIED chain; nullopt if not there (yet).
    [[nodiscard]] Result<std::optional<Inclusion>> solid_inclusion(const TxId& txid);
    // The same answer from the full node alone (for callers who know no solidity port):
    // its receipt, counted only at or below the full node's own solidified height
    // (protocol.Database/GetDynamicProperties, served on every java-tron port).
    [[nodiscard]] Result<std::optional<Inclusion>> solid_inclusion_via_full_node(const TxId& txid);
    [[nodiscard]] Result<Balances> account(const TronAddress& address, bool solidified = true);
    // Token metadata (name, precision, ...) as AssetIssueContract fields; nullopt if unknown.
    struct Asset {
        std::string id, name, abbr;
        int precision = 0;
        std::int64_t total_supply = 0;
    };
    [[nodiscard]] Result<std::optional<Asset>> asset(const std::string& token_id);
    // Sends these exact signed bytes; retries transient answers (gRPC UNAVAILABLE,
    // DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED; the transient Return codes) with the same bytes.
    // Returns the last Return's outcome; Rejected, nothing sent, for bytes that are not
    // canonical protobuf; Transient "cancelled", nothing sent, when cancel() came before the
    // first attempt; otherwise, when the last attempt got no Return (a gRPC failure, or
    // cancel() during a call or a backoff), Unknown: maybe sent, follow the txid.
    [[nodiscard]] Result<BroadcastOutcome> broadcast(ByteView signed_transaction);
    // Reference §5.7: Included / PendingOrUnknown / Dead, from the solidity endpoint.
    [[nodiscard]] Result<TxFate> fate(const TxId& txid, std::int64_t expiration_ms);

    // Thread-safe. Every call now sleeping in a backoff returns at once, every call in
    // flight is cancelled (gRPC TryCancel), and every later call returns without sending,
    // until reset_cancel(). A read so ended gives ChainError{Transient, "cancelled"}; a
    // broadcast gives the same before its first attempt and Unknown after it (see
    // broadcast()). For shutdown: no caller waits out a backoff or a deadline.
    void cancel();
    // Thread-safe. Calls begun after it run normally again.
    void reset_cancel();
    [[nodiscard]] bool is_cancelled() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
    ClientOptions m_options;
};

}  // namespace btt::tron::client
