#include <btt/load/answer_check.h>

#include <fmt/format.h>

#include <btt/api/receipt.h>
#include <btt/channels/reject.h>

namespace btt::load {

namespace v1 = btt::channel::v1;

namespace {

Verdict error(std::string what) {
    return {Verdict::Kind::Error, std::move(what)};
}

}  // namespace

std::optional<std::string_view> known_reason_token(std::uint32_t n) noexcept {
    if (n < 1 || n > static_cast<std::uint32_t>(channels::Reject::Internal))
        return std::nullopt;
    return channels::token_of(static_cast<channels::Reject>(n));
}

Verdict check_answer(const channels::ChannelId& channel, std::uint64_t amount,
                     const v1::ProofResult& result, ReceiptChecker& receipts) {
    switch (result.outcome()) {
        case v1::OUTCOME_REJECTED: {
            if (result.reason() == 0)
                return error("REJECTED with reason 0");
            if (result.has_receipt())
                return error("REJECTED with a receipt");
            const auto known = known_reason_token(result.reason());
            if (!known) {
                // A reason appended after this build: count it under the token it came with.
                if (result.reason_token().empty()) {
                    return error(fmt::format("REJECTED with unknown reason {} and no token",
                                             result.reason()));
                }
                return {Verdict::Kind::Rejected, result.reason_token()};
            }
            if (result.reason_token() != *known) {
                return error(fmt::format("reason {} came with token '{}', not '{}'",
                                         result.reason(), result.reason_token(), *known));
            }
            return {Verdict::Kind::Rejected, std::string(*known)};
        }
        case v1::OUTCOME_ACCEPTED:
        case v1::OUTCOME_DUPLICATE: {
            const char* name = result.outcome() == v1::OUTCOME_ACCEPTED ? "ACCEPTED" : "DUPLICATE";
            if (result.reason() != 0 || !result.reason_token().empty()) {
                return error(fmt::format("{} with reason {} '{}'", name, result.reason(),
                                         result.reason_token()));
            }
            if (result.accepted() != amount) {
                return error(
                    fmt::format("{} {} but accepted = {}", name, amount, result.accepted()));
            }
            if (!result.has_receipt())
                return error(fmt::format("{} without a receipt", name));
            if (result.receipt().amount() != amount) {
                return error(fmt::format("{} {} with a receipt for {}", name, amount,
                                         result.receipt().amount()));
            }
            const auto receipt = api::receipt_from_proto(result.receipt(), channel);
            if (!receipt)
                return error(receipt.error());
            if (auto ok = receipts.check(*receipt); !ok)
                return error(ok.error());
            return {result.outcome() == v1::OUTCOME_ACCEPTED ? Verdict::Kind::Accepted
                                                             : Verdict::Kind::Duplicate,
                    {}};
        }
        default:
            return error(fmt::format("outcome {} is not ACCEPTED, DUPLICATE or REJECTED",
                                     static_cast<int>(result.outcome())));
    }
}

}  // namespace btt::load
