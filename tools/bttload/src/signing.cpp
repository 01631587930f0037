#include <btt/load/signing.h>

#include <algorithm>

#include <btt/load/parallel.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::load {

ProofPlan plan_proofs(const Fleet& fleet, std::size_t streams, std::uint64_t step,
                      std::uint64_t budget) {
    ProofPlan plan;
    const auto n = fleet.channels.size();
    plan.streams.resize(std::max<std::size_t>(1, std::min(streams, n)));
    const auto stream_count = plan.streams.size();

    // Proofs each channel can still carry under its deposit.
    struct Active {
        std::uint32_t channel;
        std::uint64_t left;
        std::uint64_t next_amount;
    };
    std::vector<Active> active;
    active.reserve(n);
    for (std::size_t c = 0; c < n; ++c) {
        const auto& ch = fleet.channels[c];
        const auto room = ch.deposit > ch.last_sent ? (ch.deposit - ch.last_sent) / step : 0;
        if (room == 0) {
            ++plan.channels_at_deposit;
            continue;
        }
        active.push_back({static_cast<std::uint32_t>(c), room, ch.last_sent + step});
    }
    std::uint64_t room_total = 0;
    for (const auto& a : active)
        room_total += a.left;
    const auto expected = std::min(budget, room_total);
    for (auto& s : plan.streams)
        s.reserve(static_cast<std::size_t>(expected / stream_count + 1));
    // Round-robin: one proof per active channel per round, until the budget is spent.
    while (plan.total < budget && !active.empty()) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < active.size(); ++i) {
            auto a = active[i];
            if (plan.total < budget) {
                plan.streams[a.channel % stream_count].push_back({a.next_amount, a.channel, {}});
                ++plan.total;
                a.next_amount += step;
                --a.left;
                if (a.left == 0) {
                    ++plan.channels_at_deposit;
                    continue;
                }
            }
            active[kept++] = a;
        }
        active.resize(kept);
    }
    return plan;
}

void sign_plan(ProofPlan& plan, const Fleet& fleet, unsigned threads) {
    std::vector<SignedProof*> all;
    all.reserve(plan.total);
    for (auto& s : plan.streams) {
        for (auto& p : s)
            all.push_back(&p);
    }
    parallel_for(all.size(), threads, 1024, [&](std::size_t i) {
        auto& p = *all[i];
        const auto& ch = fleet.channels[p.channel];
        p.signature = tron::sign_message_v2(fleet.payers[ch.payer],
                                            tron::balance_proof_message(ch.id.bytes(), p.amount));
    });
}

}  // namespace btt::load
