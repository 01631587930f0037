#include <btt/load/run.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include <btt/load/attack.h>
#include <btt/load/channels_file.h>
#include <btt/load/funding.h>
#include <btt/load/node_api.h>
#include <btt/load/options.h>
#include <btt/load/parallel.h>
#include <btt/load/proc_cpu.h>
#include <btt/load/receipt_checker.h>
#include <btt/load/signing.h>
#include <btt/load/streaming.h>
#include <btt/load/summary.h>
#include <btt/tron/io/random.h>

namespace btt::load {

namespace {

// Proofs signed for a duration-bound, unpaced run: above what one node is expected to
// answer per second (issue 10 asks 20,000/s); the run says so if they end first.
constexpr double kUnpacedPresignPerSecond = 40'000;

int fail(const RunError& e) {
    std::cerr << "bttload: " << e.message << "\n";
    return static_cast<int>(e.code);
}

std::uint64_t presign_budget(const Options& o) {
    std::uint64_t budget = 0;
    if (o.presign != 0) {
        budget = o.presign;
    } else if (o.proofs != 0) {
        budget = o.proofs;
    } else if (o.rate > 0) {
        // A little over rate x duration, plus what the windows can hold at the stop.
        budget = static_cast<std::uint64_t>(std::ceil(o.rate * o.duration_s * 1.02)) +
                 o.window * o.streams;
    } else {
        budget = static_cast<std::uint64_t>(std::ceil(kUnpacedPresignPerSecond * o.duration_s));
    }
    if (o.proofs != 0)
        budget = std::min(budget, o.proofs);
    return budget;
}

Expected<void, RunError> write_fleet(const Options& o, const Fleet& fleet) {
    if (o.write_channels.empty())
        return {};
    if (auto w = write_channels_file(o.write_channels, fleet); !w)
        return unexpected(RunError{ExitCode::Errors, w.error()});
    std::cerr << fmt::format(
        "bttload: wrote {} channels WITH THEIR PAYERS' PRIVATE KEYS to {} (mode 0600)\n",
        fleet.channels.size(), o.write_channels);
    return {};
}

// Opens (or reads) the channels and waits until the node has them all OPEN.
Expected<Fleet, RunError> prepare_fleet(const Options& o, const btt::channel::v1::NodeInfo& info,
                                        NodeApi& api) {
    Fleet fleet;
    if (o.is_reuse()) {
        auto read = read_channels_file(o.channels_file);
        if (!read)
            return unexpected(RunError{ExitCode::Usage, read.error()});
        fleet = std::move(read).value();
    } else {
        auto payers = load_payers(o);
        if (!payers)
            return unexpected(payers.error());
        const auto payees = load_payees(o);
        if (!payees)
            return unexpected(payees.error());
        fleet.payers = std::move(payers).value();
        const auto opened = open_channels(o, info, *payees, fleet, std::cerr);
        // Written before anything else can fail: the deposits are on chain now.
        if (!fleet.channels.empty()) {
            if (auto w = write_fleet(o, fleet); !w)
                return unexpected(w.error());
        }
        if (!opened)
            return unexpected(opened.error());
    }
    if (auto ready = api.await_channels(fleet, o.open_timeout_s, std::cerr); !ready)
        return unexpected(ready.error());
    return fleet;
}

class ProgressPrinter {
public:
    explicit ProgressPrinter(bool tty) : m_tty(tty), m_interval(tty ? 1.0 : 5.0) {}

