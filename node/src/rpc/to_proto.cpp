// The conversions to the API's messages (see to_proto.h).
#include "to_proto.h"

#include <btt/channels/reject.h>

namespace btt::node {

namespace v1 = btt::channel::v1;

namespace {

std::string str(ByteView b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

v1::Outcome wire_outcome(channels::Outcome o) {
    switch (o) {
        case channels::Outcome::Accepted:
            return v1::OUTCOME_ACCEPTED;
        case channels::Outcome::Duplicate:
            return v1::OUTCOME_DUPLICATE;
        case channels::Outcome::Rejected:
            return v1::OUTCOME_REJECTED;
    }
    return v1::OUTCOME_UNSPECIFIED;
}

}  // namespace

v1::ChannelState wire_state(channels::ChannelState s) {
    switch (s) {
        case channels::ChannelState::Open:
            return v1::CHANNEL_STATE_OPEN;
        case channels::ChannelState::Closing:
            return v1::CHANNEL_STATE_CLOSING;
        case channels::ChannelState::Settling:
            return v1::CHANNEL_STATE_SETTLING;
        case channels::ChannelState::Closed:
            return v1::CHANNEL_STATE_CLOSED;
    }
    return v1::CHANNEL_STATE_UNSPECIFIED;
}

void to_proto(const ProofReply& reply, v1::ProofResult& out) {
    out.Clear();
    out.set_request_id(reply.request_id);
    out.set_outcome(wire_outcome(reply.outcome));
    out.set_accepted(reply.accepted);
    if (reply.outcome == channels::Outcome::Rejected) {
        out.set_reason(static_cast<std::uint32_t>(reply.reason));
        out.set_reason_token(std::string(channels::token_of(reply.reason)));
        return;
    }
    if (!reply.batch)
        return;
    auto* r = out.mutable_receipt();
    const auto& h = reply.batch->header;
    r->set_batch_seq(h.seq);
    r->set_prev_batch_hash(str(h.prev_hash));
    r->set_leaf_count(h.leaf_count);
    r->set_root(str(h.root));
    r->set_batch_signature(str(reply.batch->signature));
    r->set_leaf_index(reply.leaf_index);
    for (const auto& p : reply.batch->tree.audit_path(reply.leaf_index))
        r->add_path(str(p));
    r->set_amount(reply.amount);
}

void to_proto(const channels::Channel& c, v1::ChannelInfo& out) {
    out.set_channel_id(str(c.id.bytes()));
    out.set_payer(c.payer.to_base58());
    out.set_payee(c.payee.to_base58());
    out.set_token_id(c.token_id);
    out.set_deposit(c.deposit.value());
    out.set_accepted(c.accepted.value());
    if (c.accepted_signature)
        out.set_accepted_signature(str(*c.accepted_signature));
    out.set_state(wire_state(c.state));
    out.set_opened_at(c.opened_at.value);
    out.set_expiry(c.expiry.value);
    if (c.settle_at)
        out.set_settle_at(c.settle_at->value);
    if (c.close_cause)
        out.set_close_cause(channels::cause_token(*c.close_cause));
}

void to_proto(const PayoutRow& row, v1::PayoutInfo& out) {
    out.set_payout_id(row.payout_id);
    out.set_batch_id(row.batch_id);
    out.set_recipient(row.recipient);
    out.set_token_id(row.token_id);
    out.set_amount(row.amount);
    out.set_state(static_cast<v1::PayoutState>(row.state));
    out.set_txid(row.txid);
    out.set_block(row.block);
    for (const auto& a : row.attempts) {
        auto* p = out.add_attempts();
        p->set_txid(a.txid);
        p->set_attempt(a.attempt);
        p->set_state(static_cast<v1::AttemptState>(a.state));
        p->set_block(a.block);
        p->set_signed_at(a.signed_at);
        p->set_expiration(a.expiration);
    }
    for (const auto& c : row.contributions) {
        auto* p = out.add_contributions();
        p->set_role(c.role);
        p->set_channel_id(c.channel_id);
        p->set_transfer_txid(c.transfer_txid);
        p->set_amount(c.amount);
    }
}

void to_proto(const SettlementBatchRow& row, v1::SettlementBatchInfo& out) {
    out.set_batch_id(row.batch_id);
    out.set_fee_bps(row.fee_bps);
    out.set_planned_at(row.planned_at);
    out.set_channels(row.channels);
    for (const auto& p : row.payouts)
        to_proto(p, *out.add_payouts());
}

void to_proto(const SettlementRow& row, v1::SettlementRecord& out) {
    out.set_channel_id(row.channel_id);
    out.set_batch_id(row.batch_id);
    out.set_fee_bps(row.fee_bps);
    out.set_deposit(row.deposit);
    out.set_accepted(row.accepted);
    out.set_fee(row.fee);
    out.set_payee_amount(row.payee_amount);
    out.set_refund(row.refund);
    out.set_planned_at(row.planned_at);
}

void to_proto(const ChannelHistoryRows& rows, v1::ChannelHistory& out) {
    to_proto(rows.channel, *out.mutable_channel());
    for (const auto& d : rows.deposits) {
        auto* p = out.add_deposits();
        p->set_txid(d.txid);
        p->set_from(d.from);
        p->set_amount(d.amount);
        p->set_token_id(d.token_id);
        p->set_block(d.block);
        p->set_block_time(d.block_time);
        p->set_memo(d.memo);
        p->set_outcome(d.outcome);
        if (!d.unclaimed_reason.empty())
            p->set_unclaimed_reason(d.unclaimed_reason);
    }
    for (const auto& r : rows.proofs) {
        auto* p = out.add_proofs();
        p->set_amount(r.amount);
        p->set_signature(r.signature);
        p->set_received_at_us(r.received_at_us);
        p->set_received_at(r.received_at_us / 1'000'000);
        p->set_batch_seq(r.batch_seq);
        p->set_leaf_index(r.leaf_index);
    }
    if (rows.close) {
        out.mutable_close()->set_party(rows.close->party);
        out.mutable_close()->set_signature(rows.close->signature);
        out.mutable_close()->set_at(rows.close->at);
    }
    if (rows.settlement)
        to_proto(*rows.settlement, *out.mutable_settlement());
    for (const auto& p : rows.payouts)
        to_proto(p, *out.add_payouts());
}

void to_proto(const ReceiptBatchRow& row, v1::ReceiptBatchHeader& out) {
    out.set_seq(row.seq);
    out.set_prev_hash(row.prev_hash);
    out.set_leaf_count(row.leaf_count);
    out.set_root(row.root);
    out.set_signature(row.signature);
    out.set_batch_hash(row.batch_hash);
    out.set_committed_at(row.committed_at);
}

}  // namespace btt::node
