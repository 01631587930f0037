#pragma once
// Judges one ProofResult against the proof it answers (DESIGN §8 outcomes, §9 ProofResult):
// outcome known; reason 0 and no token unless REJECTED; a REJECTED reason's token is the one
// §8 gives that number; ACCEPTED and DUPLICATE carry `accepted` equal to the proof's amount
// and a receipt for exactly (channel, amount) that ReceiptChecker accepts; REJECTED carries
// no receipt. Matching request ids and per-channel order is the stream's job.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <btt/channel/v1/channel.pb.h>
#include <btt/channels/ids.h>
#include <btt/load/receipt_checker.h>

namespace btt::load {

struct Verdict {
    enum class Kind { Accepted, Duplicate, Rejected, Error };
    Kind kind = Kind::Error;
    std::string detail;  // Rejected: the reason token; Error: what is wrong
};

// Never throws; a malformed answer is an Error verdict naming the field.
[[nodiscard]] Verdict check_answer(const channels::ChannelId& channel, std::uint64_t amount,
                                   const btt::channel::v1::ProofResult& result,
                                   ReceiptChecker& receipts);

// The §8 token of reason `n`, or nullopt for a number this build does not know (numbers are
// append only: a newer node may send one; its token is then taken as sent).
[[nodiscard]] std::optional<std::string_view> known_reason_token(std::uint32_t n) noexcept;

}  // namespace btt::load