    void operator()(double elapsed, const LiveCounts& now) {
        if (elapsed < m_last + m_interval)
            return;
        const auto line = progress_line(elapsed, now, m_before, elapsed - m_last);
        if (m_tty) {
            std::cerr << "\r" << line << "\x1b[K" << std::flush;
            m_printed = true;
        } else {
            std::cerr << "bttload: " << line << "\n" << std::flush;
        }
        m_last = elapsed;
        m_before = now;
    }
    void finish() {
        if (m_tty && m_printed)
            std::cerr << "\n";
    }

private:
    bool m_tty;
    double m_interval;
    double m_last = 0;
    LiveCounts m_before;
    bool m_printed = false;
};

struct Phase {
    StreamResults results;
    std::optional<double> node_cpu_s, pg_cpu_s, client_cpu_s;
    std::optional<long long> node_rss_max_bytes;
};

// A timed phase's summary; `notes` are the run's so far (each phase says what it saw).
Summary summarize(const Options& o, const Phase& p, const ReceiptChecker& receipts,
                  std::size_t channels, const std::vector<std::string>& notes) {
    auto s = make_summary(p.results, receipts.totals());
    s.channels = channels;
    s.window = o.window;
    s.rate = o.rate;
    s.node_cpu_s = p.node_cpu_s;
    s.pg_cpu_s = p.pg_cpu_s;
    s.client_cpu_s = p.client_cpu_s;
    s.node_rss_max_bytes = p.node_rss_max_bytes;
    s.notes = notes;
    if (o.node_pid && !p.node_cpu_s)
        s.notes.push_back(fmt::format("cannot read /proc/{}/stat: no node_cpu_s", *o.node_pid));
    if (!o.pg_pids.empty() && !p.pg_cpu_s)
        s.notes.push_back("cannot read the --pg-pids from /proc: no pg_cpu_s");
    if (p.results.unreachable)
        s.notes.push_back("the node could not be reached: no stream got an answer");
    if (p.results.stalled) {
        s.notes.push_back(
            fmt::format("the node answered nothing for {} s (--drain-timeout-s): the streams were "
                        "cancelled",
                        o.drain_timeout_s));
    }
    return s;
}

// --attack's phases: the first gets half of each stream's proofs when the run is bound by
// --proofs (all of them when bound by time: it stops at --duration-s), the second what
// the first did not send, in order, so amounts keep rising per channel.
ProofPlan first_phase(const ProofPlan& plan, bool by_count) {
    if (!by_count)
        return plan;
    ProofPlan out;
    for (const auto& s : plan.streams) {
        out.streams.emplace_back(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2));
        out.total += out.streams.back().size();
    }
    return out;
}

ProofPlan rest_of(const ProofPlan& plan, const std::vector<std::uint64_t>& started) {
    ProofPlan out;
    for (std::size_t i = 0; i < plan.streams.size(); ++i) {
        const auto& s = plan.streams[i];
        const auto from = std::min<std::size_t>(i < started.size() ? started[i] : 0, s.size());
        out.streams.emplace_back(s.begin() + static_cast<std::ptrdiff_t>(from), s.end());
        out.total += out.streams.back().size();
    }
    return out;
}

nlohmann::json attack_json(const Options& o, const AttackResults& a) {
    return {{"kind", attack_name(o.attack)}, {"streams", o.attack_streams},
            {"window", o.attack_window},     {"connections", o.attack_connections},
            {"sent", a.sent},                {"opened", a.opened},
            {"answers", a.answers},          {"ended", a.ended}};
}

std::string attack_text(const Options& o, const AttackResults& a) {
    std::string out = fmt::format("attacker ({}): sent {}, streams or calls opened {}\n",
                                  attack_name(o.attack), a.sent, a.opened);
    for (const auto& [name, n] : a.answers)
        out += fmt::format("  answer {:<22} {}\n", name, n);
    for (const auto& [name, n] : a.ended)
        out += fmt::format("  ended  {:<22} {}\n", name, n);
    return out;
}

int run_checked(int argc, const char* const* argv) {
    auto parsed = parse_options(argc, argv);
    if (!parsed) {
        if (parsed.error().code == ExitCode::Ok) {
            std::cout << parsed.error().text;
            return 0;
        }
        std::cerr << "bttload: " << parsed.error().text << "\n(see bttload --help)\n";
        return static_cast<int>(parsed.error().code);
    }
    const Options& o = *parsed;
    // Blind libsecp256k1's context once, before any thread signs (issue 3).
    tron::io::randomize_signing_context();

    NodeApi api(o);
    const auto info = api.node_info();
    if (!info)
        return fail(info.error());
    const auto receipt_address = tron::TronAddress::from_base58(info->receipt_address());
    if (!receipt_address) {
        return fail({ExitCode::Errors,
                     fmt::format("the node's receipt_address '{}': {}", info->receipt_address(),
                                 receipt_address.error().message())});
    }

    auto fleet = prepare_fleet(o, *info, api);
    if (!fleet)
        return fail(fleet.error());

    std::vector<std::string> notes;
    // --attack: the replay attacker's channel is the fleet's last, left out of the honest
    // plan; the others aim at the honest channels.
    const bool attacking = o.attack != AttackKind::None;
    std::optional<std::size_t> victim;
    if (o.attack == AttackKind::Replay && fleet->channels.size() >= 2)
        victim = fleet->channels.size() - 1;
    Attacker attacker(o, *fleet, victim);
    if (attacking) {
        if (auto ready = attacker.prepare(); !ready)
            return fail(ready.error());
        if (const auto amount = attacker.replayed_amount())
            fleet->channels[*victim].last_sent = *amount;
    }
    auto budget = presign_budget(o);
    if (attacking && o.proofs == 0)
        budget *= 2;  // two timed phases
    Fleet planned;  // the honest channels (plan_proofs reads channels only)
    planned.channels = fleet->channels;
    if (victim)
        planned.channels.pop_back();
    auto plan = plan_proofs(planned, o.streams, o.step, budget);
    if (plan.total == 0) {
        return fail({ExitCode::Errors,
                     "no proof fits: every channel is at its deposit (open new channels)"});
    }
    if (plan.channels_at_deposit > 0) {
        notes.push_back(fmt::format("{} channels reached their deposit: their proofs stop there",
                                    plan.channels_at_deposit));
    }
    if (plan.total < budget) {
        notes.push_back(
            fmt::format("the deposits hold {} proofs of the {} asked", plan.total, budget));
    }
    if (plan.streams.size() < o.streams) {
        notes.push_back(fmt::format("{} channels: {} streams, not {}", planned.channels.size(),
                                    plan.streams.size(), o.streams));
    }

    const unsigned threads = o.sign_threads != 0 ? o.sign_threads : core_count();
    const auto sign_start = std::chrono::steady_clock::now();
    sign_plan(plan, *fleet, threads);
    const double sign_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - sign_start).count();
    std::cerr << fmt::format(
                     "bttload: signed {} proofs in {:.2f} s on {} threads; streaming to {}\n",
                     plan.total, sign_s, threads, o.node)
              << std::flush;

