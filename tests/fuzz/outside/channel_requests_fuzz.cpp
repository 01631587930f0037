// ChannelService's requests from strangers, handled as the node handles them (proof_stream.cpp,
// channel_service.cpp) but without a server: bytes parsed as ProofRequest, CloseRequest,
// GetChannelRequest or WatchChannelRequest, the id and signature taken over as the node
// takes them, then check_proof + judge or check_close against a fixed channel. Never a
// crash, and nothing but the payer's (or payee's) key is ever accepted.
#include <cstdint>
#include <cstdlib>

#include <btt/channel/v1/channel.pb.h>
#include <btt/channels/lifecycle.h>
#include <btt/channels/proof.h>
#include <btt/tron/hash.h>

namespace v1 = btt::channel::v1;
using namespace btt::channels;

namespace {

btt::tron::TronAddress address_of(const char* seed) {
    return btt::tron::PrivateKey::from_bytes(btt::tron::sha256(btt::as_bytes(seed)))
        .value()
        .address();
}

Channel fixed_channel(const ChannelId& id) {
    Channel c;
    c.id = id;
    static const auto payer = address_of("fuzz-payer");
    static const auto payee = address_of("fuzz-payee");
    c.payer = payer;
    c.payee = payee;
    c.deposit = Amount::from_int64(1'000'000).value();
    c.accepted = Amount::from_int64(5'000).value();
    c.expiry = UnixSeconds{2'000'000'000};
    c.state = ChannelState::Open;
    return c;
}

btt::ByteView bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const auto kind = data[0] % 4;
    const auto* body = data + 1;
    const int length = static_cast<int>(size - 1);
    if (kind == 0) {
        v1::ProofRequest request;
        if (!request.ParseFromArray(body, length))
            return 0;
        ProofMsg msg;
        msg.channel_id.assign(request.channel_id().begin(), request.channel_id().end());
        msg.amount = request.amount();
        msg.signature.assign(request.signature().begin(), request.signature().end());
        const auto verified = check_proof(msg);
        if (!verified)
            return 0;
        const auto channel = fixed_channel(verified->channel);
        const auto verdict = judge(&channel, *verified, UnixSeconds{1'000'000'000});
        // Only the payer's signature is accepted, and the fuzzer holds no payer key.
        if (verdict.outcome != Outcome::Rejected || verdict.reason != Reject::WrongSigner)
            std::abort();
        return 0;
    }
    if (kind == 1) {
        v1::CloseRequest request;
        if (!request.ParseFromArray(body, length))
            return 0;
        const auto id = ChannelId::from_bytes(bytes_of(request.channel_id()));
        if (!id)
            return 0;
        const CloseRequest close{*id, btt::Bytes(request.signature().begin(), request.signature().end())};
        const auto channel = fixed_channel(*id);
        if (check_close(channel, close))
            std::abort();  // a party's signature cannot come from the fuzzer
        return 0;
    }
    if (kind == 2) {
        v1::GetChannelRequest request;
        if (request.ParseFromArray(body, length))
            (void)ChannelId::from_bytes(bytes_of(request.channel_id()));
        return 0;
    }
    v1::WatchChannelRequest request;
    if (request.ParseFromArray(body, length))
        (void)ChannelId::from_bytes(bytes_of(request.channel_id()));
    return 0;
}
