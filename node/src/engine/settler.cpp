// The settlement engine (see settler.h).
#include <btt/node/engine/settler.h>

#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

#include <btt/base/hex.h>
#include <btt/node/engine/intake.h>
#include <btt/tron/client/tron_client.h>
#include <btt/tron/transaction.h>

namespace btt::node {

namespace {

// Below this the escrow cannot be trusted to pay a transfer's bandwidth once its free
// allowance is used up (a TransferAsset burns about 0.3 TRX then); payouts wait.
constexpr std::int64_t kMinTrxForPayoutSun = 1'000'000;
// How long one round waits for intake to commit the closes it asked for.
constexpr auto kClosePaidDeadline = std::chrono::seconds(10);
constexpr auto kReconcileWait = std::chrono::milliseconds(500);

}  // namespace

void crash_point(const char* step) {
#ifdef BTT_TEST_HOOKS
    static const char* const target = std::getenv("BTT_TEST_CRASH_AT");
    if (target != nullptr && std::string_view(target) == step) {
        spdlog::default_logger()->flush();
        std::abort();
    }
#else
    (void)step;  // a production build: no environment variable stops the node mid-payout
#endif
}

Settler::Settler(SettlerOptions options, tron::client::TronClient& chain, Intake& intake,
                 tron::PrivateKey escrow_key)
    : m_options(std::move(options)),
      m_chain(chain),
      m_intake(intake),
      m_key(std::move(escrow_key)) {}

Settler::~Settler() {
    stop();
}

void Settler::start() {
    m_store = std::make_unique<SettlementStore>(m_options.database_url);
    m_thread = std::thread([this] { loop(); });
}

void Settler::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool Settler::wait(std::chrono::milliseconds d) {
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, d, [&] { return m_stopping || m_retry; });
    if (m_retry) {
        m_retry = false;
        m_last_broadcast.clear();  // only this thread reads it: resend live attempts now
    }
    return !m_stopping;
}

void Settler::retry_now() {
    {
        std::lock_guard lock(m_mutex);
        m_retry = true;
    }
    m_wake.notify_all();
}

void Settler::loop() {
    auto next_window = std::chrono::steady_clock::now();
    do {
        try {
            if (std::chrono::steady_clock::now() >= next_window) {
                window();
                next_window = std::chrono::steady_clock::now() + m_options.rules.settlement_window;
            }
            drive_live();
            sign_due();
            close_paid();
        } catch (const std::exception& e) {
            // A bug or a broken answer: log it and try again next poll; money only moves
            // through the stored outbox, so a retry can never pay twice.
            spdlog::error("settlement: {}", e.what());
        }
    } while (wait(m_options.poll));
}

std::string SettlerStatus::held_because() const {
    if (!books_judged)
        return "the books have not been checked since the node started";
    if (!conservation_ok)
        return "the books do not balance";
    if (!reserves_judged)
        return "no reconciliation has been judged since the node started";
    if (!reconciled_ok)
        return "the escrow holds less than it owes";
    if (!funded)
        return "the escrow lacks TRX or tokens";
    return {};
}

void Settler::report() {
    if (m_options.metrics == nullptr)
        return;
    m_options.metrics->payouts_blocked(!m_status.held_because().empty());
    if (const auto counts = m_store->counts()) {
        m_options.metrics->open_channels(counts->open_channels);
        m_options.metrics->payouts_by_state(counts->planned, counts->signed_, counts->confirmed);
    }
}

void Settler::window() {
    // Plan first, then move what became due: the moves commit through intake within
    // milliseconds, so everything that fell due together is planned together next window.
    plan();
    m_intake.advance_time();
    check_books();
    check_reserves();
    report();
}

