#pragma once
// TIP-104 message signing, as TronWeb's signMessageV2 / verifyMessageV2 (reference §6):
// digest = keccak256("\x19TRON Signed Message:\n" || decimal byte length || message).
// Any Tron wallet can produce and check these signatures; the channel messages of
// channel_messages.h are signed this way.

#include <btt/base/bytes.h>
#include <btt/base/expected.h>
#include <btt/tron/keys.h>

namespace btt::tron {

[[nodiscard]] Hash32 tip104_digest(ByteView message);

// RFC 6979, low-s, v = 27/28.
[[nodiscard]] Signature sign_message_v2(const PrivateKey& key, ByteView message);

// The signer's address, or why the signature is not acceptable (v in {0,1,27,28}).
[[nodiscard]] Expected<TronAddress, SignatureError> recover_message_v2(
    ByteView message, const Signature& signature, SPolicy policy = SPolicy::RefuseHighS);

}  // namespace btt::tron
