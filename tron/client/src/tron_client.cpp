#include <btt/tron/client/tron_client.h>

#include <condition_variable>
#include <iterator>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>

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

constexpr int kCancelledCode = static_cast<int>(grpc::StatusCode::CANCELLED);

BlockRef ref_of(const protocol::BlockExtention& b) {
    BlockRef r;
    r.number = b.block_header().raw_data().number();
    r.timestamp = b.block_header().raw_data().timestamp();
    std::copy_n(b.blockid().begin(), std::min<std::size_t>(32, b.blockid().size()), r.id.begin());
    return r;
}

// What a run of attempts came to.
struct Attempts {
    grpc::Status status;     // the last attempt's (OK if none was begun)
    int begun = 0;           // attempts whose call was started
    bool cancelled = false;  // cancel() ended the run (in a backoff, before or during a call)
};

}  // namespace

// The stubs and the cancellation state. Lock order: `mutex` is a leaf (nothing else is taken
// while holding it; TryCancel does not call back into us).
struct TronClient::State {
    std::unique_ptr<protocol::Wallet::Stub> wallet;
    std::unique_ptr<protocol::WalletSolidity::Stub> solidity;
    std::unique_ptr<protocol::Database::Stub> solidity_database;
    std::unique_ptr<protocol::Database::Stub> full_database;

    mutable std::mutex mutex;
    std::condition_variable wake;          // cancel() ends every backoff sleep
    bool cancelled = false;
    std::set<grpc::ClientContext*> in_flight;  // calls cancel() must TryCancel

    // Sleeps `d`; false (at once) if cancelled before or during the sleep.
    bool sleep(std::chrono::milliseconds d) {
        std::unique_lock lock(mutex);
        return !wake.wait_for(lock, d, [this] { return cancelled; });
    }

    // Runs `attempt(ctx)` with a fresh deadline per attempt while `again(status)` asks for
    // a retry and attempts remain, with backoff between attempts; cancel() ends the run.
    template <typename Attempt, typename Again>
    Attempts run(const ClientOptions& o, Attempt&& attempt, Again&& again) {
        Attempts a;
        const int max = std::max(1, o.backoff.max_attempts);
        for (int i = 0; i < max; ++i) {
            if (i > 0 && !sleep(backoff_delay(o.backoff, i - 1, jitter_unit()))) {
                a.cancelled = true;
                return a;
            }
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() + o.deadline);
            {
                // Registered before the call starts: a cancel() from now on reaches it.
                std::lock_guard lock(mutex);
                if (cancelled) {
                    a.cancelled = true;
                    return a;
                }
                in_flight.insert(&ctx);
            }
            ++a.begun;
            a.status = attempt(&ctx);
            {
                std::lock_guard lock(mutex);
                in_flight.erase(&ctx);
                // A failure while cancelled is (or may be) our own TryCancel.
                if (!a.status.ok() && cancelled) {
                    a.cancelled = true;
                    return a;
                }
            }
            if (!again(a.status)) return a;
        }
        return a;
    }

    // Reads: retried on transient statuses only.
    template <typename Attempt>
    Attempts read(const ClientOptions& o, Attempt&& attempt) {
        return run(o, std::forward<Attempt>(attempt), [](const grpc::Status& s) {
            return !s.ok() && is_transient_grpc_status(static_cast<int>(s.error_code()));
        });
    }
};

namespace {

// A read that did not succeed. Nothing was written anywhere, so a cancelled or transient
// failure is Transient and anything else Rejected.
// gRPC's name of a status code, for errors that came without a message.
std::string status_name(int code) {
    static const char* const kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                         "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                         "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                                         "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    if (code >= 0 && code < static_cast<int>(std::size(kNames))) return kNames[code];
    return "status " + std::to_string(code);
}

ChainError read_error(const Attempts& a) {
    if (a.cancelled) return {ChainError::Kind::Transient, "cancelled", kCancelledCode};
    const int code = static_cast<int>(a.status.error_code());
    // Never an empty reason: a server may answer a bare status (UNIMPLEMENTED, ...).
    std::string message = a.status.error_message().empty()
                              ? "gRPC " + status_name(code) + " with no message"
                              : "gRPC " + status_name(code) + ": " + a.status.error_message();
    return {is_transient_grpc_status(code) ? ChainError::Kind::Transient : ChainError::Kind::Rejected,
            std::move(message), code};
}

}  // namespace

TronClient::TronClient(ClientOptions options) : m_state(new State), m_options(std::move(options)) {
    auto full = make_channel(m_options.full_node);
    auto solid = make_channel(m_options.solidity);
    m_state->wallet = protocol::Wallet::NewStub(full);
    m_state->solidity = protocol::WalletSolidity::NewStub(solid);
    m_state->solidity_database = protocol::Database::NewStub(solid);
    m_state->full_database = protocol::Database::NewStub(full);
}

TronClient::~TronClient() = default;

void TronClient::cancel() {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->cancelled = true;
        for (auto* ctx : m_state->in_flight) ctx->TryCancel();
    }
    m_state->wake.notify_all();
}

void TronClient::reset_cancel() {
    std::lock_guard lock(m_state->mutex);
    m_state->cancelled = false;
}

bool TronClient::is_cancelled() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->cancelled;
}

