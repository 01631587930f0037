#pragma once
// What the files of bttnode's configuration share (config_keys.cpp: the key table;
// config_toml.cpp: the TOML walk and --key overrides; config_key_files.cpp; config_redact.cpp).
// Internal to btt_node_config: the public face is btt/node/app/config.h.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <btt/node/app/config.h>

namespace btt::node::config_detail {

// A key's value as read from the file or the command line, before its own checks.
using Value = std::variant<std::int64_t, bool, std::string, std::vector<std::string>>;
// Why a value is refused (one line, for ConfigError::detail); nullopt: accepted.
using Problem = std::optional<std::string>;

inline constexpr std::int64_t kNoUpperBound = std::numeric_limits<std::int64_t>::max();

// One row of the key table.
struct Entry {
    KeyInfo info;
    std::function<std::string(const Config&)> show;     // the value as TOML text
    std::function<Problem(Config&, const Value&)> set;  // checks, then stores
};

// Every key, in the order values are checked and to_toml() writes them.
[[nodiscard]] const std::vector<Entry>& entries();
[[nodiscard]] const Entry* find_entry(std::string_view key);
// "node" for "node.listen".
[[nodiscard]] std::string_view section_of(std::string_view key);

// A TOML basic string: quotes, backslashes and control characters escaped. Also used to
// quote user text in messages, so a message stays one line whatever the input holds.
[[nodiscard]] std::string toml_quote(std::string_view s);
// A whole decimal int64, nothing else around it.
[[nodiscard]] std::optional<std::int64_t> parse_int64(std::string_view s);

}  // namespace btt::node::config_detail
