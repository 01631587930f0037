#include <btt/trondev/genesis_file.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include <btt/tron/io/random.h>

namespace btt::trondev {

namespace {

using nlohmann::json;

tron::TronAddress address_of(const json& j, const std::string& what) {
    const auto a = tron::TronAddress::parse(j.get<std::string>());
    if (!a) throw std::runtime_error(what + ": " + a.error().message());
    return *a;
}

void write_new_file(const std::string& path, const std::string& text, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw std::runtime_error("cannot create " + path + " (does it exist already?)");
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path);
}

}  // namespace

Genesis load_genesis(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read genesis file " + path);
    try {
        const json j = json::parse(in);
        Genesis g;
        g.timestamp_ms = j.value("timestamp_ms", std::int64_t{0});
        const json params = j.value("params", json::object());
        auto& p = g.params;
        p.block_interval_ms = params.value("block_interval_ms", p.block_interval_ms);
        p.solid_lag = params.value("solid_lag", p.solid_lag);
        p.transaction_fee = params.value("transaction_fee", p.transaction_fee);
        p.free_net_limit = params.value("free_net_limit", p.free_net_limit);
        p.memo_fee = params.value("memo_fee", p.memo_fee);
        p.create_account_fee = params.value("create_account_fee", p.create_account_fee);
        p.create_new_account_fee_in_system_contract =
            params.value("create_new_account_fee_in_system_contract", p.create_new_account_fee_in_system_contract);
        p.max_create_account_tx_size = params.value("max_create_account_tx_size", p.max_create_account_tx_size);
        for (const auto& t : j.value("tokens", json::array())) {
            g.tokens.push_back({t.at("id").get<std::string>(), t.value("name", ""), t.value("abbr", ""),
                                t.value("precision", 6), address_of(t.at("owner"), "token owner"),
                                t.value("total_supply", std::int64_t{0})});
        }
        for (const auto& a : j.value("accounts", json::array())) {
            GenesisAccount acc{address_of(a.at("address"), "account address"), a.value("trx", std::int64_t{0}), {}};
            const json tokens = a.value("tokens", json::object());  // kept alive for items()
            for (const auto& [id, amount] : tokens.items()) {
                acc.tokens[id] = amount.get<std::int64_t>();
            }
            g.accounts.push_back(acc);
        }
        return g;
    } catch (const json::exception& e) {
        throw std::runtime_error("genesis file " + path + ": " + e.what());
    }
}

void save_genesis(const Genesis& g, const std::string& path) {
    json j;
    j["timestamp_ms"] = g.timestamp_ms;
    const auto& p = g.params;
    j["params"] = {{"block_interval_ms", p.block_interval_ms},
                   {"solid_lag", p.solid_lag},
                   {"transaction_fee", p.transaction_fee},
                   {"free_net_limit", p.free_net_limit},
                   {"memo_fee", p.memo_fee},
                   {"create_account_fee", p.create_account_fee},
                   {"create_new_account_fee_in_system_contract", p.create_new_account_fee_in_system_contract},
                   {"max_create_account_tx_size", p.max_create_account_tx_size}};
    j["tokens"] = json::array();
    for (const auto& t : g.tokens) {
        j["tokens"].push_back({{"id", t.id}, {"name", t.name}, {"abbr", t.abbr}, {"precision", t.precision},
                               {"owner", t.owner.to_base58()}, {"total_supply", t.total_supply}});
    }
    j["accounts"] = json::array();
    for (const auto& a : g.accounts) {
        j["accounts"].push_back({{"address", a.address.to_base58()}, {"trx", a.trx}, {"tokens", a.tokens}});
    }
    write_new_file(path, j.dump(2) + "\n", 0644);
}

void write_generated_genesis(const GenesisSpec& spec, const std::string& out) {
    if (spec.accounts < 1 || spec.trx_each < 0 || spec.token_each < 0) {
        throw std::runtime_error("accounts must be >= 1 and balances >= 0");
    }
    Genesis g;
    json keys = json::array();
    for (int i = 0; i < spec.accounts; ++i) {
        const auto key = tron::io::generate_private_key();
        g.accounts.push_back({key.address(), spec.trx_each, {{spec.token, spec.token_each}}});
        keys.push_back({{"address", key.address().to_base58()}, {"private_key", key.to_hex()}});
    }
    const bool btt = spec.token == "1002000";
    g.tokens.push_back({spec.token, btt ? "BitTorrent" : "Token" + spec.token, btt ? "BTT" : "TOK", 6,
                        g.accounts[0].address, spec.token_each * spec.accounts});
    write_new_file(out + ".keys.json", keys.dump(2) + "\n", 0600);
    save_genesis(g, out);
}

}  // namespace btt::trondev
