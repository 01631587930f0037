#pragma once
// The rows node/ stores for conservation (conservation.h), built the way node/ builds them:
// channels as they stand, and for every settlement plan its splits (with the plan's fee
// rate), its payouts (numbered) and the unclaimed transfers it refunds. Tests then tamper
// with single rows and expect check_conservation to say exactly what is wrong.
#include <span>
#include <vector>

#include <btt/channels/conservation.h>
#include <btt/channels/settlement.h>

namespace btt::channels::test {

inline LedgerChannel ledger_channel(const Channel& c) {
    return LedgerChannel{c.id, c.payer, c.payee, c.token_id, c.deposit, c.accepted, c.state};
}

struct StoredLedger {
    std::vector<LedgerChannel> channels;
    std::vector<StoredSettlement> settlements;
    std::vector<StoredPayout> payouts;
    std::vector<StoredUnclaimed> unclaimed;
    std::uint64_t next_payout_id = 1;

    [[nodiscard]] Expected<std::map<std::string, Books>, ConservationError> check() const {
        return check_conservation(channels, settlements, payouts, unclaimed);
    }

    // Replaces the channel rows with `now` (states and deposits as they stand).
    void set_channels(std::span<const Channel> now) {
        channels.clear();
        for (const Channel& c : now)
            channels.push_back(ledger_channel(c));
    }

    // An unclaimed transfer, not yet refunded.
    void add_unclaimed(const UnclaimedRefund& u) {
        unclaimed.push_back(StoredUnclaimed{u.transfer, u.to, u.token_id, u.amount, false});
    }

    // Stores `plan`, made by plan_settlement(due, refunds, fee_bps); every refunded
    // transfer must already be stored (add_unclaimed) and is marked refund_planned.
    void record_plan(std::span<const Channel> due, std::span<const UnclaimedRefund> refunds,
                     const SettlementPlan& plan, std::uint32_t fee_bps) {
        for (std::size_t i = 0; i < plan.channels.size(); ++i) {
            const ChannelSettlement& s = plan.channels[i];
            settlements.push_back(StoredSettlement{s.channel, fee_bps, due[i].accepted, s.fee,
                                                   s.payee_amount, s.refund});
        }
        for (const PlannedPayout& p : plan.payouts) {
            StoredPayout row{next_payout_id++, p.recipient, p.token_id, p.amount, {}};
            for (const Contribution& c : p.contributions) {
                row.contributions.push_back(
                    StoredContribution{c.role, c.channel, c.transfer, c.amount});
            }
            payouts.push_back(std::move(row));
        }
        for (const UnclaimedRefund& r : refunds) {
            for (StoredUnclaimed& u : unclaimed) {
                if (u.transfer == r.transfer)
                    u.refund_planned = true;
            }
        }
    }

    // One plan over `all` (which includes the planned `due`), for short tests.
    static StoredLedger of(std::span<const Channel> all, std::span<const Channel> due,
                           const SettlementPlan& plan, std::uint32_t fee_bps,
                           std::span<const UnclaimedRefund> refunds = {}) {
        StoredLedger l;
        l.set_channels(all);
        for (const UnclaimedRefund& u : refunds)
            l.add_unclaimed(u);
        l.record_plan(due, refunds, plan, fee_bps);
        return l;
    }
};

}  // namespace btt::channels::test
