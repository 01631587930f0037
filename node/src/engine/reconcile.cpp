// Escrow reconciliation (see reconcile.h).
#include <btt/node/engine/reconcile.h>

#include <optional>
#include <thread>

#include <fmt/format.h>

#include <btt/tron/client/tron_client.h>

namespace btt::node {

namespace {

using K = ReconcileError::Kind;

struct BalanceAt {
    std::int64_t height = 0;
    std::int64_t balance = 0;
};

// The escrow's solidified balance and the height it is at: the head read before and after
// the balance must agree (a few tries), or the balance could belong to either; nullopt
// when the head moved every time.
Expected<std::optional<BalanceAt>, ReconcileError> balance_at_one_height(tron::client::TronClient& chain,
                                                          const tron::TronAddress& escrow,
                                                          const std::string& token_id) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        const auto before = chain.solid_head();
        if (!before)
            return unexpected(ReconcileError{K::Chain, before.error().message});
        const auto account = chain.account(escrow, /*solidified=*/true);
        if (!account)
            return unexpected(ReconcileError{K::Chain, account.error().message});
        const auto after = chain.solid_head();
        if (!after)
            return unexpected(ReconcileError{K::Chain, after.error().message});
        if (before->number == after->number) {
            const auto it = account->tokens.find(token_id);
            return std::optional<BalanceAt>(
                BalanceAt{before->number, it == account->tokens.end() ? 0 : it->second});
        }
    }
    return std::optional<BalanceAt>();
}

}  // namespace

Expected<Reconciliation, ReconcileError> reconcile(SettlementStore& store,
                                                   tron::client::TronClient& chain,
                                                   const tron::TronAddress& escrow,
                                                   const std::string& token_id,
                                                   const ReconcileWait& wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait.within;
    const auto may_wait = [&] {
        return std::chrono::steady_clock::now() + wait.step <= deadline &&
               !(wait.stop && wait.stop());
    };
    while (true) {
        const auto looked = balance_at_one_height(chain, escrow, token_id);
        if (!looked)
            return unexpected(looked.error());
        if (!*looked) {
            if (may_wait()) {
                std::this_thread::sleep_for(wait.step);
                continue;
            }
            return unexpected(ReconcileError{K::Chain, "the solidified head kept moving"});
        }
        const BalanceAt* at = &**looked;
        const auto l = store.liabilities(at->height, token_id);
        if (!l)
            return unexpected(ReconcileError{K::Store, l.error().message()});
        if (l->cursor < at->height) {
            if (may_wait()) {
                std::this_thread::sleep_for(wait.step);
                continue;
            }
            std::string gap = fmt::format("the watcher is at block {}, the solidified head at {}",
                                          l->cursor, at->height);
            if (wait.within.count() > 0)
                gap += fmt::format(" after waiting {} ms", wait.within.count());
            return unexpected(ReconcileError{K::WatcherBehind, std::move(gap)});
        }
        Reconciliation r;
        r.height = at->height;
        channels::Total paid = l->paid;
        // Signed payouts not yet marked confirmed may already be on the solidified chain.
        for (const auto& a : l->unconfirmed) {
            const auto inclusion = chain.solid_inclusion(a.txid.bytes());
            if (!inclusion)
                return unexpected(ReconcileError{K::Chain, inclusion.error().message});
            if (*inclusion && (*inclusion)->block_number <= r.height)
                paid.add(a.amount);
        }
        // In 128 bits (DESIGN §10): the report's int64 fields saturate, ok() does not.
        channels::Total balance;
        balance.add(channels::Amount::from_int64(at->balance).value_or(channels::Amount{}));
        const auto liabilities = l->incoming.minus(paid);
        const auto deficit = liabilities > balance ? liabilities.minus(balance) : channels::Total{};
        const auto surplus = balance > liabilities ? balance.minus(liabilities) : channels::Total{};
        r.balance = at->balance;
        r.liabilities = liabilities.saturated();
        r.deficit = deficit.saturated();
        r.surplus = surplus.saturated();
        r.in_deficit = !(deficit == channels::Total{});
        return r;
    }
}

}  // namespace btt::node
