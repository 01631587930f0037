// bttorrent's btt_pay messages from any peer (bencode, then the handshake offer and the
// open/proof/ack messages): decoding never crashes, and what it accepts encodes to bytes
// that decode and encode to the same bytes again.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <btt/torrent/bencode.h>
#include <btt/torrent/pay_message.h>

using namespace btt::torrent;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (const auto dict = bdecode_flat_dict(input)) {
        const auto text = bencode(*dict);
        const auto again = bdecode_flat_dict(text);
        if (!again || bencode(*again) != text)
            std::abort();
    }
    if (const auto hello = decode_hello(input)) {
        const auto text = encode_hello(*hello);
        const auto again = decode_hello(text);
        if (!again || encode_hello(*again) != text)
            std::abort();
    }
    if (const auto message = decode_message(input)) {
        const auto text = encode_message(*message);
        const auto again = decode_message(text);
        if (!again || encode_message(*again) != text)
            std::abort();
    } else {
        (void)message.error().message();
    }
    return 0;
}