    ReceiptChecker receipts(*receipt_address);
    const auto timed = [&](const ProofPlan& phase) {
        Phase out;
        const auto node_before = o.node_pid ? process_cpu_seconds(*o.node_pid) : std::nullopt;
        const auto pg_before =
            o.pg_pids.empty() ? std::nullopt : process_tree_cpu_seconds(o.pg_pids);
        const auto self_before = process_cpu_seconds(::getpid());
        ProgressPrinter printer(::isatty(STDERR_FILENO) == 1);
        const auto sample_rss = [&] {
            if (!o.node_pid)
                return;
            if (const auto rss = process_rss_bytes(*o.node_pid))
                out.node_rss_max_bytes = std::max(out.node_rss_max_bytes.value_or(0), *rss);
        };
        out.results = run_streams(o, phase, *fleet, receipts, [&](double elapsed, const LiveCounts& c) {
            printer(elapsed, c);
            sample_rss();
        });
        sample_rss();
        const auto node_after = o.node_pid ? process_cpu_seconds(*o.node_pid) : std::nullopt;
        const auto pg_after =
            o.pg_pids.empty() ? std::nullopt : process_tree_cpu_seconds(o.pg_pids);
        const auto self_after = process_cpu_seconds(::getpid());
        printer.finish();
        record_sent(phase, out.results, *fleet);
        if (node_before && node_after)
            out.node_cpu_s = *node_after - *node_before;
        if (pg_before && pg_after)
            out.pg_cpu_s = *pg_after - *pg_before;
        if (self_before && self_after)
            out.client_cpu_s = *self_after - *self_before;
        return out;
    };

    std::optional<Summary> baseline;
    std::optional<AttackResults> attacked;
    Phase main_phase;
    if (attacking) {
        auto first = first_phase(plan, o.proofs != 0);
        std::cerr << "bttload: phase 1 of 2: the honest load alone\n" << std::flush;
        const auto alone = timed(first);
        baseline = summarize(o, alone, receipts, fleet->channels.size(), notes);
        const auto second = rest_of(plan, alone.results.started);
        std::cerr << fmt::format("bttload: phase 2 of 2: the honest load beside --attack {}\n",
                                 attack_name(o.attack))
                  << std::flush;
        attacker.start();
        main_phase = timed(second);
        attacked = attacker.stop();
    } else {
        main_phase = timed(plan);
    }
    if (auto w = write_fleet(o, *fleet); !w)
        notes.push_back(w.error().message);
    auto summary = summarize(o, main_phase, receipts, fleet->channels.size(), notes);
    const auto& results = main_phase.results;
    if (results.ran_out) {
        summary.notes.push_back(
            fmt::format("the {} presigned proofs ended before --duration-s {} (raise --presign)",
                        plan.total, o.duration_s));
    }

    if (o.json) {
        auto j = to_json(summary);
        if (baseline) {
            j["baseline"] = to_json(*baseline);
            j["attack"] = attack_json(o, *attacked);
        }
        std::cout << j.dump() << "\n";
    } else if (baseline) {
        std::cout << "phase 1: the honest load alone\n" << to_text(*baseline);
        std::cout << fmt::format("phase 2: the honest load beside --attack {}\n",
                                 attack_name(o.attack))
                  << to_text(summary) << attack_text(o, *attacked);
    } else {
        std::cout << to_text(summary);
    }
    if (results.unreachable)
        return static_cast<int>(ExitCode::Unreachable);
    const auto errors = summary.errors + (baseline ? baseline->errors : 0);
    return errors == 0 ? static_cast<int>(ExitCode::Ok) : static_cast<int>(ExitCode::Errors);
}

}  // namespace

int run(int argc, const char* const* argv) {
    try {
        return run_checked(argc, argv);
    } catch (const std::exception& e) {
        // Only I/O edges throw (gRPC set-up, OS randomness): the run could not happen.
        std::cerr << "bttload: " << e.what() << "\n";
        return static_cast<int>(ExitCode::Unreachable);
    }
}

}  // namespace btt::load
