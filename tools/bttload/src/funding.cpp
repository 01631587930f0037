#include <btt/load/funding.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <optional>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <btt/base/hex.h>
#include <btt/load/parallel.h>
#include <btt/tron/client/tron_client.h>
#include <btt/tron/io/key_file.h>
#include <btt/tron/io/random.h>
#include <btt/tron/transaction.h>

namespace btt::load {

namespace {

constexpr std::int64_t kDefaultHorizonS = 7 * 86'400;
constexpr std::int64_t kLandingMarginS = 60;         // head time -> the block that carries the open
constexpr std::int64_t kExpirationMs = 10 * 60'000;  // transaction expiration after the head's time
constexpr auto kReferenceMaxAge = std::chrono::seconds(20);

RunError usage(std::string m) {
    return {ExitCode::Usage, std::move(m)};
}

struct Reference {
    tron::Tapos tapos;
    std::int64_t head_ms = 0;
    std::chrono::steady_clock::time_point taken;
};

}  // namespace

Expected<std::vector<tron::PrivateKey>, RunError> load_payers(const Options& o) {
    std::vector<tron::PrivateKey> out;
    if (!o.payer_key_files.empty()) {
        const auto n = o.payers == 0 ? o.payer_key_files.size() : o.payers;
        for (std::size_t i = 0; i < n; ++i) {
            auto key = tron::io::read_private_key_file(o.payer_key_files[i]);
            if (!key)
                return unexpected(usage(key.error().message()));
            out.push_back(std::move(key).value());
        }
        return out;
    }
    std::ifstream in(o.keys_file);
    if (!in)
        return unexpected(usage(fmt::format("{}: cannot open", o.keys_file)));
    nlohmann::json doc;
    try {
        in >> doc;
    } catch (const std::exception& e) {
        return unexpected(usage(fmt::format("{}: not JSON ({})", o.keys_file, e.what())));
    }
    if (!doc.is_array())
        return unexpected(
            usage(fmt::format("{}: expected an array of {{address, private_key}}", o.keys_file)));
    if (doc.size() < o.payers) {
        return unexpected(usage(fmt::format("{}: {} accounts, --payers asks for {}", o.keys_file,
                                            doc.size(), o.payers)));
    }
    for (std::size_t i = 0; i < o.payers; ++i) {
        const auto& entry = doc[i];
        if (!entry.is_object() || !entry.contains("private_key") ||
            !entry["private_key"].is_string()) {
            return unexpected(
                usage(fmt::format("{}: entry {} has no private_key", o.keys_file, i)));
        }
        auto key = tron::PrivateKey::from_hex(entry["private_key"].get<std::string>());
        if (!key)
            return unexpected(
                usage(fmt::format("{}: entry {}: {}", o.keys_file, i, key.error().message())));
        if (entry.contains("address") && entry["address"].is_string() &&
            entry["address"].get<std::string>() != key->address().to_base58()) {
            return unexpected(
                usage(fmt::format("{}: entry {}: the key is not the address's", o.keys_file, i)));
        }
        out.push_back(std::move(key).value());
    }
    return out;
}

Expected<std::vector<tron::TronAddress>, RunError> load_payees(const Options& o) {
    std::vector<tron::TronAddress> out;
    if (o.payees_file.empty()) {
        for (std::size_t i = 0; i < o.payees; ++i)
            out.push_back(tron::io::generate_private_key().address());
        return out;
    }
    std::ifstream in(o.payees_file);
    if (!in)
        return unexpected(usage(fmt::format("{}: cannot open", o.payees_file)));
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        auto a = tron::TronAddress::from_base58(line);
        if (!a)
            return unexpected(
                usage(fmt::format("{}:{}: {}", o.payees_file, n, a.error().message())));
        out.push_back(*a);
    }
    if (out.empty())
        return unexpected(usage(fmt::format("{}: lists no address", o.payees_file)));
    return out;
}

Expected<std::int64_t, RunError> choose_expiry_horizon(const Options& o,
                                                       const btt::channel::v1::NodeInfo& node) {
    const auto lo = node.min_expiry_horizon_s();
    const auto hi = node.max_expiry_horizon_s();
    if (o.expiry_s != 0) {
        if (o.expiry_s - kLandingMarginS < lo || o.expiry_s > hi) {
            return unexpected(usage(
                fmt::format("--expiry-s {} is outside the node's horizon [{} + {} s margin, {}]",
                            o.expiry_s, lo, kLandingMarginS, hi)));
        }
        return o.expiry_s;
    }
    const auto chosen =
        std::clamp(kDefaultHorizonS, lo + kLandingMarginS, std::max(hi, lo + kLandingMarginS));
    if (chosen > hi) {
        return unexpected(usage(fmt::format(
            "the node's expiry horizon [{}, {}] leaves no room; pass --expiry-s", lo, hi)));
    }
    return chosen;
}

std::string open_memo(const tron::TronAddress& payee, std::int64_t expiry_unix_s) {
    return fmt::format("btt-channel:v1:open:{}:{}", payee.to_base58(), expiry_unix_s);
}

