// Escrow reconciliation (see reconcile.h).
#include <btt/node/engine/reconcile.h>

#include <btt/tron/client/tron_client.h>

namespace btt::node {

Expected<Reconciliation, ReconcileError> reconcile(SettlementStore& store,
                                                   tron::client::TronClient& chain,
                                                   const tron::TronAddress& escrow,
                                                   const std::string& token_id) {
    using K = ReconcileError::Kind;
    Reconciliation r;
    bool same_height = false;
    std::int64_t balance = 0;
    for (int attempt = 0; attempt < 5 && !same_height; ++attempt) {
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
            same_height = true;
            r.height = before->number;
            const auto it = account->tokens.find(token_id);
            balance = it == account->tokens.end() ? 0 : it->second;
        }
    }
    if (!same_height) {
        return unexpected(ReconcileError{K::Chain, "the solidified head kept moving"});
    }
    const auto l = store.liabilities(r.height, token_id);
    if (!l)
        return unexpected(ReconcileError{K::Store, l.error().message()});
    if (l->cursor < r.height) {
        return unexpected(ReconcileError{
            K::WatcherBehind, "the watcher is at block " + std::to_string(l->cursor) +
                                  ", the solidified head at " + std::to_string(r.height)});
    }
    std::int64_t paid = l->paid.value();
    // Signed payouts not yet marked confirmed may already be on the solidified chain.
    for (const auto& a : l->unconfirmed) {
        const auto inclusion = chain.solid_inclusion(a.txid.bytes());
        if (!inclusion)
            return unexpected(ReconcileError{K::Chain, inclusion.error().message});
        if (*inclusion && (*inclusion)->block_number <= r.height)
            paid += a.amount.value();
    }
    r.balance = balance;
    r.liabilities = l->incoming.value() - paid;
    r.deficit = r.liabilities > balance ? r.liabilities - balance : 0;
    r.surplus = balance > r.liabilities ? balance - r.liabilities : 0;
    return r;
}

}  // namespace btt::node
