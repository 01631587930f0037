#include <btt/trondev/chain.h>

#include <algorithm>
#include <stdexcept>

#include <tron/core/Tron.pb.h>

#include <btt/base/hex.h>
#include <btt/tron/hash.h>

namespace btt::trondev {

namespace {

constexpr std::int64_t kMaxTimeUntilExpiration = 86'400'000;  // 24 h, reference §5.7
constexpr std::int64_t kMaxTransactionSize = 500 * 1024;      // §5.11
constexpr std::int64_t kResultHeadroom = 64;                  // MAX_RESULT_SIZE_IN_TX
constexpr std::int64_t kBandwidthWindowMs = 86'400'000;       // usage recovers over 24 h
constexpr std::int32_t kBlockVersion = 30;
constexpr std::size_t kTotalSignNum = 5;                      // getTotalSignNum
constexpr std::int64_t kBuilderExpirationMs = 60'000;         // trx.expiration.timeInMilliseconds

BroadcastResult fail(ReturnCode code, std::string message) { return {code, std::move(message)}; }

BroadcastResult contract_error(const std::string& text) {
    return fail(ReturnCode::ContractValidateError, "Contract validate error : " + text);
}

// The witness of this one-producer chain: a fixed, publicly known test key.
tron::PrivateKey witness_key() {
    return tron::PrivateKey::from_bytes(tron::sha256(as_bytes("trondev-witness"))).value();
}

std::string as_string(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Merkle root of the block's transactions (reference §5.4): leaves are sha256 of each full
// stored transaction; an odd last node is carried up unchanged; empty -> 32 zero bytes.
Hash32 merkle_root(const std::vector<Bytes>& txs) {
    if (txs.empty()) return Hash32{};
    std::vector<Hash32> level;
    for (const auto& t : txs) level.push_back(tron::sha256(t));
    while (level.size() > 1) {
        std::vector<Hash32> up;
        for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
            Bytes pair(level[i].begin(), level[i].end());
            append(pair, level[i + 1]);
            up.push_back(tron::sha256(pair));
        }
        if (level.size() % 2 == 1) up.push_back(level.back());
        level = std::move(up);
    }
    return level[0];
}

bool add_checked(std::int64_t& into, std::int64_t more) {
    if (more > 0 && into > INT64_MAX - more) return false;
    into += more;
    return true;
}

}  // namespace

Chain::Chain(Genesis genesis)
    : m_genesis(std::move(genesis)), m_witness_key(witness_key()),
      m_witness_address(m_witness_key.address()) {
    for (const auto& t : m_genesis.tokens) {
        if (!m_tokens.emplace(t.id, t).second) throw std::invalid_argument("duplicate token " + t.id);
    }
    for (const auto& a : m_genesis.accounts) {
        AccountState s;
        s.balance = a.trx;
        s.create_time = m_genesis.timestamp_ms;
        if (a.trx < 0) throw std::invalid_argument("negative TRX balance in genesis");
        for (const auto& [id, amount] : a.tokens) {
            if (!m_tokens.count(id)) throw std::invalid_argument("genesis balance of unknown token " + id);
            if (amount < 0) throw std::invalid_argument("negative token balance in genesis");
            s.assets[id] = amount;
        }
        if (!m_accounts.emplace(a.address, s).second) {
            throw std::invalid_argument("duplicate genesis account " + a.address.to_base58());
        }
    }
    if (m_genesis.params.block_interval_ms <= 0) throw std::invalid_argument("block interval must be > 0");
    if (m_genesis.params.solid_lag < 0) throw std::invalid_argument("solid lag must be >= 0");
    m_solid_accounts = m_accounts;  // block 0 carries no transaction
    append_block({});  // block 0
}

std::int64_t Chain::solid_number() const {
    return std::max<std::int64_t>(0, head_number() - m_genesis.params.solid_lag);
}

const StoredBlock* Chain::block(std::int64_t number) const {
    if (number < 0 || number > head_number()) return nullptr;
    return &m_blocks[static_cast<std::size_t>(number)];
}

std::optional<Receipt> Chain::receipt(const tron::TxId& txid) const {
    const auto it = m_receipts.find(txid);
    if (it == m_receipts.end()) return std::nullopt;
    return it->second;
}

const AccountState* Chain::account(const tron::TronAddress& address) const {
    const auto it = m_accounts.find(address);
    return it == m_accounts.end() ? nullptr : &it->second;
}

const AccountState* Chain::solid_account(const tron::TronAddress& address) const {
    const auto it = m_solid_accounts.find(address);
    return it == m_solid_accounts.end() ? nullptr : &it->second;
}

const Token* Chain::token(const std::string& id) const {
    const auto it = m_tokens.find(id);
    return it == m_tokens.end() ? nullptr : &it->second;
}

bool Chain::is_pending(const tron::TxId& txid) const {
    return std::any_of(m_pending.begin(), m_pending.end(), [&](const Pending& p) { return p.txid == txid; });
}

std::optional<Bytes> Chain::pending_transaction(const tron::TxId& txid) const {
    for (const auto& p : m_pending) {
        if (p.txid == txid) return p.broadcast;
    }
    return std::nullopt;
}

std::vector<tron::TxId> Chain::pending_txids() const {
    std::vector<tron::TxId> ids;
    for (const auto& p : m_pending) ids.push_back(p.txid);
    return ids;
}

std::int64_t Chain::free_bandwidth_used(const AccountState& a) const {
    return m_genesis.params.free_net_limit - free_bandwidth_left(a);
}

std::int64_t Chain::next_slot_time() const { return head().timestamp + m_genesis.params.block_interval_ms; }

std::int64_t Chain::free_bandwidth_left(const AccountState& a) const {
    // Usage recovers linearly over 24 h of head-block time.
    const std::int64_t elapsed = std::max<std::int64_t>(0, head().timestamp - a.latest_consume_free_time);
    std::int64_t usage = a.free_net_usage;
    if (elapsed >= kBandwidthWindowMs) {
        usage = 0;
    } else {
        usage = usage - usage * elapsed / kBandwidthWindowMs;
    }
    return std::max<std::int64_t>(0, m_genesis.params.free_net_limit - usage);
}

void Chain::use_free_bandwidth(AccountState& a, std::int64_t bytes) const {
    a.free_net_usage = free_bandwidth_used(a) + bytes;
    a.latest_consume_free_time = head().timestamp;
}

BroadcastResult Chain::broadcast(ByteView transaction) {
    const auto parts = tron::split_signed_transaction(transaction);
    if (!parts) return fail(ReturnCode::OtherError, "Error: transaction bytes do not parse");
    const auto decoded = tron::decode_raw_data(parts->raw_data);
    if (!decoded) {
        if (decoded.error().kind == tron::TxDecodeError::Kind::NotProtobuf) {
            return fail(ReturnCode::OtherError, "Error: raw_data does not parse");
        }
        return contract_error(decoded.error().message());
    }
    const auto& raw = *decoded;
    const ChainParameters& p = m_genesis.params;
    // 5. No contract.
    if (raw.contracts.empty()) return contract_error("No contract!");
    // 6. Expiration against the next slot.
    if (raw.expiration < next_slot_time()) {
        return fail(ReturnCode::TransactionExpirationError, "Transaction expired");
    }
    // 7. Signatures: the default owner permission has one key, threshold 1.
    const auto& contract = raw.contracts[0];
    if (parts->signatures.empty()) return fail(ReturnCode::SigError, "Validate signature error: miss sig or contract");
    if (parts->signatures.size() > kTotalSignNum) {
        return fail(ReturnCode::SigError, "Validate signature error: too many signatures");
    }
    if (parts->signatures.size() > 1) {
        return fail(ReturnCode::SigError, "Validate signature error: Signature count is " +
                                              std::to_string(parts->signatures.size()) +
                                              " more than key counts of permission : 1");
    }
    const Bytes& sig_bytes = parts->signatures[0];
    if (sig_bytes.size() < 65) {
        return fail(ReturnCode::SigError, "Validate signature error: Signature size is " + std::to_string(sig_bytes.size()));
    }
    tron::Signature sig{};
    std::copy(sig_bytes.begin(), sig_bytes.begin() + 65, sig.begin());
    const auto signer = tron::recover_transaction_signer(raw.txid, sig);
    if (!signer) return fail(ReturnCode::SigError, "Validate signature error: " + signer.error().message());
    if (!contract.owner) {
        return contract_error("this node accepts only TransferContract and TransferAssetContract");
    }
    if (*signer != *contract.owner) {
        return fail(ReturnCode::SigError, "Validate signature error: " + to_hex(sig_bytes) + " is signed by " +
                                              signer->to_base58() + " but it is not contained of permission.");
    }
    // 8. Exactly one contract.
    if (raw.contracts.size() != 1) {
        return contract_error("tx " + to_hex(raw.txid) + " contract size should be exactly 1, this is extend feature ,actual :" +
                              std::to_string(raw.contracts.size()));
    }
    // 9. TAPOS: the reference block must be one of the recent blocks, on this chain.
    if (raw.ref_block_bytes.size() != 2 || raw.ref_block_hash.size() != 8) {
        return fail(ReturnCode::TaposError, "Tapos check error.");
    }
    {
        // The newest block whose number has these low 16 bits; java-tron keeps a ring of
        // the last 65,536 block ids keyed by them.
        const std::int64_t low =
            (static_cast<std::int64_t>(raw.ref_block_bytes[0]) << 8) | raw.ref_block_bytes[1];
        const std::int64_t n = head_number() - ((head_number() - low) & 0xffff);
        if (n < 0 || !std::equal(raw.ref_block_hash.begin(), raw.ref_block_hash.end(),
                                 m_blocks[static_cast<std::size_t>(n)].id.begin() + 8)) {
            return fail(ReturnCode::TaposError, "Tapos check error.");
        }
    }
    // 10. Size and the 24 h window.
    const std::int64_t size_without_ret =
        static_cast<std::int64_t>(tron::signed_transaction_bytes(parts->raw_data, std::span(&sig, 1)).size());
    if (size_without_ret + 2 * kResultHeadroom > kMaxTransactionSize) {
        return fail(ReturnCode::TooBigTransactionError,
                    "Too big transaction with result, TxId " + to_hex(raw.txid) + ", the size is " +
                        std::to_string(size_without_ret + 2 * kResultHeadroom) + " bytes, maxTxSize " +
                        std::to_string(kMaxTransactionSize));
    }
    if (raw.expiration > head().timestamp + kMaxTimeUntilExpiration) {
        return fail(ReturnCode::TransactionExpirationError, "Transaction expired");
    }
    // 11. Duplicates, in blocks or pending.
    if (m_receipts.count(raw.txid) || is_pending(raw.txid)) {
        return fail(ReturnCode::DupTransactionError, "Dup transaction.");
    }

    // 12–14 work on copies, committed only if everything passes.
    const auto owner_it = m_accounts.find(*contract.owner);
    if (owner_it == m_accounts.end()) {
        // BandwidthProcessor looks the owner up first.
        return contract_error("account [" + contract.owner->to_base58() + "] does not exist");
    }
    AccountState owner = owner_it->second;
    const bool recipient_exists = m_accounts.count(*contract.to) > 0;
    const std::int64_t bytes = size_without_ret + kResultHeadroom;
    Receipt r;
    r.txid = raw.txid;
    // 12. Bandwidth.
    if (!recipient_exists) {
        const std::int64_t create_size = size_without_ret - 65;  // less each signature
        if (create_size > p.max_create_account_tx_size) {
            return fail(ReturnCode::TooBigTransactionError,
                        "Too big new account transaction, TxId " + to_hex(raw.txid) + ", the size is " +
                            std::to_string(create_size) + " bytes, maxTxSize " +
                            std::to_string(p.max_create_account_tx_size));
        }
        r.net_fee = p.create_account_fee;
    } else if (free_bandwidth_left(owner) >= bytes) {
        r.net_usage = bytes;
    } else {
        r.net_fee = bytes * p.transaction_fee;
    }
    std::int64_t fees = r.net_fee;
    if (owner.balance < fees) return fail(ReturnCode::BandwidthError, "Account resource insufficient error.");
    // 13. Memo fee.
    const std::int64_t memo_fee = raw.data.empty() ? 0 : p.memo_fee;
    if (!add_checked(fees, memo_fee) || owner.balance < fees) {
        return fail(ReturnCode::BandwidthError, "Account resource insufficient error.");
    }
    // 14. The contract itself.
    const auto& ob = contract.owner->bytes();
    const auto& tb = contract.to->bytes();
    const TransferRequest request{contract.token_id, Bytes(ob.begin(), ob.end()), Bytes(tb.begin(), tb.end()),
                                  *contract.amount};
    if (const auto refusal = validate_transfer(request, fees)) return contract_error(*refusal);
    const std::int64_t amount = *contract.amount;
    const std::int64_t create_fee = recipient_exists ? 0 : p.create_new_account_fee_in_system_contract;

    // 15. Apply to the state and queue for the next block.
    if (r.net_usage > 0) use_free_bandwidth(owner, r.net_usage);
    owner.balance -= r.net_fee + memo_fee + create_fee;
    r.fee = r.net_fee + memo_fee + create_fee;
    AccountState recipient = recipient_exists ? m_accounts.at(*contract.to) : AccountState{};
    if (!recipient_exists) recipient.create_time = head().timestamp;
    if (contract.token_id) {
        owner.assets[*contract.token_id] -= amount;
        recipient.assets[*contract.token_id] += amount;
    } else {
        owner.balance -= amount;
        recipient.balance += amount;
    }
    m_accounts[*contract.owner] = owner;
    m_accounts[*contract.to] = recipient;

    std::vector<AccountWrite> writes{{*contract.owner, owner}, {*contract.to, recipient}};
    m_pending.push_back({raw.txid, Bytes(transaction.begin(), transaction.end()), r, std::move(writes)});
    return {};
}

std::optional<std::string> Chain::validate_transfer(const TransferRequest& t, std::int64_t fees_charged) const {
    const auto owner_address = tron::TronAddress::from_bytes(t.owner);
    const auto to_address = tron::TronAddress::from_bytes(t.to);
    // The TRX actuator punctuates these two with '!', the TRC-10 one does not.
    const char* bang = t.token_id ? "" : "!";
    if (!owner_address) return std::string("Invalid ownerAddress") + bang;
    if (!to_address) return std::string("Invalid toAddress") + bang;
    const AccountState* owner = account(*owner_address);
    const AccountState* to = account(*to_address);
    const std::int64_t create_fee = to == nullptr ? m_genesis.params.create_new_account_fee_in_system_contract : 0;
    std::int64_t spendable = owner == nullptr ? 0 : owner->balance - fees_charged;
    if (!t.token_id) {
        // TransferActuator.validate
        if (*owner_address == *to_address) return "Cannot transfer TRX to yourself.";
        if (owner == nullptr) return "Validate TransferContract error, no OwnerAccount.";
        if (t.amount <= 0) return "Amount must be greater than 0.";
        std::int64_t needed = t.amount;
        if (!add_checked(needed, create_fee)) return "long overflow";
        if (spendable < needed) return "Validate TransferContract error, balance is not sufficient.";
        std::int64_t sum = to == nullptr ? 0 : to->balance;
        if (!add_checked(sum, t.amount)) return "long overflow";
        return std::nullopt;
    }
    // TransferAssetActuator.validate
    if (t.amount <= 0) return "Amount must be greater than 0.";
    if (*owner_address == *to_address) return "Cannot transfer asset to yourself.";
    if (owner == nullptr) return "No owner account!";
    if (!m_tokens.count(*t.token_id)) return "No asset!";
    const auto held = owner->assets.find(*t.token_id);
    if (held == owner->assets.end() || held->second <= 0) return "assetBalance must be greater than 0.";
    if (t.amount > held->second) return "assetBalance is not sufficient.";
    if (to != nullptr) {
        const auto to_held = to->assets.find(*t.token_id);
        std::int64_t sum = to_held == to->assets.end() ? 0 : to_held->second;
        if (!add_checked(sum, t.amount)) return "long overflow";
    } else if (spendable < create_fee) {
        return "Validate TransferAssetActuator error, insufficient fee.";
    }
    return std::nullopt;
}

Expected<tron::BuiltTransaction, BroadcastResult> Chain::build_transfer(const TransferRequest& request,
                                                                      std::int64_t now_ms) const {
    if (const auto refusal = validate_transfer(request, 0)) return unexpected(contract_error(*refusal));
    // java-tron's default trx.reference.block = "solid" (reference §5.5).
    const StoredBlock& ref = *block(solid_number());
    const tron::TransferSpec spec{request.token_id,
                                  tron::TronAddress::from_bytes(request.owner).value(),
                                  tron::TronAddress::from_bytes(request.to).value(),
                                  request.amount,
                                  tron::tapos_from_block(ref.number, ref.id),
                                  head().timestamp + kBuilderExpirationMs,
                                  now_ms,
                                  {}};
    auto built = tron::build_transfer(spec);
    // Validation passed, so only a token id that is not ASCII digits can get here, and
    // m_tokens holds none such: a failure is our bug, reported as java-tron's catch-all.
    if (!built) return unexpected(fail(ReturnCode::OtherError, "Error: " + built.error().message()));
    return std::move(built).value();
}

std::int64_t Chain::produce_block() {
    append_block(std::move(m_pending));
    m_pending.clear();
    return head_number();
}

void Chain::append_block(std::vector<Pending> txs) {
    StoredBlock b;
    b.number = static_cast<std::int64_t>(m_blocks.size());
    b.timestamp = m_genesis.timestamp_ms + b.number * m_genesis.params.block_interval_ms;
    for (auto& t : txs) {
        // Stored as in a block: with ret {contractRet: SUCCESS} (reference §3.4).
        Bytes stored = std::move(t.broadcast);
        append(stored, Bytes{0x2a, 0x02, 0x18, 0x01});
        b.transactions.push_back(std::move(stored));
        b.txids.push_back(t.txid);
    }
    protocol::BlockHeader::raw header;
    header.set_timestamp(b.timestamp);
    const Hash32 root = merkle_root(b.transactions);
    header.set_txtrieroot(as_string(root));
    if (b.number > 0) header.set_parenthash(as_string(m_blocks.back().id));
    header.set_number(b.number);
    header.set_witness_address(as_string(m_witness_address.bytes()));
    header.set_version(kBlockVersion);
    const std::string raw = header.SerializeAsString();
    b.header_raw = to_bytes(raw);
    const Hash32 h = tron::sha256(b.header_raw);
    b.id = tron::block_id(b.number, h);
    b.witness_signature = m_witness_key.sign_digest(h);
    std::vector<AccountWrite> writes;
    for (auto& t : txs) {
        t.receipt.block_number = b.number;
        t.receipt.block_timestamp = b.timestamp;
        m_receipts[t.txid] = t.receipt;
        for (auto& w : t.writes) writes.push_back(std::move(w));
    }
    if (!writes.empty()) m_unsolid_writes.emplace(b.number, std::move(writes));
    m_blocks.push_back(std::move(b));
    advance_solid_view();
}

void Chain::advance_solid_view() {
    // Blocks are packed from the pending list in the order the transactions were applied to
    // the current state, so replaying their writes in block order rebuilds that state as of
    // any block; the current and solid views agree once nothing is pending or unsolid.
    while (m_solid_applied < solid_number()) {
        ++m_solid_applied;
        const auto it = m_unsolid_writes.find(m_solid_applied);
        if (it == m_unsolid_writes.end()) continue;
        for (const auto& [address, state] : it->second) m_solid_accounts[address] = state;
        m_unsolid_writes.erase(it);
    }
}

}  // namespace btt::trondev
