// Arbitrary proofs against a fixed channel: check_proof, judge and apply never crash, an
// ACCEPTED proof is always the payer's, within the deposit and above the last amount, and
// no refusal changes the channel.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <btt/channels/proof.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/hash.h>
#include <btt/tron/tip104.h>

using namespace btt::channels;

namespace {
const btt::tron::PrivateKey& payer() {
    static const auto key = btt::tron::PrivateKey::from_bytes(btt::tron::sha256(btt::as_bytes("fuzz-payer"))).value();
    return key;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 16) return 0;
    Channel c;
    btt::Hash32 id{};
    id.fill(0x42);
    c.id = ChannelId(id);
    c.payer = payer().address();
    c.deposit = Amount::from_int64(1'000'000).value();
    c.accepted = Amount::from_int64(data[0] * 1000).value();
    c.expiry = UnixSeconds{1'000'000};
    c.state = static_cast<ChannelState>(data[1] % 4 + 1);  // Open = 1 .. Closed = 4
    if (c.state == ChannelState::Closing) c.settle_at = UnixSeconds{(data[1] >> 2) * 10'000};
    const UnixSeconds now{static_cast<std::int64_t>(data[2]) * 10'000};
    std::uint64_t amount = 0;
    std::memcpy(&amount, data + 3, sizeof(amount));
    ProofMsg msg;
    msg.amount = data[11] & 1 ? amount % 2'000'000 : amount;
    const std::size_t rest = size - 12;
    const bool use_real_id = data[12 % size] & 1;
    if (use_real_id) {
        msg.channel_id.assign(id.begin(), id.end());
    } else {
        msg.channel_id.assign(data + 12, data + 12 + std::min<std::size_t>(rest, 32));
    }
    if (data[13 % size] & 1 && Amount::from_uint64(msg.amount)) {
        // A real signature by the payer over the fuzzed fields.
        const auto sig = btt::tron::sign_message_v2(payer(), btt::tron::balance_proof_message(id, msg.amount));
        msg.signature.assign(sig.begin(), sig.end());
        msg.signature[64] = static_cast<std::uint8_t>(msg.signature[64] ^ (data[14 % size] & 0x01));
    } else {
        msg.signature.assign(data + 12, data + size);
    }
    const auto checked = check_proof(msg);
    if (!checked) return 0;
    // A proof for another channel never meets this one: the node looks channels up by the
    // proof's id, and handing judge() a different channel is a caller bug (BTT_ASSERT).
    if (checked->channel != c.id) {
        if (judge(nullptr, *checked, now).reason != Reject::UnknownChannel) std::abort();
        return 0;
    }
    const Channel before = c;
    const Verdict v = judge(&c, *checked, now);
    const auto effect = apply(c, *checked, now);
    if (v.outcome == Outcome::Accepted) {
        const bool past_settle_at = before.state == ChannelState::Closing && before.settle_at &&
                                    now >= *before.settle_at;
        if (!effect || checked->signer != payer().address() || checked->amount > c.deposit ||
            !(checked->amount > before.accepted) || c.accepted != checked->amount ||
            past_settle_at) {
            std::abort();
        }
    } else if (effect || c.accepted != before.accepted || c.state != before.state) {
        std::abort();
    }
    return 0;
}