void Settler::plan() {
    const auto chans = m_store->settling_unplanned();
    const auto refunds = m_store->unclaimed_unplanned();
    if (!chans || !refunds) {
        spdlog::warn("settlement: cannot read what is due: {}",
                     (!chans ? chans.error() : refunds.error()).message());
        return;
    }
    if (chans->empty() && refunds->empty())
        return;
    const auto planned = channels::plan_settlement(*chans, *refunds, m_options.rules.fee_bps);
    if (!planned) {
        spdlog::critical("settlement: cannot plan: {}", channels::error_token(planned.error()));
        return;
    }
    const auto batch = m_store->store_plan(*planned, *chans, m_options.rules.fee_bps);
    if (!batch) {
        spdlog::warn("settlement: plan not stored: {}", batch.error().message());
        return;
    }
    crash_point("after_plan");
    spdlog::info("settlement: batch {}: {} channel(s), {} unclaimed refund(s) in {} payout(s)",
                 *batch, chans->size(), refunds->size(), planned->payouts.size());
}

void Settler::check_books() {
    const auto ledger = m_store->ledger();
    if (!ledger) {
        spdlog::warn("settlement: books not readable: {}", ledger.error().message());
        return;
    }
    const auto books = channels::check_conservation(ledger->channels, ledger->settlements,
                                                    ledger->payouts, ledger->unclaimed);
    if (!books) {
        const auto why = books.error().message();
        if (why != m_books_error) {
            spdlog::critical("settlement: conservation check failed, payouts stopped: {}", why);
        }
        m_books_error = why;
        m_status.conservation_ok = false;
        m_status.books_judged = true;
        if (m_options.metrics != nullptr)
            m_options.metrics->conservation_ok(false);
        return;
    }
    if (!m_books_error.empty())
        spdlog::info("settlement: conservation holds again; payouts resume");
    m_books_error.clear();
    m_status.conservation_ok = true;
    m_status.books_judged = true;
    if (m_options.metrics != nullptr)
        m_options.metrics->conservation_ok(true);
}

void Settler::check_reserves() {
    // The watcher trails a moving solidified head by a block or so: a short wait lets most
    // windows judge (a deficit then clears without waiting a window more); shutdown ends it.
    ReconcileWait wait;
    wait.within = kReconcileWait;
    wait.stop = [this] {
        std::lock_guard lock(m_mutex);
        return m_stopping;
    };
    const auto r =
        reconcile(*m_store, m_chain, m_options.rules.escrow, m_options.rules.token_id, wait);
    if (!r) {
        // Still behind after the wait (blocks faster than the watcher's poll): the next
        // window judges, so no warning. Anything else an operator should see.
        if (r.error().kind == ReconcileError::Kind::WatcherBehind) {
            spdlog::debug("reconcile: not judged: {}", r.error().message);
        } else {
            spdlog::warn("reconcile: not judged: {}", r.error().message);
        }
        return;
    }
    m_status.deficit = r->deficit;
    m_status.surplus = r->surplus;
    const bool was_ok = m_status.reconciled_ok.load() || !m_status.reserves_judged.load();
    m_status.reconciled_ok = r->ok();
    m_status.reserves_judged = true;
    if (r->ok())
        m_status.reconciled_height = r->height;
    if (m_options.metrics != nullptr)
        m_options.metrics->reconciled(r->balance, r->liabilities, r->deficit, r->surplus);
    const auto line =
        fmt::format("reconcile: height {} balance {} liabilities {} deficit {} surplus {}",
                    r->height, r->balance, r->liabilities, r->deficit, r->surplus);
    if (!r->ok()) {
        spdlog::critical("{}: payouts stopped until a later reconciliation clears it", line);
    } else {
        spdlog::info("{}{}", line, was_ok ? "" : ": payouts resume");
    }
}