Expected<void, RunError> open_channels(const Options& o, const btt::channel::v1::NodeInfo& node,
                                       const std::vector<tron::TronAddress>& payees, Fleet& fleet,
                                       std::ostream& log) {
    const auto escrow = tron::TronAddress::from_base58(node.escrow_address());
    if (!escrow) {
        return unexpected(RunError{ExitCode::Errors,
                                   fmt::format("the node's escrow_address '{}': {}",
                                               node.escrow_address(), escrow.error().message())});
    }
    const std::int64_t deposit = o.deposit != 0 ? o.deposit : node.min_deposit();
    if (deposit < node.min_deposit() || deposit <= 0) {
        return unexpected(usage(
            fmt::format("--deposit {} is under the node's min_deposit {} (it would be refunded, "
                        "not opened)",
                        deposit, node.min_deposit())));
    }
    const auto horizon = choose_expiry_horizon(o, node);
    if (!horizon)
        return unexpected(horizon.error());

    tron::client::ClientOptions co;
    co.full_node = {o.tron, o.tron_tls, ""};
    co.solidity = {o.tron_solidity, o.tron_tls, ""};
    co.backoff.max_attempts = 4;
    tron::client::TronClient chain(co);

    std::mutex mutex;
    std::optional<Reference> reference;  // guarded by mutex
    std::optional<RunError> failure;     // guarded by mutex
    // java-tron's own builders: TAPOS from the solidified head, times from the head.
    const auto take_reference = [&]() -> std::optional<Reference> {
        std::lock_guard lock(mutex);
        if (reference && std::chrono::steady_clock::now() - reference->taken < kReferenceMaxAge)
            return reference;
        const auto solid = chain.solid_head();
        const auto head =
            solid ? chain.head()
                  : tron::client::Result<tron::client::BlockRef>(unexpected(solid.error()));
        if (!head) {
            if (!failure)
                failure = RunError{ExitCode::Unreachable,
                                   fmt::format("Tron node: {}", head.error().message)};
            return std::nullopt;
        }
        reference = Reference{tron::tapos_from_block(solid->number, solid->id), head->timestamp,
                              std::chrono::steady_clock::now()};
        return reference;
    };
    const auto first = take_reference();
    if (!first)
        return unexpected(*failure);
    const std::int64_t expiry = first->head_ms / 1000 + *horizon;
    const auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();

    const std::size_t jobs = fleet.payers.size() * o.channels_per_payer;
    std::vector<std::optional<Hash32>> txids(jobs);
    log << fmt::format("bttload: funding {} channels of {} (token {}) to escrow {}, expiry {}\n",
                       jobs, deposit, node.token_id(), node.escrow_address(), expiry)
        << std::flush;
    parallel_for(jobs, 8, 1, [&](std::size_t j) {
        {
            std::lock_guard lock(mutex);
            if (failure)
                return;
        }
        const auto ref = take_reference();
        if (!ref)
            return;
        const std::size_t payer = j / o.channels_per_payer;
        const auto& key = fleet.payers[payer];
        const auto& payee = payees[payer % payees.size()];
        // A distinct timestamp per transfer: two opens of one payer to one payee would
        // otherwise be the same bytes, hence the same txid (one channel, not two).
        const auto built = tron::build_transfer({node.token_id(), key.address(), *escrow, deposit,
                                                 ref->tapos, ref->head_ms + kExpirationMs,
                                                 wall_ms + static_cast<std::int64_t>(j),
                                                 to_bytes(open_memo(payee, expiry))});
        if (!built) {
            std::lock_guard lock(mutex);
            if (!failure)
                failure = usage(fmt::format("funding transfer: {}", built.error().message()));
            return;
        }
        const tron::Signature sig[] = {tron::sign_transaction(key, built->txid)};
        const auto outcome = chain.broadcast(tron::signed_transaction_bytes(built->raw_data, sig));
        std::lock_guard lock(mutex);
        if (!outcome) {
            // Maybe sent: the txid is worth looking for, but this run cannot count on it.
            if (!failure) {
                failure = RunError{
                    ExitCode::Unreachable,
                    fmt::format("broadcast of {} from {}: {} (maybe sent)", to_hex(built->txid),
                                key.address().to_base58(), outcome.error().message)};
            }
            return;
        }
        if (outcome->kind != tron::BroadcastClass::Accepted &&
            outcome->kind != tron::BroadcastClass::AlreadyKnown) {
            if (!failure) {
                failure =
                    RunError{ExitCode::Errors, fmt::format("funding from {} refused: code {} {}",
                                                           key.address().to_base58(), outcome->code,
                                                           outcome->message)};
            }
            return;
        }
        txids[j] = built->txid;
    });
    for (std::size_t j = 0; j < jobs; ++j) {
        if (txids[j]) {
            fleet.channels.push_back(LoadChannel{channels::ChannelId(*txids[j]),
                                                 j / o.channels_per_payer,
                                                 static_cast<std::uint64_t>(deposit), 0});
        }
    }
    if (failure)
        return unexpected(*failure);
    log << fmt::format("bttload: {} funding transfers accepted by the chain\n",
                       fleet.channels.size())
        << std::flush;
    return {};
}

}  // namespace btt::load
