#include <btt/load/summary.h>

#include <cmath>

#include <fmt/format.h>

namespace btt::load {

namespace {

double ms(std::uint64_t micros) {
    return static_cast<double>(micros) / 1000.0;
}

// Three decimals are enough for milliseconds and keep the JSON readable.
double round3(double v) {
    return std::round(v * 1000.0) / 1000.0;
}

}  // namespace

AckMillis ack_millis(const LatencyHistogram& h) {
    return {ms(h.percentile(0.50)), ms(h.percentile(0.90)), ms(h.percentile(0.99)), ms(h.max())};
}

double Summary::proofs_per_s() const {
    if (seconds <= 0)
        return 0;
    return static_cast<double>(accepted + duplicate) / seconds;
}

Summary make_summary(const StreamResults& r, const ReceiptChecker::Totals& batches) {
    Summary s;
    s.sent = r.counts.sent;
    s.accepted = r.counts.accepted;
    s.duplicate = r.counts.duplicate;
    s.errors = r.counts.errors;
    s.unanswered = r.unanswered;
    s.rejected = r.rejected;
    s.seconds = r.seconds;
    s.ack_ms = ack_millis(r.latency);
    s.streams = r.started.size();
    s.batches = batches.batches;
    s.batch_gaps = batches.gaps;
    s.error_examples = r.error_examples;
    return s;
}

nlohmann::json to_json(const Summary& s) {
    nlohmann::json rejected = nlohmann::json::object();
    for (const auto& [token, n] : s.rejected)
        rejected[token] = n;
    nlohmann::json j = {
        {"sent", s.sent},
        {"accepted", s.accepted},
        {"duplicate", s.duplicate},
        {"rejected", rejected},
        {"errors", s.errors},
        {"unanswered", s.unanswered},
        {"seconds", round3(s.seconds)},
        {"proofs_per_s", round3(s.proofs_per_s())},
        {"ack_ms",
         {{"p50", round3(s.ack_ms.p50)},
          {"p90", round3(s.ack_ms.p90)},
          {"p99", round3(s.ack_ms.p99)},
          {"max", round3(s.ack_ms.max)}}},
        {"channels", s.channels},
        {"streams", s.streams},
        {"window", s.window},
        {"rate", s.rate},
        {"batches", s.batches},
        {"batch_gaps", s.batch_gaps},
        {"error_examples", s.error_examples},
        {"notes", s.notes},
    };
    if (s.node_cpu_s)
        j["node_cpu_s"] = round3(*s.node_cpu_s);
    if (s.pg_cpu_s)
        j["pg_cpu_s"] = round3(*s.pg_cpu_s);
    if (s.client_cpu_s)
        j["client_cpu_s"] = round3(*s.client_cpu_s);
    if (s.node_rss_max_bytes)
        j["node_rss_max_bytes"] = *s.node_rss_max_bytes;
    return j;
}

std::string to_text(const Summary& s) {
    std::string out;
    out += fmt::format("bttload: {} channels over {} streams (window {}, rate {})\n", s.channels,
                       s.streams, s.window,
                       s.rate > 0 ? fmt::format("{}/s", s.rate) : std::string("unpaced"));
    out += fmt::format("  sent        {}\n", s.sent);
    out += fmt::format("  accepted    {}\n", s.accepted);
    out += fmt::format("  duplicate   {}\n", s.duplicate);
    std::uint64_t rejected = 0;
    std::string by_reason;
    for (const auto& [token, n] : s.rejected) {
        rejected += n;
        by_reason += fmt::format(" {}={}", token, n);
    }
    out += fmt::format("  rejected    {}{}\n", rejected,
                       by_reason.empty() ? "" : " (" + by_reason.substr(1) + ")");
    out += fmt::format(
        "  errors      {}{}\n", s.errors,
        s.unanswered > 0 ? fmt::format(" ({} unanswered)", s.unanswered) : std::string());
    out += fmt::format("  seconds     {:.3f}\n", s.seconds);
    out += fmt::format("  proofs/s    {:.1f} (accepted + duplicate)\n", s.proofs_per_s());
    out += fmt::format("  ack ms      p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}\n",
                       s.ack_ms.p50, s.ack_ms.p90, s.ack_ms.p99, s.ack_ms.max);
    out += fmt::format("  batches     {} ({} seq gaps)\n", s.batches, s.batch_gaps);
    if (s.node_cpu_s)
        out += fmt::format("  node cpu    {:.3f} s\n", *s.node_cpu_s);
    if (s.pg_cpu_s)
        out += fmt::format("  pg cpu      {:.3f} s\n", *s.pg_cpu_s);
    if (s.client_cpu_s)
        out += fmt::format("  bttload cpu {:.3f} s\n", *s.client_cpu_s);
    if (s.node_rss_max_bytes)
        out += fmt::format("  node rss    {:.1f} MiB at most\n",
                           static_cast<double>(*s.node_rss_max_bytes) / (1 << 20));
    for (const auto& e : s.error_examples)
        out += fmt::format("  error: {}\n", e);
    for (const auto& n : s.notes)
        out += fmt::format("  note: {}\n", n);
    return out;
}

std::string progress_line(double elapsed_s, const LiveCounts& now, const LiveCounts& before,
                          double interval_s) {
    const auto answered = [](const LiveCounts& c) { return c.accepted + c.duplicate; };
    const double rate =
        interval_s > 0 ? static_cast<double>(answered(now) - answered(before)) / interval_s : 0;
    return fmt::format("{:.1f}s sent {} acc {} dup {} rej {} err {} | {:.0f}/s", elapsed_s,
                       now.sent, now.accepted, now.duplicate, now.rejected, now.errors, rate);
}

}  // namespace btt::load
