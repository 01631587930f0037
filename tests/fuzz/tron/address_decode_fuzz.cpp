// Address parsing never crashes, and whatever it accepts round-trips exactly.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <btt/tron/address.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = btt::tron::TronAddress::parse(text);
    if (parsed) {
        if (parsed->bytes()[0] != btt::tron::TronAddress::kPrefix) std::abort();
        const auto b58 = btt::tron::TronAddress::from_base58(parsed->to_base58());
        const auto hex = btt::tron::TronAddress::from_hex(parsed->to_hex());
        if (!b58 || !hex || *b58 != *parsed || *hex != *parsed) std::abort();
        if (parsed->to_base58().size() != 34) std::abort();
    } else if (parsed.error().message().empty()) {
        std::abort();
    }
    const auto payload = btt::tron::base58check_decode(text);
    if (payload && btt::tron::base58check_decode(btt::tron::base58check_encode(*payload)).value() != *payload) {
        std::abort();
    }
    return 0;
}
