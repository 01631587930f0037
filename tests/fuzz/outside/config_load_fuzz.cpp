// bttnode's config file and --set overrides (DESIGN §10: every parser of outside bytes is
// fuzzed): load_config never crashes on any text or override, and whatever it accepts
// writes back (to_toml) to a document it reads to the same value of every key.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <btt/node/app/config.h>

using namespace btt::node;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    // A first line "KEY=VALUE" (after a 0x01 byte) is an override, as --set gives one.
    std::vector<Override> overrides;
    if (!input.empty() && input.front() == '\x01') {
        const auto end = input.find('\n');
        const auto line = input.substr(1, end == std::string_view::npos ? input.size() - 1 : end - 1);
        const auto eq = line.find('=');
        if (eq != std::string_view::npos)
            overrides.push_back({std::string(line.substr(0, eq)), std::string(line.substr(eq + 1))});
        input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    }
    const auto config = load_config(input, overrides);
    if (!config) {
        (void)config.error().message();
        return 0;
    }
    const auto again = load_config(to_toml(*config), {});
    if (!again)
        std::abort();  // what was accepted must read back
    for (const auto& key : config_keys()) {
        if (value_text(*config, key.key) != value_text(*again, key.key))
            std::abort();
    }
    (void)redact_database_url(config->database.url);
    return 0;
}