void Settler::sign_due() {
    if (!m_status.books_judged || !m_status.conservation_ok || !m_status.reserves_judged ||
        !m_status.reconciled_ok)
        return;
    auto due = m_store->payouts_to_sign();
    if (!due || due->empty())
        return;
    // Only what a reconciliation that held has covered: planned at or below its height.
    const std::int64_t covered = m_status.reconciled_height.load();
    std::erase_if(*due, [covered](const PayoutToSign& p) { return p.planned_height > covered; });
    if (due->empty())
        return;
    const auto account = m_chain.account(m_options.rules.escrow, /*solidified=*/false);
    const auto solid = m_chain.solid_head();
    const auto head = m_chain.head();
    if (!account || !solid || !head)
        return;  // the chain is unreachable: next poll
    std::map<std::string, std::int64_t> left = account->tokens;
    std::string short_of;  // the first payout that waits for funds, if any
    for (const auto& p : *due) {
        const auto have = left[p.token_id];
        if (account->trx < kMinTrxForPayoutSun || have < p.amount.value()) {
            short_of = fmt::format(
                "escrow holds {} sun and {} of token {}; payout {} needs {} and 1 TRX for "
                "bandwidth",
                account->trx, have, p.token_id, p.payout_id, p.amount.value());
            if (account->trx < kMinTrxForPayoutSun)
                break;  // nothing can be sent
            // Only this token waits (DESIGN §10): a refund in a token the escrow lacks
            // never holds the others' payouts.
            left[p.token_id] = -1;  // and no later payout of it jumps the queue
            continue;
        }
        left[p.token_id] = have - p.amount.value();
        tron::TransferSpec spec;
        spec.token_id = p.token_id;
        spec.owner = m_key.address();
        spec.to = p.recipient;
        spec.amount = p.amount.value();
        spec.tapos = tron::tapos_from_block(solid->number, solid->id);
        spec.timestamp_ms = head->timestamp;
        spec.expiration_ms =
            head->timestamp +
            std::chrono::duration_cast<std::chrono::milliseconds>(m_options.payout_expiration)
                .count();
        if (m_options.payout_memo)
            spec.memo = to_bytes(fmt::format("btt-channel:v1:settle:{}", p.batch_id));
        const auto built = tron::build_transfer(spec);
        if (!built) {
            spdlog::critical("settlement: payout {} cannot be built: {}", p.payout_id,
                             built.error().message());
            continue;
        }
        const tron::Signature sig[] = {tron::sign_transaction(m_key, built->txid)};
        const auto bytes = tron::signed_transaction_bytes(built->raw_data, sig);
        // The outbox: stored before the first broadcast, so a crash from here on resends
        // these very bytes and never signs a second transaction for this payout.
        const auto stored = m_store->store_attempt(p, channels::TxId(built->txid), bytes,
                                                   spec.expiration_ms, solid->number);
        if (!stored) {
            spdlog::warn("settlement: payout {} not signed: {}", p.payout_id,
                         stored.error().message());
            return;
        }
        ++m_status.attempts_signed;
        if (m_options.metrics != nullptr)
            m_options.metrics->payout_attempt("signed");
        crash_point("after_sign");
        spdlog::info("settlement: payout {} signed as {} (attempt {}): {} of {} to {}", p.payout_id,
                     to_hex(built->txid), p.attempts + 1, p.amount.value(), p.token_id,
                     p.recipient.to_base58());
    }
    if (!short_of.empty()) {
        if (short_of != m_fund_error)
            spdlog::error("settlement: payouts wait for funds: {}", short_of);
        m_fund_error = short_of;
        m_status.funded = false;
        return;
    }
    if (!m_fund_error.empty())
        spdlog::info("settlement: escrow funded again; payouts resume");
    m_fund_error.clear();
    m_status.funded = true;
}

