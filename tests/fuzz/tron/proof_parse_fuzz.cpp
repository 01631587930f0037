// A balance proof as it arrives (channel id 32 || amount 8 || signature 65): recovery
// never crashes, and whatever it accepts is canonical (low-s, v in {0,1,27,28}) and
// verifies again from the rebuilt message.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

using namespace btt::tron;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 32 + 8 + 65) return 0;
    btt::Hash32 channel{};
    std::memcpy(channel.data(), data, 32);
    std::uint64_t amount = 0;
    for (std::size_t i = 32; i < 40; ++i) amount = (amount << 8) | data[i];
    Signature sig{};
    std::memcpy(sig.data(), data + 40, 65);
    const auto message = balance_proof_message(channel, amount);
    if (message.size() != 54) std::abort();
    const auto signer = recover_message_v2(message, sig, SPolicy::RefuseHighS);
    if (signer) {
        if (is_high_s(sig)) std::abort();
        const std::uint8_t v = sig[64];
        if (v != 0 && v != 1 && v != 27 && v != 28) std::abort();
        if (recover_message_v2(balance_proof_message(channel, amount), sig).value() != *signer) {
            std::abort();
        }
    }
    return 0;
}
