#pragma once
// trondev's chain: the state and rules of a one-witness Tron chain, without the network
// (the gRPC services, block timer and storage wrap it). Broadcasts are checked in
// java-tron's order with its Return codes and messages (reference §5.3–5.13): no contract,
// expiration vs the next slot, signature, one contract, TAPOS, size and 24 h window,
// duplicate, bandwidth (free allowance, then TRX burn; account creation fees), memo fee,
// then the contract's own validation (§5.9). Accepted transactions apply to the state at
// once (as java-tron's pending state does) and are packed by the next produce_block().
// Two views of the accounts: account() is that current, pending-inclusive state (the
// full-node port); solid_account() is the state after the blocks up to solid_number() only
// (the solidity port, issue 11: reconciliation must not see a payout above the solid head).
// Block timestamps follow slots from the genesis time (DESIGN §8 "trondev time").
// Knows nothing of channels.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/tron/address.h>
#include <btt/tron/broadcast_policy.h>
#include <btt/tron/keys.h>
#include <btt/tron/transaction.h>

namespace btt::trondev {

struct ChainParameters {
    std::int64_t block_interval_ms = 3000;
    std::int64_t solid_lag = 18;                 // blocks behind head
    std::int64_t transaction_fee = 1000;         // getTransactionFee: sun per byte burned
    std::int64_t free_net_limit = 5000;          // getFreeNetLimit (mainnet: 600)
    std::int64_t memo_fee = 1'000'000;           // getMemoFee
    std::int64_t create_account_fee = 100'000;   // getCreateAccountFee
    std::int64_t create_new_account_fee_in_system_contract = 1'000'000;
    std::int64_t max_create_account_tx_size = 1000;
};

struct Token {
    std::string id;  // "1002000"
    std::string name;
    std::string abbr;
    std::int32_t precision = 6;
    tron::TronAddress owner;
    std::int64_t total_supply = 0;
};

struct GenesisAccount {
    tron::TronAddress address;
    std::int64_t trx = 0;                         // sun
    std::map<std::string, std::int64_t> tokens;   // token id -> base units
};

struct Genesis {
    std::int64_t timestamp_ms = 0;
    std::vector<Token> tokens;
    std::vector<GenesisAccount> accounts;
    ChainParameters params;
};

struct AccountState {
    std::int64_t balance = 0;
    std::map<std::string, std::int64_t> assets;
    std::int64_t free_net_usage = 0;
    std::int64_t latest_consume_free_time = 0;  // ms (head block time when last used)
    std::int64_t create_time = 0;

    friend bool operator==(const AccountState&, const AccountState&) = default;
};

// java-tron's Return.response_code numbers, shared with the bridge (reference §3.11).
using ReturnCode = tron::ReturnCode;

struct BroadcastResult {
    ReturnCode code = ReturnCode::Success;
    std::string message;  // java-tron's text; empty on success
    [[nodiscard]] bool ok() const { return code == ReturnCode::Success; }
};

struct Receipt {
    tron::TxId txid{};
    std::int64_t block_number = 0;
    std::int64_t block_timestamp = 0;
    std::int64_t fee = 0;        // sun burned in all
    std::int64_t net_usage = 0;  // free bandwidth points used
    std::int64_t net_fee = 0;    // sun burned for bandwidth
};

// What TransferAsset2 / CreateTransaction2 receive: the contract's fields as they came on
// the wire, before any validation (addresses may be malformed; java-tron says which).
struct TransferRequest {
    std::optional<std::string> token_id;  // TransferAssetContract.asset_name; nullopt: TRX
    Bytes owner;
    Bytes to;
    std::int64_t amount = 0;
};

struct StoredBlock {
    std::int64_t number = 0;
    std::int64_t timestamp = 0;
    Hash32 id{};
    Bytes header_raw;                 // serialised BlockHeader.raw
    tron::Signature witness_signature{};
    std::vector<Bytes> transactions;  // full Transaction bytes as stored (with ret)
    std::vector<tron::TxId> txids;
};

class Chain {
public:
    // Throws std::invalid_argument for an inconsistent genesis (unknown token, negative
    // balances, duplicate accounts).
    explicit Chain(Genesis genesis);