void Settler::drive_live() {
    const auto live = m_store->live_attempts();
    if (!live) {
        note("live payouts not readable: " + live.error().message());
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    for (const auto& a : *live) {
        const auto fate = m_chain.fate(a.txid.bytes(), a.expiration_ms);
        if (!fate) {
            note("payout fate not known: " + fate.error().message);
            continue;  // not judged: next poll
        }
        switch (*fate) {
            case tron::TxFate::Included: {
                const auto where = m_chain.solid_inclusion(a.txid.bytes());
                if (!where || !*where)
                    break;
                const auto done = m_store->confirm_attempt(a.txid, (*where)->block_number);
                if (!done) {
                    note("payout " + std::to_string(a.payout_id) +
                         " not marked confirmed: " + done.error().message());
                    break;
                }
                crash_point("after_confirm");
                ++m_status.payouts_confirmed;
                if (m_options.metrics != nullptr)
                    m_options.metrics->payout_attempt("confirmed");
                m_last_broadcast.erase(a.txid);
                publish(a, "payout_confirmed");
                spdlog::info("settlement: payout {} confirmed in block {} ({})", a.payout_id,
                             (*where)->block_number, a.txid.to_hex());
                break;
            }
            case tron::TxFate::Dead: {
                // Proven dead: a solidified block past its expiration exists and it is in no
                // block up to it. Only now may the payout be signed again.
                if (m_store->kill_attempt(a.txid)) {
                    if (m_options.metrics != nullptr)
                        m_options.metrics->payout_attempt("dead");
                    m_last_broadcast.erase(a.txid);
                    spdlog::warn("settlement: payout {}: {} expired unseen; it will be signed anew",
                                 a.payout_id, a.txid.to_hex());
                }
                break;
            }
            case tron::TxFate::PendingOrUnknown: {
                const auto it = m_last_broadcast.find(a.txid);
                if (it != m_last_broadcast.end() && now - it->second < m_options.rebroadcast)
                    break;
                if (it == m_last_broadcast.end())
                    publish(a, "payout_broadcast");
                m_last_broadcast[a.txid] = now;
                const auto outcome = m_chain.broadcast(a.signed_tx);
                crash_point("after_broadcast");
                if (!outcome) {
                    spdlog::debug("settlement: payout {} broadcast: {}", a.payout_id,
                                  outcome.error().message);
                } else if (outcome->kind == tron::BroadcastClass::Final ||
                           outcome->kind == tron::BroadcastClass::Rebuild) {
                    // Never proof of absence: the fate check above decides.
                    spdlog::warn("settlement: payout {} broadcast answered {} {}", a.payout_id,
                                 outcome->code, outcome->message);
                }
                break;
            }
        }
    }
}

void Settler::note(const std::string& problem) {
    // One line per distinct problem, not one per poll.
    if (problem == m_last_problem)
        return;
    m_last_problem = problem;
    spdlog::warn("settlement: {}", problem);
}

void Settler::publish(const LiveAttempt& a, const char* kind) {
    if (m_options.events == nullptr || !m_options.events->anyone_watching())
        return;
    for (const auto& id : a.channels) {
        m_options.events->publish({id, kind, channels::ChannelState::Settling, a.amount.value(),
                                   a.txid.bytes(), unix_now()});
    }
}

void Settler::close_paid() {
    const auto paid = m_store->paid_settling_channels();
    if (!paid || paid->empty())
        return;
    // Intake commits each move on the channel's shard; wait for the answers (a commit takes
    // milliseconds) so one round never asks twice for a channel still being closed. A move
    // not committed (store down, deadline) is asked for again at the next poll.
    struct Answers {
        std::mutex mutex;
        std::condition_variable done;
        std::size_t pending = 0;
        std::vector<channels::ChannelId> closed;
    };
    auto answers = std::make_shared<Answers>();
    answers->pending = paid->size();
    for (const auto& id : *paid) {
        m_intake.close_paid(id, [answers, id](CloseReply reply) {
            std::lock_guard lock(answers->mutex);
            if (reply.outcome == CloseOutcome::Done)
                answers->closed.push_back(id);
            --answers->pending;
            answers->done.notify_all();
        });
    }
    std::vector<channels::ChannelId> closed;
    {
        std::unique_lock lock(answers->mutex);
        answers->done.wait_for(lock, kClosePaidDeadline, [&] { return answers->pending == 0; });
        closed = answers->closed;
    }
    if (closed.empty())
        return;
    // The `closed` events come from the commit itself (one publisher per state change).
    spdlog::info("settlement: {} channel(s) closed, every payout confirmed", closed.size());
}

}  // namespace btt::node
