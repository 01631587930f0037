#pragma once
// The funding memo grammar (DESIGN §3, §8 "Memos"): exact match or nothing.
//   open:   btt-channel:v1:open:<payee base58check address>:<expiry unix seconds>
//   top-up: btt-channel:v1:topup:<channel id, 64 lowercase hex>
// Expiry is canonical decimal (no sign, no leading zero, fits int64); no trailing bytes,
// no whitespace. What the memo asks for is judged by deposit.h, not here.

#include <optional>
#include <variant>

#include <btt/base/bytes.h>
#include <btt/channels/amount.h>
#include <btt/channels/ids.h>
#include <btt/tron/address.h>

namespace btt::channels {

struct OpenMemo {
    tron::TronAddress payee;
    UnixSeconds expiry;
};

struct TopUpMemo {
    ChannelId channel;
};

using Memo = std::variant<OpenMemo, TopUpMemo>;

// Nullopt for anything that is not exactly one of the two forms.
[[nodiscard]] std::optional<Memo> parse_memo(ByteView memo);

}  // namespace btt::channels
