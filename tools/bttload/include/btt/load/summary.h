#pragma once
// What a run reports: the final summary (text, or one JSON object with --json) and the
// progress line. The JSON keys are what scripts such as tools/bench-intake read (issue 10):
// sent, accepted, duplicate, rejected {token: count}, errors, seconds, proofs_per_s,
// ack_ms {p50, p90, p99, max}, channels, streams, batch_gaps, and node_cpu_s / pg_cpu_s
// when they were measured (and node_rss_max_bytes). Keys may be added, never renamed.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <btt/load/latency.h>
#include <btt/load/streaming.h>

namespace btt::load {

struct AckMillis {
    double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

[[nodiscard]] AckMillis ack_millis(const LatencyHistogram& h);

struct Summary {
    std::uint64_t sent = 0, accepted = 0, duplicate = 0, errors = 0, unanswered = 0;
    std::map<std::string, std::uint64_t> rejected;
    double seconds = 0;
    AckMillis ack_ms;
    std::uint64_t channels = 0, streams = 0, window = 0;
    double rate = 0;  // target; 0: as fast as answered
    std::uint64_t batches = 0, batch_gaps = 0;
    std::optional<double> node_cpu_s, pg_cpu_s;
    std::optional<double> client_cpu_s;  // bttload's own, over the timed phase
    std::optional<long long> node_rss_max_bytes;  // --node-pid: its largest RSS seen (every 100 ms)
    std::vector<std::string> error_examples;
    std::vector<std::string> notes;

    // ACCEPTED + DUPLICATE answers per second of the timed phase (0 when it took no time).
    [[nodiscard]] double proofs_per_s() const;
};

[[nodiscard]] Summary make_summary(const StreamResults& results,
                                   const ReceiptChecker::Totals& batches);

[[nodiscard]] nlohmann::json to_json(const Summary& s);
[[nodiscard]] std::string to_text(const Summary& s);

// "12.0s sent 240000 acc 239990 dup 0 rej 10 err 0 | 20012/s" (no newline).
[[nodiscard]] std::string progress_line(double elapsed_s, const LiveCounts& now,
                                        const LiveCounts& before, double interval_s);

}  // namespace btt::load