Result<BlockRef> TronClient::head() {
    protocol::BlockExtention b;
    const auto a = m_state->read(m_options, [&](auto* ctx) { return m_state->wallet->GetNowBlock2(ctx, {}, &b); });
    if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
    return ref_of(b);
}

Result<BlockRef> TronClient::solid_head() {
    protocol::BlockExtention b;
    const auto a = m_state->read(m_options, [&](auto* ctx) { return m_state->solidity->GetNowBlock2(ctx, {}, &b); });
    if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
    return ref_of(b);
}

Result<std::optional<protocol::BlockExtention>> TronClient::block(std::int64_t number) {
    protocol::NumberMessage req;
    req.set_num(number);
    protocol::BlockExtention b;
    const auto a = m_state->read(m_options, [&](auto* ctx) { return m_state->wallet->GetBlockByNum2(ctx, req, &b); });
    if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
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
        const auto a = m_state->read(m_options, [&](auto* ctx) { return m_state->wallet->GetBlockByLimitNext2(ctx, req, &list); });
        if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
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
    const auto a = m_state->read(m_options, [&](auto* ctx) { return m_state->solidity->GetTransactionInfoById(ctx, req, &info); });
    if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
    if (info.id().empty() || info.blocknumber() <= 0) return std::optional<Inclusion>();
    return std::optional<Inclusion>(Inclusion{info.blocknumber(), info.blocktimestamp(), info.fee()});
}

Result<std::optional<Inclusion>> TronClient::solid_inclusion_via_full_node(const TxId& txid) {
    protocol::BytesMessage req;
    req.set_value(str(txid));
    protocol::TransactionInfo info;
    const auto a = m_state->read(m_options, [&](auto* ctx) { return m_state->wallet->GetTransactionInfoById(ctx, req, &info); });
    if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
    if (info.id().empty() || info.blocknumber() <= 0) return std::optional<Inclusion>();
    // Asked after the receipt: a solid height read later can only be higher.
    protocol::DynamicProperties props;
    const auto b = m_state->read(m_options, [&](auto* ctx) { return m_state->full_database->GetDynamicProperties(ctx, {}, &props); });
    if (!b.status.ok() || b.cancelled) return unexpected(read_error(b));
    if (info.blocknumber() > props.last_solidity_block_num()) return std::optional<Inclusion>();
    return std::optional<Inclusion>(Inclusion{info.blocknumber(), info.blocktimestamp(), info.fee()});
}

Result<Balances> TronClient::account(const TronAddress& address, bool solidified) {
    protocol::Account req, acc;
    req.set_address(str(address.bytes()));
    const auto a = m_state->read(m_options, [&](auto* ctx) {
        return solidified ? m_state->solidity->GetAccount(ctx, req, &acc) : m_state->wallet->GetAccount(ctx, req, &acc);
    });
    if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
    Balances b;
    b.exists = !acc.address().empty();
    b.trx = acc.balance();
    for (const auto& [id, amount] : acc.assetv2()) b.tokens[id] = amount;
    return b;
}

Result<std::optional<TronClient::Asset>> TronClient::asset(const std::string& token_id) {
    protocol::BytesMessage req;
    req.set_value(token_id);
    protocol::AssetIssueContract asset;
    const auto a = m_state->read(m_options, [&](auto* ctx) { return m_state->wallet->GetAssetIssueById(ctx, req, &asset); });
    if (!a.status.ok() || a.cancelled) return unexpected(read_error(a));
    if (asset.id().empty()) return std::optional<Asset>();
    return std::optional<Asset>(Asset{asset.id(), asset.name(), asset.abbr(), asset.precision(), asset.total_supply()});
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
    // Retrying the very same bytes is always safe (the chain takes a txid once), so every
    // transient answer is retried; what the run ends with must never claim "not sent" once
    // an attempt has begun (reference §5.13, issue 11).
    BroadcastOutcome out;
    protocol::Return ret;
    int unanswered = 0;
    const auto a = m_state->run(
        m_options,
        [&](grpc::ClientContext* ctx) {
            ret.Clear();
            return m_state->wallet->BroadcastTransaction(ctx, tx, &ret);
        },
        [&](const grpc::Status& s) {
            if (!s.ok()) {
                ++unanswered;
                return is_transient_grpc_status(static_cast<int>(s.error_code()));
            }
            return is_transient_return(static_cast<int>(ret.code()));
        });
    if (a.cancelled || !a.status.ok()) {
        const int code = a.cancelled ? kCancelledCode : static_cast<int>(a.status.error_code());
        const std::string what = a.cancelled ? std::string("cancelled") : a.status.error_message();
        switch (classify_broadcast_failure(code, a.begun)) {
            case BroadcastFailure::NotSent:
                return unexpected(ChainError{ChainError::Kind::Transient, what, code});
            case BroadcastFailure::MaybeSent:
                return unexpected(ChainError{ChainError::Kind::Unknown,
                                             what + " (after " + std::to_string(a.begun) +
                                                 " attempt(s); maybe sent: follow the txid)",
                                             code});
        }
    }
    out.attempts = a.begun;
    out.unanswered_attempts = unanswered;
    out.code = static_cast<int>(ret.code());
    out.message = ret.message();
    out.kind = classify_broadcast(out.code);
    return out;  // a transient code after every attempt: RetrySameBytes
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