    [[nodiscard]] BroadcastResult broadcast(ByteView transaction);
    // java-tron's server-side builders (TransferAsset2, CreateTransaction2; reference §5.6):
    // the contract is validated against the current state as the actuator does, then an
    // unsigned transaction is made referencing the solidified head, expiring at head time +
    // 60 s, stamped `now_ms` (the caller's clock). A refusal is CONTRACT_VALIDATE_ERROR with
    // java-tron's text. Changes nothing.
    [[nodiscard]] Expected<tron::BuiltTransaction, BroadcastResult> build_transfer(const TransferRequest& request,
                                                                                 std::int64_t now_ms) const;
    // Packs every pending transaction into the next slot's block; returns its number.
    std::int64_t produce_block();

    [[nodiscard]] std::int64_t head_number() const { return static_cast<std::int64_t>(m_blocks.size()) - 1; }
    [[nodiscard]] std::int64_t solid_number() const;
    [[nodiscard]] const StoredBlock& head() const { return m_blocks.back(); }
    [[nodiscard]] const StoredBlock* block(std::int64_t number) const;
    [[nodiscard]] std::optional<Receipt> receipt(const tron::TxId& txid) const;
    // The current state: every block plus the pending transactions. nullptr: no account.
    [[nodiscard]] const AccountState* account(const tron::TronAddress& address) const;
    // The state as of the solidified head: genesis plus the transactions of blocks
    // 0..solid_number(), nothing above it and nothing pending. nullptr: no account then
    // (it may exist in the current state, created by a transaction not yet solid).
    [[nodiscard]] const AccountState* solid_account(const tron::TronAddress& address) const;
    [[nodiscard]] const Token* token(const std::string& id) const;
    [[nodiscard]] std::size_t pending_size() const { return m_pending.size(); }
    [[nodiscard]] bool is_pending(const tron::TxId& txid) const;
    // A pending transaction's bytes as broadcast (no ret); nullopt if not pending.
    [[nodiscard]] std::optional<Bytes> pending_transaction(const tron::TxId& txid) const;
    [[nodiscard]] std::vector<tron::TxId> pending_txids() const;
    // Free bandwidth points used by `a`, recovered linearly over 24 h of head-block time.
    [[nodiscard]] std::int64_t free_bandwidth_used(const AccountState& a) const;
    [[nodiscard]] const ChainParameters& params() const { return m_genesis.params; }
    [[nodiscard]] const tron::TronAddress& witness() const { return m_witness_address; }

private:
    // An account as one transaction left it (owner, then recipient). Replaying a block's
    // writes in order over the state before it gives the state after it, bandwidth and
    // creation time included: this is how the solid view follows the current one.
    using AccountWrite = std::pair<tron::TronAddress, AccountState>;

    struct Pending {
        tron::TxId txid;
        Bytes broadcast;  // Transaction bytes as received (no ret)
        Receipt receipt;
        std::vector<AccountWrite> writes;
    };

    // The transfer actuators' validate() (TransferActuator, TransferAssetActuator; §5.9), in
    // their order and words. `fees_charged` is the TRX the broadcast already burned from the
    // owner (bandwidth, memo): java-tron validates after charging them. Returns the text of
    // the first failure, without the "Contract validate error : " prefix.
    [[nodiscard]] std::optional<std::string> validate_transfer(const TransferRequest& t,
                                                               std::int64_t fees_charged) const;
    void append_block(std::vector<Pending> txs);
    // Applies the writes of blocks that became solid to m_solid_accounts.
    void advance_solid_view();
    void use_free_bandwidth(AccountState& a, std::int64_t bytes) const;
    [[nodiscard]] std::int64_t free_bandwidth_left(const AccountState& a) const;
    [[nodiscard]] std::int64_t next_slot_time() const;

    Genesis m_genesis;
    std::map<tron::TronAddress, AccountState> m_accounts;  // current (pending-inclusive)
    // The solid view: the state after block m_solid_applied, and the writes of each block
    // above it (at most solid_lag blocks), dropped once applied.
    std::map<tron::TronAddress, AccountState> m_solid_accounts;
    std::int64_t m_solid_applied = 0;
    std::map<std::int64_t, std::vector<AccountWrite>> m_unsolid_writes;
    std::map<std::string, Token> m_tokens;
    std::vector<StoredBlock> m_blocks;
    std::map<tron::TxId, Receipt> m_receipts;
    std::vector<Pending> m_pending;
    tron::PrivateKey m_witness_key;
    tron::TronAddress m_witness_address;
};

}  // namespace btt::trondev
