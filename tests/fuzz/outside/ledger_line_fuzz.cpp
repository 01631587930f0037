// The ledger export's lines (btt-ledger/1), as `bttctl audit verify` reads them from a
// file anyone may hand it: decode_line never crashes, and what it accepts encodes to a
// canonical line that decodes and encodes to the very same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <btt/ledger/jsonl.h>

using namespace btt::ledger;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const auto record = decode_line(line);
    if (!record)
        return 0;
    const auto canonical = encode_line(*record);
    const auto again = decode_line(canonical);
    if (!again || encode_line(*again) != canonical)
        std::abort();
    return 0;
}
