// The compact in-memory channel of intake's shards (see intake_internal.h).
#include <algorithm>
#include <stdexcept>

#include "intake_internal.h"

namespace btt::node {

ChannelEntry::ChannelEntry(const channels::Channel& c, std::uint16_t token_index)
    : payer(c.payer),
      payee(c.payee),
      token(token_index),
      state(c.state),
      durable_state(c.state),
      cause(c.close_cause),
      durable_cause(c.close_cause),
      durable_signature(c.accepted_signature),
      deposit(c.deposit),
      accepted(c.accepted),
      durable(c.accepted),
      opened_at(c.opened_at),
      expiry(c.expiry),
      settle_at(c.settle_at),
      durable_settle_at(c.settle_at) {}

channels::Channel ChannelEntry::view(const channels::ChannelId& id,
                                     const std::string& token_id) const {
    channels::Channel c;
    c.id = id;
    c.payer = payer;
    c.payee = payee;
    c.token_id = token_id;
    c.deposit = deposit;
    c.opened_at = opened_at;
    c.expiry = expiry;
    c.state = state;
    c.accepted = accepted;
    // The speculative amount's signature is not kept: the rules never read it, and the
    // durable one belongs to another amount once proofs are pending.
    if (accepted == durable)
        c.accepted_signature = durable_signature;
    c.settle_at = settle_at;
    c.close_cause = cause;
    return c;
}

channels::Channel ChannelEntry::durable_view(const channels::ChannelId& id,
                                             const std::string& token_id) const {
    auto c = view(id, token_id);
    c.accepted = durable;
    c.accepted_signature = durable_signature;
    c.state = durable_state;
    c.settle_at = durable_settle_at;
    c.close_cause = durable_cause;
    return c;
}

void ChannelEntry::take(const channels::Channel& moved) {
    deposit = moved.deposit;
    state = moved.state;
    accepted = moved.accepted;
    settle_at = moved.settle_at;
    cause = moved.close_cause;
}

void ChannelEntry::roll_back() {
    accepted = durable;
    state = durable_state;
    settle_at = durable_settle_at;
    cause = durable_cause;
    pending = 0;
}

std::uint16_t Intake::Shard::intern(const std::string& token_id) {
    const auto it = std::find(tokens.begin(), tokens.end(), token_id);
    if (it != tokens.end())
        return static_cast<std::uint16_t>(it - tokens.begin());
    // A node settles one token; the watcher opens channels of that token only. Far more
    // would be a bug upstream, not a reason to grow the entry.
    if (tokens.size() >= 0xffff)
        throw std::logic_error("intake: too many distinct token ids");
    tokens.push_back(token_id);
    return static_cast<std::uint16_t>(tokens.size() - 1);
}

void Intake::Shard::add(const channels::Channel& c) {
    if (channels.find(c.id) == channels.end())
        channels.emplace(c.id, ChannelEntry(c, intern(c.token_id)));
}

void Intake::Shard::replace(const channels::Channel& c) {
    const auto it = channels.find(c.id);
    if (it != channels.end())
        it->second = ChannelEntry(c, intern(c.token_id));
}

}  // namespace btt::node
