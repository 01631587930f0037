#include <btt/load/run.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

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
    const auto budget = presign_budget(o);
    auto plan = plan_proofs(*fleet, o.streams, o.step, budget);
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
        notes.push_back(fmt::format("{} channels: {} streams, not {}", fleet->channels.size(),
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
    const auto node_cpu_before = o.node_pid ? process_cpu_seconds(*o.node_pid) : std::nullopt;
    const auto pg_cpu_before =
        o.pg_pids.empty() ? std::nullopt : process_tree_cpu_seconds(o.pg_pids);
    const auto self_cpu_before = process_cpu_seconds(::getpid());
    ProgressPrinter printer(::isatty(STDERR_FILENO) == 1);
    const auto results =
        run_streams(o, plan, *fleet, receipts,
                    [&](double elapsed, const LiveCounts& c) { printer(elapsed, c); });
    const auto node_cpu_after = o.node_pid ? process_cpu_seconds(*o.node_pid) : std::nullopt;
    const auto pg_cpu_after =
        o.pg_pids.empty() ? std::nullopt : process_tree_cpu_seconds(o.pg_pids);
    const auto self_cpu_after = process_cpu_seconds(::getpid());
    printer.finish();

    record_sent(plan, results, *fleet);
    if (auto w = write_fleet(o, *fleet); !w)
        notes.push_back(w.error().message);

    auto summary = make_summary(results, receipts.totals());
    summary.channels = fleet->channels.size();
    summary.window = o.window;
    summary.rate = o.rate;
    if (node_cpu_before && node_cpu_after) {
        summary.node_cpu_s = *node_cpu_after - *node_cpu_before;
    } else if (o.node_pid) {
        notes.push_back(fmt::format("cannot read /proc/{}/stat: no node_cpu_s", *o.node_pid));
    }
    if (self_cpu_before && self_cpu_after)
        summary.client_cpu_s = *self_cpu_after - *self_cpu_before;
    if (pg_cpu_before && pg_cpu_after) {
        summary.pg_cpu_s = *pg_cpu_after - *pg_cpu_before;
    } else if (!o.pg_pids.empty()) {
        notes.push_back("cannot read the --pg-pids from /proc: no pg_cpu_s");
    }
    if (results.unreachable)
        notes.push_back("the node could not be reached: no stream got an answer");
    if (results.stalled) {
        notes.push_back(
            fmt::format("the node answered nothing for {} s (--drain-timeout-s): the streams were "
                        "cancelled",
                        o.drain_timeout_s));
    }
    if (results.ran_out) {
        notes.push_back(
            fmt::format("the {} presigned proofs ended before --duration-s {} (raise --presign)",
                        plan.total, o.duration_s));
    }
    summary.notes = std::move(notes);

    if (o.json) {
        std::cout << to_json(summary).dump() << "\n";
    } else {
        std::cout << to_text(summary);
    }
    if (results.unreachable)
        return static_cast<int>(ExitCode::Unreachable);
    return summary.errors == 0 ? static_cast<int>(ExitCode::Ok)
                               : static_cast<int>(ExitCode::Errors);
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
