#include <btt/trondev/node.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <tron/api/api.grpc.pb.h>
#include <tron/core/Tron.pb.h>
#include <tron/core/contract/asset_issue_contract.pb.h>
#include <tron/core/contract/balance_contract.pb.h>

#include <btt/base/hex.h>

namespace btt::trondev {

namespace {

constexpr std::int64_t kTotalNetLimit = 43'200'000'000;  // java-tron's default TotalNetLimit

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

bool roll(double rate) {
    if (rate <= 0) return false;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0, 1)(rng) < rate;
}

// Latency and UNAVAILABLE apply to every call; `solidity_down` to the solidity port's.
grpc::Status call_faults(const Faults& f, bool solidity_port = false) {
    ++f.calls;
    if (const int ms = f.latency_ms.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (solidity_port && f.solidity_down.load()) {
        ++f.injected;
        return {grpc::StatusCode::UNAVAILABLE, "injected: the solidity node is down"};
    }
    if (roll(f.unavailable_rate.load())) {
        ++f.injected;
        return {grpc::StatusCode::UNAVAILABLE, "injected: unavailable"};
    }
    return grpc::Status::OK;
}

void fill_block(const StoredBlock& b, protocol::BlockHeader* header) {
    header->mutable_raw_data()->ParseFromArray(b.header_raw.data(), static_cast<int>(b.header_raw.size()));
    header->set_witness_signature(str(b.witness_signature));
}

void to_extention(const StoredBlock& b, protocol::BlockExtention* out) {
    fill_block(b, out->mutable_block_header());
    out->set_blockid(str(b.id));
    for (std::size_t i = 0; i < b.transactions.size(); ++i) {
        auto* t = out->add_transactions();
        t->mutable_transaction()->ParseFromArray(b.transactions[i].data(), static_cast<int>(b.transactions[i].size()));
        t->set_txid(str(b.txids[i]));
        // Always {true, SUCCESS} inside blocks; not the execution result (reference §3.8).
        t->mutable_result()->set_result(true);
    }
}

void to_block(const StoredBlock& b, protocol::Block* out) {
    fill_block(b, out->mutable_block_header());
    for (const auto& t : b.transactions) {
        out->add_transactions()->ParseFromArray(t.data(), static_cast<int>(t.size()));
    }
}

void to_info(const Receipt& r, protocol::TransactionInfo* out) {
    out->set_id(str(r.txid));
    if (r.fee != 0) out->set_fee(r.fee);
    out->set_blocknumber(r.block_number);
    out->set_blocktimestamp(r.block_timestamp);
    out->add_contractresult("");
    auto* receipt = out->mutable_receipt();
    receipt->set_net_usage(r.net_usage);
    receipt->set_net_fee(r.net_fee);
}

// Reads shared by both ports; `cap` is the highest block the port may show.
struct Reader {
    std::mutex& mutex;
    Chain& chain;
    const Faults& faults;

    std::int64_t cap(bool solid) const { return solid ? chain.solid_number() : chain.head_number(); }

    grpc::Status now_block(bool solid, protocol::BlockExtention* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        std::lock_guard lock(mutex);
        to_extention(*chain.block(cap(solid)), out);
        return grpc::Status::OK;
    }
    grpc::Status block_by_num(bool solid, std::int64_t n, protocol::BlockExtention* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        std::lock_guard lock(mutex);
        if (n >= 0 && n <= cap(solid)) to_extention(*chain.block(n), out);  // else: empty
        return grpc::Status::OK;
    }
    grpc::Status raw_block(bool solid, std::optional<std::int64_t> n, protocol::Block* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        std::lock_guard lock(mutex);
        const std::int64_t num = n.value_or(cap(solid));
        if (num >= 0 && num <= cap(solid)) to_block(*chain.block(num), out);
        return grpc::Status::OK;
    }
    // GetBlock: id_or_num is a decimal number or a 64-hex block id; empty means the head.
    grpc::Status get_block(bool solid, const protocol::BlockReq& req, protocol::BlockExtention* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        std::lock_guard lock(mutex);
        const std::string& key = req.id_or_num();
        std::int64_t n = cap(solid);
        if (key.size() == 64) {
            const auto id = btt::from_hex_fixed<32>(key);
            if (!id) return {grpc::StatusCode::INVALID_ARGUMENT, "invalid block id"};
            n = -1;
            for (std::int64_t i = 0; i <= cap(solid); ++i) {
                if (chain.block(i)->id == *id) n = i;
            }
            if (n < 0) return grpc::Status::OK;
        } else if (!key.empty()) {
            if (key.find_first_not_of("0123456789") != std::string::npos || key.size() > 18) {
                return {grpc::StatusCode::INVALID_ARGUMENT, "id_or_num is neither a number nor a block id"};
            }
            n = std::stoll(key);
            if (n > cap(solid)) return grpc::Status::OK;
        }
        to_extention(*chain.block(n), out);
        if (!req.detail()) out->clear_transactions();
        return grpc::Status::OK;
    }
    grpc::Status infos_in_block(bool solid, std::int64_t n, protocol::TransactionInfoList* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        std::lock_guard lock(mutex);
        if (n < 0 || n > cap(solid)) return grpc::Status::OK;
        for (const auto& txid : chain.block(n)->txids) to_info(*chain.receipt(txid), out->add_transactioninfo());
        return grpc::Status::OK;
    }
    grpc::Status info(bool solid, const std::string& id, protocol::TransactionInfo* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        if (id.size() != 32) return grpc::Status::OK;
        tron::TxId txid{};
        std::copy(id.begin(), id.end(), txid.begin());
        std::lock_guard lock(mutex);
        const auto r = chain.receipt(txid);
        if (r && r->block_number <= cap(solid)) to_info(*r, out);
        return grpc::Status::OK;
    }
    grpc::Status transaction(bool solid, const std::string& id, protocol::Transaction* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        if (id.size() != 32) return grpc::Status::OK;
        tron::TxId txid{};
        std::copy(id.begin(), id.end(), txid.begin());
        std::lock_guard lock(mutex);
        const auto r = chain.receipt(txid);
        if (!r || r->block_number > cap(solid)) return grpc::Status::OK;
        const StoredBlock& b = *chain.block(r->block_number);
        for (std::size_t i = 0; i < b.txids.size(); ++i) {
            if (b.txids[i] == txid) out->ParseFromArray(b.transactions[i].data(), static_cast<int>(b.transactions[i].size()));
        }
        return grpc::Status::OK;
    }
    // The full-node port answers the current, pending-inclusive state; the solidity port
    // the state as of the solidified head (java-tron reads its solidified store there).
    grpc::Status account(bool solid, const protocol::Account& req, protocol::Account* out) {
        if (auto s = call_faults(faults, solid); !s.ok()) return s;
        const auto address = tron::TronAddress::from_bytes(as_bytes(req.address()));
        if (!address) return grpc::Status::OK;
        std::lock_guard lock(mutex);
        const AccountState* a = solid ? chain.solid_account(*address) : chain.account(*address);
        if (a == nullptr) return grpc::Status::OK;
        out->set_address(req.address());
        out->set_balance(a->balance);
        out->set_create_time(a->create_time);
        out->set_free_net_usage(a->free_net_usage);
        out->set_latest_consume_free_time(a->latest_consume_free_time);
        for (const auto& [id, amount] : a->assets) (*out->mutable_assetv2())[id] = amount;
        return grpc::Status::OK;
    }
    grpc::Status asset(const std::string& id, protocol::AssetIssueContract* out) {
        if (auto s = call_faults(faults); !s.ok()) return s;
        std::lock_guard lock(mutex);
        const Token* t = chain.token(id);
        if (t == nullptr) return grpc::Status::OK;
        out->set_id(t->id);
        out->set_owner_address(str(t->owner.bytes()));
        out->set_name(t->name);
        out->set_abbr(t->abbr);
        out->set_total_supply(t->total_supply);
        out->set_precision(t->precision);
        return grpc::Status::OK;
    }
};

using WalletBase = protocol::Wallet::WithRawCallbackMethod_BroadcastTransaction<protocol::Wallet::Service>;

class WalletService final : public WalletBase {
public:
    WalletService(Reader r, std::mutex& m, Chain& c, Faults& f, std::function<void(const std::string&)> journal)
        : m_r(r), m_mutex(m), m_chain(c), m_faults(f), m_journal(std::move(journal)) {}

    grpc::Status GetNowBlock2(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::BlockExtention* out) override {
        return m_r.now_block(false, out);
    }
    grpc::Status GetNowBlock(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::Block* out) override {
        return m_r.raw_block(false, std::nullopt, out);
    }
    grpc::Status GetBlockByNum2(grpc::ServerContext*, const protocol::NumberMessage* req, protocol::BlockExtention* out) override {
        return m_r.block_by_num(false, req->num(), out);
    }
    grpc::Status GetBlockByNum(grpc::ServerContext*, const protocol::NumberMessage* req, protocol::Block* out) override {
        return m_r.raw_block(false, req->num(), out);
    }
    grpc::Status GetBlockByLimitNext2(grpc::ServerContext*, const protocol::BlockLimit* req, protocol::BlockListExtention* out) override {
        if (auto s = call_faults(m_faults); !s.ok()) return s;
        // java-tron: [start, end), end > 0, end > start, at most 100; otherwise empty.
        const auto start = req->startnum();
        const auto end = req->endnum();
        if (end <= 0 || end <= start || end - start > 100 || start < 0) return grpc::Status::OK;
        std::lock_guard lock(m_mutex);
        for (auto n = start; n < end && n <= m_chain.head_number(); ++n) to_extention(*m_chain.block(n), out->add_block());
        return grpc::Status::OK;
    }
    grpc::Status GetBlock(grpc::ServerContext*, const protocol::BlockReq* req, protocol::BlockExtention* out) override {
        return m_r.get_block(false, *req, out);
    }
    grpc::Status GetTransactionInfoByBlockNum(grpc::ServerContext*, const protocol::NumberMessage* req,
                                              protocol::TransactionInfoList* out) override {
        return m_r.infos_in_block(false, req->num(), out);
    }
    grpc::Status GetTransactionById(grpc::ServerContext*, const protocol::BytesMessage* req, protocol::Transaction* out) override {
        return m_r.transaction(false, req->value(), out);
    }
    grpc::Status GetTransactionInfoById(grpc::ServerContext*, const protocol::BytesMessage* req, protocol::TransactionInfo* out) override {
        return m_r.info(false, req->value(), out);
    }
    grpc::Status GetAccount(grpc::ServerContext*, const protocol::Account* req, protocol::Account* out) override {
        return m_r.account(false, *req, out);
    }
    grpc::Status GetAssetIssueById(grpc::ServerContext*, const protocol::BytesMessage* req, protocol::AssetIssueContract* out) override {
        return m_r.asset(req->value(), out);
    }
    grpc::Status GetChainParameters(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::ChainParameters* out) override {
        if (auto s = call_faults(m_faults); !s.ok()) return s;
        const auto& p = m_chain.params();
        const std::pair<const char*, std::int64_t> params[] = {
            {"getTransactionFee", p.transaction_fee},
            {"getFreeNetLimit", p.free_net_limit},
            {"getCreateAccountFee", p.create_account_fee},
            {"getCreateNewAccountFeeInSystemContract", p.create_new_account_fee_in_system_contract},
            {"getMemoFee", p.memo_fee},
            {"getMaxCreateAccountTxSize", p.max_create_account_tx_size},
            {"getAllowSameTokenName", 1},
        };
        for (const auto& [key, value] : params) {
            auto* entry = out->add_chainparameter();
            entry->set_key(key);
            entry->set_value(value);
        }
        return grpc::Status::OK;
    }
    // java-tron's server-side builders (reference §5.6): validated, unsigned, referencing
    // the solidified head. The "2" forms say why they refuse; the old forms answer empty.
    grpc::Status TransferAsset2(grpc::ServerContext*, const protocol::TransferAssetContract* req,
                                protocol::TransactionExtention* out) override {
        return build(asset_request(*req), out);
    }
    grpc::Status CreateTransaction2(grpc::ServerContext*, const protocol::TransferContract* req,
                                    protocol::TransactionExtention* out) override {
        return build(trx_request(*req), out);
    }
    grpc::Status TransferAsset(grpc::ServerContext*, const protocol::TransferAssetContract* req,
                               protocol::Transaction* out) override {
        return build_old(asset_request(*req), out);
    }
    grpc::Status CreateTransaction(grpc::ServerContext*, const protocol::TransferContract* req,
                                   protocol::Transaction* out) override {
        return build_old(trx_request(*req), out);
    }
    grpc::Status GetBlockByLatestNum2(grpc::ServerContext*, const protocol::NumberMessage* req,
                                      protocol::BlockListExtention* out) override {
        if (auto s = call_faults(m_faults); !s.ok()) return s;
        // java-tron: only 0 < num < 100; the latest num blocks, oldest first.
        const auto num = req->num();
        if (num <= 0 || num >= 100) return grpc::Status::OK;
        std::lock_guard lock(m_mutex);
        const auto head = m_chain.head_number();
        for (auto n = std::max<std::int64_t>(0, head - num + 1); n <= head; ++n) {
            to_extention(*m_chain.block(n), out->add_block());
        }
        return grpc::Status::OK;
    }
    grpc::Status GetTransactionFromPending(grpc::ServerContext*, const protocol::BytesMessage* req,
                                           protocol::Transaction* out) override {
        if (auto s = call_faults(m_faults); !s.ok()) return s;
        if (req->value().size() != 32) return grpc::Status::OK;
        tron::TxId txid{};
        std::copy(req->value().begin(), req->value().end(), txid.begin());
        std::lock_guard lock(m_mutex);
        if (const auto tx = m_chain.pending_transaction(txid)) {
            out->ParseFromArray(tx->data(), static_cast<int>(tx->size()));
        }
        return grpc::Status::OK;
    }
    grpc::Status GetTransactionListFromPending(grpc::ServerContext*, const protocol::EmptyMessage*,
                                               protocol::TransactionIdList* out) override {
        if (auto s = call_faults(m_faults); !s.ok()) return s;
        std::lock_guard lock(m_mutex);
        for (const auto& txid : m_chain.pending_txids()) out->add_txid(to_hex(txid));
        return grpc::Status::OK;
    }
    grpc::Status GetAccountNet(grpc::ServerContext*, const protocol::Account* req,
                               protocol::AccountNetMessage* out) override {
        if (auto s = call_faults(m_faults); !s.ok()) return s;
        const auto address = tron::TronAddress::from_bytes(as_bytes(req->address()));
        if (!address) return grpc::Status::OK;
        std::lock_guard lock(m_mutex);
        const AccountState* a = m_chain.account(*address);
        if (a == nullptr) return grpc::Status::OK;  // java-tron: null -> empty message
        // No staking here: only the free allowance; TotalNetLimit is java-tron's default.
        out->set_freenetused(m_chain.free_bandwidth_used(*a));
        out->set_freenetlimit(m_chain.params().free_net_limit);
        out->set_totalnetlimit(kTotalNetLimit);
        return grpc::Status::OK;
    }
    grpc::Status GetPendingSize(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::NumberMessage* out) override {
        std::lock_guard lock(m_mutex);
        out->set_num(static_cast<std::int64_t>(m_chain.pending_size()));
        return grpc::Status::OK;
    }

    // Raw bytes, so the txid is taken over raw_data exactly as it arrived.
    grpc::ServerUnaryReactor* BroadcastTransaction(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) override {
        auto* reactor = ctx->DefaultReactor();
        if (auto s = call_faults(m_faults); !s.ok()) {
            reactor->Finish(s);
            return reactor;
        }
        std::vector<grpc::Slice> slices;
        (void)request->Dump(&slices);
        Bytes bytes;
        for (const auto& s : slices) append(bytes, ByteView(s.begin(), s.size()));
        protocol::Return ret;
        if (roll(m_faults.busy_rate.load())) {
            ++m_faults.injected;
            ret.set_code(protocol::Return::SERVER_BUSY);
            ret.set_message("Server busy.");
        } else if (roll(m_faults.drop_rate.load())) {
            ++m_faults.injected;
            ret.set_result(true);  // accepted, and forgotten
        } else {
            // The answer-lost faults: the broadcast is processed as usual (an accepted one is
            // in the pending pool and the log), then the call fails as when a handler throws
            // after pushing (grpc-java: UNKNOWN) or the answer breaks on its way (INTERNAL).
            std::optional<grpc::StatusCode> lost;
            if (roll(m_faults.internal_after_accept_rate.load())) {
                lost = grpc::StatusCode::INTERNAL;
            } else if (roll(m_faults.unknown_after_accept_rate.load())) {
                lost = grpc::StatusCode::UNKNOWN;
            }
            BroadcastResult r;
            {
                std::lock_guard lock(m_mutex);
                r = m_chain.broadcast(bytes);
                if (r.ok()) m_journal("T " + to_hex(bytes));  // durable before the answer
            }
            if (lost) {
                ++m_faults.injected;
                reactor->Finish({*lost, "injected: failed after processing the broadcast"});
                return reactor;
            }
            ret.set_result(r.ok());
            ret.set_code(static_cast<protocol::Return::response_code>(static_cast<int>(r.code)));
            ret.set_message(r.message);
        }
        const std::string out = ret.SerializeAsString();
        grpc::Slice slice(out);
        *response = grpc::ByteBuffer(&slice, 1);
        reactor->Finish(grpc::Status::OK);
        return reactor;
    }

private:
    static TransferRequest asset_request(const protocol::TransferAssetContract& c) {
        return {c.asset_name(), to_bytes(c.owner_address()), to_bytes(c.to_address()), c.amount()};
    }
    static TransferRequest trx_request(const protocol::TransferContract& c) {
        return {std::nullopt, to_bytes(c.owner_address()), to_bytes(c.to_address()), c.amount()};
    }
    grpc::Status build(const TransferRequest& request, protocol::TransactionExtention* out) {
        if (auto s = call_faults(m_faults); !s.ok()) return s;
        const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        std::lock_guard lock(m_mutex);
        const auto built = m_chain.build_transfer(request, now_ms);
        auto* result = out->mutable_result();
        if (!built) {
            result->set_code(static_cast<protocol::Return::response_code>(static_cast<int>(built.error().code)));
            result->set_message(built.error().message);
            return grpc::Status::OK;
        }
        out->mutable_transaction()->mutable_raw_data()->ParseFromArray(built->raw_data.data(),
                                                                       static_cast<int>(built->raw_data.size()));
        out->set_txid(str(built->txid));
        result->set_result(true);
        return grpc::Status::OK;
    }

    // The deprecated builders: the transaction alone, or an empty one when refused.
    grpc::Status build_old(const TransferRequest& request, protocol::Transaction* out) {
        protocol::TransactionExtention ext;
        const auto s = build(request, &ext);
        if (s.ok() && ext.result().result()) out->Swap(ext.mutable_transaction());
        return s;
    }

    Reader m_r;
    std::mutex& m_mutex;
    Chain& m_chain;
    Faults& m_faults;
    std::function<void(const std::string&)> m_journal;
};

class SolidityService final : public protocol::WalletSolidity::Service {
public:
    explicit SolidityService(Reader r) : m_r(r) {}
    grpc::Status GetNowBlock2(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::BlockExtention* out) override {
        return m_r.now_block(true, out);
    }
    grpc::Status GetNowBlock(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::Block* out) override {
        return m_r.raw_block(true, std::nullopt, out);
    }
    grpc::Status GetBlockByNum2(grpc::ServerContext*, const protocol::NumberMessage* req, protocol::BlockExtention* out) override {
        return m_r.block_by_num(true, req->num(), out);
    }
    grpc::Status GetBlockByNum(grpc::ServerContext*, const protocol::NumberMessage* req, protocol::Block* out) override {
        return m_r.raw_block(true, req->num(), out);
    }
    grpc::Status GetBlock(grpc::ServerContext*, const protocol::BlockReq* req, protocol::BlockExtention* out) override {
        return m_r.get_block(true, *req, out);
    }
    grpc::Status GetTransactionInfoByBlockNum(grpc::ServerContext*, const protocol::NumberMessage* req,
                                              protocol::TransactionInfoList* out) override {
        return m_r.infos_in_block(true, req->num(), out);
    }
    grpc::Status GetTransactionById(grpc::ServerContext*, const protocol::BytesMessage* req, protocol::Transaction* out) override {
        return m_r.transaction(true, req->value(), out);
    }
    grpc::Status GetTransactionInfoById(grpc::ServerContext*, const protocol::BytesMessage* req, protocol::TransactionInfo* out) override {
        return m_r.info(true, req->value(), out);
    }
    grpc::Status GetAccount(grpc::ServerContext*, const protocol::Account* req, protocol::Account* out) override {
        if (m_r.faults.solidity_accounts_down.load()) {
            ++m_r.faults.calls;
            ++m_r.faults.injected;
            return {grpc::StatusCode::UNAVAILABLE, "injected: the solidity node cannot read accounts"};
        }
        return m_r.account(true, *req, out);
    }
    grpc::Status GetAssetIssueById(grpc::ServerContext*, const protocol::BytesMessage* req, protocol::AssetIssueContract* out) override {
        return m_r.asset(req->value(), out);
    }

private:
    Reader m_r;
};

class DatabaseService final : public protocol::Database::Service {
public:
    DatabaseService(Reader r, bool solid) : m_r(r), m_solid(solid) {}
    grpc::Status getBlockReference(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::BlockReference* out) override {
        if (auto s = call_faults(m_r.faults, m_solid); !s.ok()) return s;
        std::lock_guard lock(m_r.mutex);
        out->set_block_num(m_r.chain.head_number());
        out->set_block_hash(str(m_r.chain.head().id));
        return grpc::Status::OK;
    }
    grpc::Status GetDynamicProperties(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::DynamicProperties* out) override {
        if (auto s = call_faults(m_r.faults, m_solid); !s.ok()) return s;
        std::lock_guard lock(m_r.mutex);
        out->set_last_solidity_block_num(m_r.chain.solid_number());
        return grpc::Status::OK;
    }
    grpc::Status GetNowBlock(grpc::ServerContext*, const protocol::EmptyMessage*, protocol::Block* out) override {
        return m_r.raw_block(m_solid, std::nullopt, out);
    }
    grpc::Status GetBlockByNum(grpc::ServerContext*, const protocol::NumberMessage* req, protocol::Block* out) override {
        return m_r.raw_block(m_solid, req->num(), out);
    }

private:
    Reader m_r;
    bool m_solid;
};

}  // namespace

struct Node::Services {
    WalletService wallet;
    DatabaseService wallet_database;
    SolidityService solidity;
    DatabaseService solidity_database;
};

Node::Node(Genesis genesis, NodeOptions options)
    : m_chain(std::move(genesis)), m_produce(options.produce_blocks) {
    if (!options.data_dir.empty()) open_journal(options.data_dir);
    const Reader reader{m_mutex, m_chain, m_faults};
    auto journal = [this](const std::string& record) { this->journal(record); };
    m_services.reset(new Services{WalletService(reader, m_mutex, m_chain, m_faults, journal),
                                  DatabaseService(reader, false),
                                  SolidityService(reader), DatabaseService(reader, true)});
    auto start = [](const std::string& address, grpc::Service* a, grpc::Service* b, int* port) {
        grpc::ServerBuilder builder;
        builder.AddListeningPort(address, grpc::InsecureServerCredentials(), port);
        builder.RegisterService(a);
        builder.RegisterService(b);
        auto server = builder.BuildAndStart();
        if (!server || *port == 0) throw std::runtime_error("trondev: cannot listen on " + address);
        return server;
    };
    m_wallet_server = start(options.listen, &m_services->wallet, &m_services->wallet_database, &m_wallet_port);
    m_solidity_server =
        start(options.solidity_listen, &m_services->solidity, &m_services->solidity_database, &m_solidity_port);
    m_producer = std::thread([this] { produce_loop(); });
}

Node::~Node() {
    shutdown();
    if (m_producer.joinable()) m_producer.join();
    // Calls in flight get a moment to finish, then are cancelled.
    const auto grace = std::chrono::system_clock::now() + std::chrono::milliseconds(500);
    m_wallet_server->Shutdown(grace);
    m_solidity_server->Shutdown(grace);
    if (m_journal_fd >= 0) ::close(m_journal_fd);
}

void Node::open_journal(const std::string& data_dir) {
    std::filesystem::create_directories(data_dir);
    const std::string path = data_dir + "/chain.log";
    // Replay: "T <signed tx hex>" was accepted, "B" produced a block, in that order.
    std::ifstream in(path);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        // A torn last line (a crash mid-write) was never acknowledged: replay stops there.
        const bool last = in.peek() == std::ifstream::traits_type::eof();
        bool replayed = false;
        if (line == "B") {
            m_chain.produce_block();
            replayed = true;
        } else if (line.rfind("T ", 0) == 0) {
            const auto bytes = btt::from_hex(std::string_view(line).substr(2));
            replayed = bytes && m_chain.broadcast(*bytes).ok();
        }
        if (!replayed && !line.empty()) {
            if (last) break;
            throw std::runtime_error("trondev: " + path + " line " + std::to_string(number) +
                                     " does not replay: the log or the genesis was changed");
        }
    }
    m_journal_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (m_journal_fd < 0) throw std::runtime_error("trondev: cannot write " + path);
}

void Node::journal(const std::string& record) {
    if (m_journal_fd < 0) return;
    const std::string line = record + "\n";
    if (::write(m_journal_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
        ::fsync(m_journal_fd) != 0) {
        throw std::runtime_error("trondev: cannot append to the chain log");
    }
}

void Node::produce_locked() {
    m_chain.produce_block();
    journal("B");
}

void Node::produce_loop() {
    const auto interval = std::chrono::milliseconds(m_chain.params().block_interval_ms);
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, interval, [this] { return m_stopping; });
        if (m_stopping) break;
        if (m_produce && !m_faults.paused.load()) produce_locked();
    }
}

void Node::produce_block_now() {
    std::lock_guard lock(m_mutex);
    produce_locked();
}

void Node::with_chain(const std::function<void(Chain&)>& f) {
    std::lock_guard lock(m_mutex);
    f(m_chain);
}

void Node::wait() {
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [this] { return m_stopping; });
}

void Node::shutdown() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
}

}  // namespace btt::trondev
