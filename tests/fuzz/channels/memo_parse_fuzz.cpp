// Memo parsing never crashes, and whatever it accepts prints back to the same bytes:
// the grammar has exactly one spelling for each memo.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <btt/channels/memo.h>

using namespace btt::channels;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const btt::ByteView input(data, size);
    const auto memo = parse_memo(input);
    if (!memo) return 0;
    std::string printed;
    if (const auto* open = std::get_if<OpenMemo>(&*memo)) {
        printed = "btt-channel:v1:open:" + open->payee.to_base58() + ":" + std::to_string(open->expiry.value);
    } else {
        printed = "btt-channel:v1:topup:" + std::get<TopUpMemo>(*memo).channel.to_hex();
    }
    if (printed.size() != size || printed.compare(0, size, reinterpret_cast<const char*>(data), size) != 0) {
        std::abort();
    }
    return 0;
}
