#include <btt/torrent/channel_opener.h>

#include <algorithm>
#include <thread>

#include <btt/torrent/log.h>
#include <btt/tron/client/tron_client.h>
#include <btt/tron/transaction.h>

namespace btt::torrent {

namespace v1 = btt::channel::v1;

namespace {

constexpr std::int64_t kDefaultHorizonS = 86'400;
constexpr std::int64_t kLandingMarginS = 60;  // head time -> the block that carries the open
constexpr std::int64_t kExpirationMs = 60'000;

OpenError unreachable(std::string m) {
    return {true, std::move(m)};
}
OpenError refused(std::string m) {
    return {false, std::move(m)};
}

Expected<v1::ChannelInfo, OpenError> get_channel(v1::ChannelService::Stub& node,
                                                 const channels::ChannelId& id) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetChannelRequest req;
    req.set_channel_id(std::string(id.bytes().begin(), id.bytes().end()));
    v1::ChannelInfo info;
    const auto status = node.GetChannel(&ctx, req, &info);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND)
        return unexpected(refused("not found"));
    if (!status.ok())
        return unexpected(unreachable("GetChannel: " + status.error_message()));
    return info;
}

}  // namespace

Expected<OpenedChannel, OpenError> reuse_channel(v1::ChannelService::Stub& node,
                                                 const channels::ChannelId& id,
                                                 const tron::TronAddress& payer,
                                                 const tron::TronAddress& payee) {
    auto info = get_channel(node, id);
    if (!info)
        return unexpected(OpenError{info.error().is_unreachable,
                                    "channel " + id.to_hex() + ": " + info.error().message});
    if (info->payer() != payer.to_base58() || info->payee() != payee.to_base58())
        return unexpected(refused("channel " + id.to_hex() + " is " + info->payer() + " -> " +
                                  info->payee() + ", not ours to this seller"));
    if (info->state() != v1::CHANNEL_STATE_OPEN)
        return unexpected(
            refused("channel " + id.to_hex() + " is " + v1::ChannelState_Name(info->state())));
    return OpenedChannel{id, static_cast<std::uint64_t>(info->deposit()),
                         static_cast<std::uint64_t>(std::max<std::int64_t>(0, info->accepted()))};
}

Expected<OpenedChannel, OpenError> open_channel(v1::ChannelService::Stub& node,
                                                const v1::NodeInfo& info,
                                                const OpenRequest& request, std::ostream& log) {
    const auto escrow = tron::TronAddress::from_base58(info.escrow_address());
    if (!escrow)
        return unexpected(refused("the node's escrow address is malformed"));
    const std::int64_t deposit = request.deposit != 0 ? request.deposit : info.min_deposit();
    if (deposit < info.min_deposit() || deposit <= 0)
        return unexpected(refused("--deposit " + std::to_string(deposit) +
                                  " is under the node's min_deposit " +
                                  std::to_string(info.min_deposit())));
    const auto lo = info.min_expiry_horizon_s() + kLandingMarginS;
    const auto hi = info.max_expiry_horizon_s();
    const auto horizon = request.expiry_s != 0 ? request.expiry_s
                                               : std::clamp(kDefaultHorizonS, lo, std::max(lo, hi));
    if (horizon < lo || horizon > hi)
        return unexpected(
            refused("expiry " + std::to_string(horizon) + " s is outside the node's horizon"));

    tron::client::ClientOptions co;
    co.full_node = {request.tron, false, ""};
    co.solidity = {request.tron, false, ""};
    co.backoff.max_attempts = 4;
    tron::client::TronClient chain(co);
    const auto head = chain.head();
    if (!head)
        return unexpected(unreachable("Tron node " + request.tron + ": " + head.error().message));
    const std::int64_t expiry = head->timestamp / 1000 + horizon;
    const auto memo =
        "btt-channel:v1:open:" + request.payee.to_base58() + ":" + std::to_string(expiry);
    const auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    const auto built =
        tron::build_transfer({info.token_id(), request.payer->address(), *escrow, deposit,
                              tron::tapos_from_block(head->number, head->id),
                              head->timestamp + kExpirationMs, wall_ms, to_bytes(memo)});
    if (!built)
        return unexpected(refused("funding transfer: " + built.error().message()));
    const tron::Signature sig[] = {tron::sign_transaction(*request.payer, built->txid)};
    const auto outcome = chain.broadcast(tron::signed_transaction_bytes(built->raw_data, sig));
    if (!outcome)
        return unexpected(unreachable("broadcast: " + outcome.error().message + " (maybe sent)"));
    if (outcome->kind != tron::BroadcastClass::Accepted &&
        outcome->kind != tron::BroadcastClass::AlreadyKnown) {
        return unexpected(refused("funding transfer refused: " + outcome->message));
    }
    const channels::ChannelId id(built->txid);
    log_line(log, "opened channel " + id.to_hex() + " (deposit " + std::to_string(deposit) +
                      ") to " + request.payee.to_base58() + "; waiting for the node");
    const auto deadline = std::chrono::steady_clock::now() + request.open_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto c = get_channel(node, id);
        if (c && c->state() == v1::CHANNEL_STATE_OPEN)
            return OpenedChannel{id, static_cast<std::uint64_t>(c->deposit()), 0};
        if (c)
            return unexpected(
                refused("channel " + id.to_hex() + " is " + v1::ChannelState_Name(c->state())));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return unexpected(unreachable("channel " + id.to_hex() + " not OPEN after " +
                                  std::to_string(request.open_timeout.count()) + " s"));
}

}  // namespace btt::torrent
