#include <btt/tron/client/tron_client.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include <tron/api/api.grpc.pb.h>

namespace btt::tron::client {

namespace {

std::string str(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::shared_ptr<grpc::Channel> make_channel(const Endpoint& e) {
    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (e.tls) {
        grpc::SslCredentialsOptions ssl;
        if (!e.root_certificates_file.empty()) {
            std::ifstream in(e.root_certificates_file);
            std::stringstream pem;
            pem << in.rdbuf();
            ssl.pem_root_certs = pem.str();
        }
        creds = grpc::SslCredentials(ssl);
    } else {
        creds = grpc::InsecureChannelCredentials();
    }
    grpc::ChannelArguments args;
    // A 100-block range reply can pass gRPC's 4 MiB default (reference §1.1).
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    return grpc::CreateCustomChannel(e.address, creds, args);
}

double jitter_unit() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

ChainError error_of(const grpc::Status& s, bool after_send) {
    const int code = static_cast<int>(s.error_code());
    ChainError::Kind kind = is_transient_grpc_status(code) ? ChainError::Kind::Transient : ChainError::Kind::Rejected;
    // After a broadcast left us, a timeout or lost connection says nothing about the chain.
    if (after_send && (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                       s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                       s.error_code() == grpc::StatusCode::CANCELLED)) {
        kind = ChainError::Kind::Unknown;
    }
    return {kind, s.error_message(), code};
}

BlockRef ref_of(const protocol::BlockExtention& b) {
    BlockRef r;
    r.number = b.block_header().raw_data().number();
    r.timestamp = b.block_header().raw_data().timestamp();
    std::copy_n(b.blockid().begin(), std::min<std::size_t>(32, b.blockid().size()), r.id.begin());
    return r;
}

}  // namespace

struct TronClient::Stubs {
    std::unique_ptr<protocol::Wallet::Stub> wallet;
    std::unique_ptr<protocol::WalletSolidity::Stub> solidity;
    std::unique_ptr<protocol::Database::Stub> solidity_database;
};

TronClient::TronClient(ClientOptions options) : m_stubs(new Stubs), m_options(std::move(options)) {
    auto full = make_channel(m_options.full_node);
    auto solid = make_channel(m_options.solidity);
    m_stubs->wallet = protocol::Wallet::NewStub(full);
    m_stubs->solidity = protocol::WalletSolidity::NewStub(solid);
    m_stubs->solidity_database = protocol::Database::NewStub(solid);
}

TronClient::~TronClient() = default;

namespace {
// Runs `call(ctx)` with a fresh deadline per attempt, retrying transient statuses.
template <typename Call>
grpc::Status with_retries(const ClientOptions& o, Call&& call) {
    grpc::Status status;
    for (int attempt = 0; attempt < std::max(1, o.backoff.max_attempts); ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(backoff_delay(o.backoff, attempt - 1, jitter_unit()));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + o.deadline);
        status = call(&ctx);
        if (status.ok() || !is_transient_grpc_status(static_cast<int>(status.error_code()))) return status;
    }
    return status;
}
}  // namespace

Result<BlockRef> TronClient::head() {
    protocol::BlockExtention b;
    const auto s = with_retries(m_options, [&](auto* ctx) { return m_stubs->wallet->GetNowBlock2(ctx, {}, &b); });
    if (!s.ok()) return unexpected(error_of(s, false));
    return ref_of(b);
}

Result<BlockRef> TronClient::solid_head() {
    protocol::BlockExtention b;
    const auto s = with_retries(m_options, [&](auto* ctx) { return m_stubs->solidity->GetNowBlock2(ctx, {}, &b); });
    if (!s.ok()) return unexpected(error_of(s, false));
    return ref_of(b);
}

Result<std::optional<protocol::BlockExtention>> TronClient::block(std::int64_t number) {
    protocol::NumberMessage req;
    req.set_num(number);
    protocol::BlockExtention b;
    const auto s = with_retries(m_options, [&](auto* ctx) { return m_stubs->wallet->GetBlockByNum2(ctx, req, &b); });
    if (!s.ok()) return unexpected(error_of(s, false));
    if (b.blockid().empty()) return std::optional<protocol::BlockExtention>();
    return std::optional<protocol::BlockExtention>(std::move(b));
}

Result<std::vector<protocol::BlockExtention>> TronClient::solid_blocks(std::int64_t start, std::int64_t end) {
    std::vector<protocol::BlockExtention> out;
    const auto solid = solid_head();
    if (!solid) return unexpected(solid.error());
    end = std::min(end, solid->number + 1);
    for (std::int64_t from = std::max<std::int64_t>(start, 0); from < end;) {
        const std::int64_t to = std::min(end, from + 100);
        protocol::BlockLimit req;
        req.set_startnum(from);
        req.set_endnum(to);
        protocol::BlockListExtention list;
        const auto s = with_retries(m_options, [&](auto* ctx) { return m_stubs->wallet->GetBlockByLimitNext2(ctx, req, &list); });
        if (!s.ok()) return unexpected(error_of(s, false));
        if (list.block_size() == 0) break;  // the node has fewer blocks than it said
        for (auto& b : *list.mutable_block()) {
            if (b.block_header().raw_data().number() != from) {
                return unexpected(ChainError{ChainError::Kind::Rejected, "blocks out of order from the full node", 0});
            }
            out.push_back(std::move(b));
            ++from;
        }
    }
    return out;
}

Result<std::optional<Inclusion>> TronClient::solid_inclusion(const TxId& txid) {
    protocol::BytesMessage req;
    req.set_value(str(txid));
    protocol::TransactionInfo info;
    const auto s = with_retries(m_options, [&](auto* ctx) { return m_stubs->solidity->GetTransactionInfoById(ctx, req, &info); });
    if (!s.ok()) return unexpected(error_of(s, false));
    if (info.id().empty() || info.blocknumber() <= 0) return std::optional<Inclusion>();
    return std::optional<Inclusion>(Inclusion{info.blocknumber(), info.blocktimestamp(), info.fee()});
}

Result<Balances> TronClient::account(const TronAddress& address, bool solidified) {
    protocol::Account req, acc;
    req.set_address(str(address.bytes()));
    const auto s = with_retries(m_options, [&](auto* ctx) {
        return solidified ? m_stubs->solidity->GetAccount(ctx, req, &acc) : m_stubs->wallet->GetAccount(ctx, req, &acc);
    });
    if (!s.ok()) return unexpected(error_of(s, false));
    Balances b;
    b.exists = !acc.address().empty();
    b.trx = acc.balance();
    for (const auto& [id, amount] : acc.assetv2()) b.tokens[id] = amount;
    return b;
}

Result<std::optional<TronClient::Asset>> TronClient::asset(const std::string& token_id) {
    protocol::BytesMessage req;
    req.set_value(token_id);
    protocol::AssetIssueContract a;
    const auto s = with_retries(m_options, [&](auto* ctx) { return m_stubs->wallet->GetAssetIssueById(ctx, req, &a); });
    if (!s.ok()) return unexpected(error_of(s, false));
    if (a.id().empty()) return std::optional<Asset>();
    return std::optional<Asset>(Asset{a.id(), a.name(), a.abbr(), a.precision(), a.total_supply()});
}

Result<BroadcastOutcome> TronClient::broadcast(ByteView signed_transaction) {
    // java-tron takes the txid over ITS re-serialisation of raw_data (reference §5.1), and
    // the caller stored the txid of these bytes. Only canonical bytes (which parse and
    // re-serialise to themselves) keep the two equal: anything else is refused unsent, so a
    // payout can never be tracked under a txid the chain does not know.
    protocol::Transaction tx;
    if (!tx.ParseFromArray(signed_transaction.data(), static_cast<int>(signed_transaction.size()))) {
        return unexpected(ChainError{ChainError::Kind::Rejected, "not a serialised Transaction", 0});
    }
    if (tx.SerializeAsString() != str(signed_transaction)) {
        return unexpected(ChainError{ChainError::Kind::Rejected, "not canonical protobuf: the chain would see another txid", 0});
    }
    BroadcastOutcome out;
    grpc::Status last_status;
    const int attempts = std::max(1, m_options.backoff.max_attempts);
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(backoff_delay(m_options.backoff, attempt - 1, jitter_unit()));
        out.attempts = attempt + 1;
        protocol::Return ret;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + m_options.deadline);
        last_status = m_stubs->wallet->BroadcastTransaction(&ctx, tx, &ret);
        if (!last_status.ok()) {
            if (is_transient_grpc_status(static_cast<int>(last_status.error_code()))) continue;
            return unexpected(error_of(last_status, true));
        }
        out.code = static_cast<int>(ret.code());
        out.message = ret.message();
        out.kind = classify_broadcast(out.code);
        if (!is_transient_return(out.code)) return out;
    }
    if (!last_status.ok()) return unexpected(error_of(last_status, true));  // maybe sent
    return out;  // still transient after every attempt: RetrySameBytes
}

Result<TxFate> TronClient::fate(const TxId& txid, std::int64_t expiration_ms) {
    // Order matters: observe the solid head first, then look the transaction up.
    const auto solid = solid_head();
    if (!solid) return unexpected(solid.error());
    const auto inclusion = solid_inclusion(txid);
    if (!inclusion) return unexpected(inclusion.error());
    const std::optional<std::int64_t> block =
        *inclusion ? std::optional<std::int64_t>((*inclusion)->block_number) : std::nullopt;
    return judge_fate(expiration_ms, block, solid->timestamp);
}

}  // namespace btt::tron::client
