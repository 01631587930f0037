#include <btt/tron/tip104.h>

#include <string>
#include <string_view>

#include <btt/tron/hash.h>

namespace btt::tron {

namespace {
constexpr std::string_view kPrefix = "\x19TRON Signed Message:\n";
}

Hash32 tip104_digest(ByteView message) {
    Bytes envelope = to_bytes(kPrefix);
    append(envelope, as_bytes(std::to_string(message.size())));
    append(envelope, message);
    return keccak256(envelope);
}

Signature sign_message_v2(const PrivateKey& key, ByteView message) {
    return key.sign_digest(tip104_digest(message));
}

Expected<TronAddress, SignatureError> recover_message_v2(ByteView message,
                                                         const Signature& signature,
                                                         SPolicy policy) {
    return recover_signer(tip104_digest(message), signature, policy);
}

}  // namespace btt::tron
