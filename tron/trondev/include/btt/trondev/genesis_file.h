#pragma once
// trondev's genesis file (JSON) and `trondev genesis`. Format:
// {
//   "timestamp_ms": 0,                 // 0: the time the chain first starts
//   "params": {"block_interval_ms": 3000, "solid_lag": 18, "transaction_fee": 1000,
//              "free_net_limit": 5000, "memo_fee": 1000000, "create_account_fee": 100000,
//              "create_new_account_fee_in_system_contract": 1000000,
//              "max_create_account_tx_size": 1000},        // every key optional
//   "tokens": [{"id": "1002000", "name": "BitTorrent", "abbr": "BTT", "precision": 6,
//               "owner": "T...", "total_supply": 990000000000000000}],
//   "accounts": [{"address": "T... or 41...", "trx": 1000000000, "tokens": {"1002000": 5}}]
// }
// Keys are never in it: `trondev genesis --out F` writes them to F.keys.json
// ([{"address", "private_key"}], mode 0600).

#include <string>

#include <btt/trondev/chain.h>

namespace btt::trondev {

// Throws std::runtime_error naming the file and what is wrong.
[[nodiscard]] Genesis load_genesis(const std::string& path);
void save_genesis(const Genesis& genesis, const std::string& path);

struct GenesisSpec {
    int accounts = 4;
    std::int64_t trx_each = 1'000'000'000;  // sun
    std::string token = "1002000";
    std::int64_t token_each = 1'000'000'000;
};

// Generates keys (OS randomness), writes `out` and `out`.keys.json (0600). Throws on I/O
// errors or when either file exists.
void write_generated_genesis(const GenesisSpec& spec, const std::string& out);

}  // namespace btt::trondev
