// bttnode's /metrics (issue 12): serve on a loopback port, record, scrape over HTTP, parse
// the text exposition format, and check that every series exists and moved by exactly what
// was recorded. Loopback only; every read has a 5 s deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <btt/channels/proof.h>
#include <btt/channels/reject.h>
#include <btt/node/metrics.h>

namespace {

using btt::channels::Outcome;
using btt::channels::Reject;
using btt::node::Metrics;

constexpr const char* kVersion = "1.2.3-metrics-test";

// --- a tiny blocking HTTP/1.0 client -------------------------------------------------------

// Closes a socket descriptor on scope exit.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// GET http://127.0.0.1:port/path; returns the body of a 200 answer. Fails the test (and
// returns "") on a connection error, a timeout (5 s per read) or another status.
std::string http_get(int port, const std::string& path) {
    Fd s{::socket(AF_INET, SOCK_STREAM, 0)};
    if (s.fd < 0) {
        ADD_FAILURE() << "socket() failed";
        return {};
    }
    timeval timeout{};
    timeout.tv_sec = 5;
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    const sockaddr_in addr = loopback(port);
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
        return {};
    }
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    std::size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(s.fd, request.data() + sent, request.size() - sent, 0);
        if (n <= 0) {
            ADD_FAILURE() << "send failed";
            return {};
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string response;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
        if (n == 0)
            break;  // HTTP/1.0: the server closes after the body
        if (n < 0) {
            ADD_FAILURE() << "recv failed or timed out after " << response.size() << " bytes";
            return {};
        }
        response.append(buffer, static_cast<std::size_t>(n));
    }
    const auto header_end = response.find("\r\n\r\n");
    if (header_end == std::string::npos) {
        ADD_FAILURE() << "no HTTP header end in: " << response.substr(0, 200);
        return {};
    }
    const std::string status_line = response.substr(0, response.find("\r\n"));
    if (status_line.find(" 200") == std::string::npos) {
        ADD_FAILURE() << "HTTP status: " << status_line;
        return {};
    }
    return response.substr(header_end + 4);
}

// --- a small parser of the Prometheus text exposition format -------------------------------

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

// One `name{k="v",...} value [timestamp]` line; std::nullopt when it does not parse.
std::optional<Sample> parse_sample(const std::string& line) {
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
        ++i;
    s.name = line.substr(0, i);
    if (s.name.empty())
        return std::nullopt;
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
            const auto eq = line.find('=', i);
            if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
                return std::nullopt;
            }
            const std::string key = line.substr(i, eq - i);
            std::string value;
            i = eq + 2;
            for (; i < line.size() && line[i] != '"'; ++i) {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                    value += line[i] == 'n' ? '\n' : line[i];
                } else {
                    value += line[i];
                }
            }
            if (i >= line.size())
                return std::nullopt;  // unterminated value
            ++i;                      // closing quote
            s.labels[key] = value;
            if (i < line.size() && line[i] == ',')
                ++i;
        }
        if (i >= line.size())
            return std::nullopt;  // no closing brace
        ++i;
    }
    if (i >= line.size() || line[i] != ' ')
        return std::nullopt;
    const std::string rest = line.substr(i + 1);
    char* end = nullptr;
    s.value = std::strtod(rest.c_str(), &end);  // also reads +Inf, NaN
    if (end == rest.c_str())
        return std::nullopt;
    return s;
}

struct Scrape {
    std::vector<Sample> samples;
    std::map<std::string, std::string> types;  // # TYPE name type

    // The value of the one series with exactly these labels, if present.
    [[nodiscard]] std::optional<double> value(
        const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
        for (const auto& s : samples) {
            if (s.name == name && s.labels == labels)
                return s.value;
        }
        return std::nullopt;
    }
    // A histogram's cumulative bucket count at upper bound `le`.
    [[nodiscard]] std::optional<double> bucket(const std::string& name, double le) const {
        for (const auto& s : samples) {
            if (s.name != name + "_bucket")
                continue;
            const auto it = s.labels.find("le");
            if (it == s.labels.end())
                continue;
            const double bound = std::strtod(it->second.c_str(), nullptr);
            const bool same =
                std::isinf(le) ? bound == le : std::fabs(bound - le) <= 1e-12 * std::fabs(le);
            if (same)
                return s.value;
        }
        return std::nullopt;
    }
};

Scrape parse_exposition(const std::string& text) {
    Scrape out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty())
            continue;
        if (line.rfind("# TYPE ", 0) == 0) {
            const auto sp = line.find(' ', 7);
            if (sp != std::string::npos)
                out.types[line.substr(7, sp - 7)] = line.substr(sp + 1);
            continue;
        }
        if (line[0] == '#')
            continue;
        const auto sample = parse_sample(line);
        EXPECT_TRUE(sample.has_value()) << "unparseable exposition line: " << line;
        if (sample)
            out.samples.push_back(*sample);
    }
    return out;
}

Scrape scrape(const Metrics& m) {
    return parse_exposition(http_get(m.port(), "/metrics"));
}

constexpr Reject kAllRejects[] = {
    Reject::Malformed,
    Reject::BadSignature,
    Reject::UnknownChannel,
    Reject::WrongSigner,
    Reject::ChannelNotOpen,
    Reject::ChannelExpired,
    Reject::AmountExceedsDeposit,
    Reject::AmountNotIncreasing,
    Reject::IntakePaused,
    Reject::Overloaded,
    Reject::StoreUnavailable,
    Reject::Internal,
};

std::map<std::string, std::string> rejected(Reject r) {
    return {{"outcome", "rejected"}, {"reason", std::string(btt::channels::token_of(r))}};
}
const std::map<std::string, std::string> kAccepted = {{"outcome", "accepted"}, {"reason", "none"}};
const std::map<std::string, std::string> kDuplicate = {{"outcome", "duplicate"},
                                                       {"reason", "none"}};

// Every plain (label-less) gauge and counter the node promises, with its type.
const std::vector<std::pair<std::string, std::string>> kPlainSeries = {
    {"bttnode_commit_failures_total", "counter"},
    {"bttnode_duplicate_store_reads_total", "counter"},
    {"bttnode_store_up", "gauge"},
    {"bttnode_open_channels", "gauge"},
    {"bttnode_chain_head_block", "gauge"},
    {"bttnode_chain_solid_block", "gauge"},
    {"bttnode_watcher_block", "gauge"},
    {"bttnode_solid_lag_blocks", "gauge"},
    {"bttnode_escrow_balance", "gauge"},
    {"bttnode_liabilities", "gauge"},
    {"bttnode_reconcile_deficit", "gauge"},
    {"bttnode_reconcile_surplus", "gauge"},
    {"bttnode_conservation_ok", "gauge"},
    {"bttnode_payouts_blocked", "gauge"},
    {"bttnode_active_streams", "gauge"},
    {"bttnode_intake_paused", "gauge"},
};
const std::vector<std::string> kHistograms = {
    "bttnode_ack_latency_seconds", "bttnode_commit_batch_size", "bttnode_commit_latency_seconds"};

// Checks that every promised series is present, at zero (build_info at 1).
void expect_every_series_at_zero(const Scrape& s) {
    EXPECT_EQ(s.value("bttnode_proofs_total", kAccepted), 0.0);
    EXPECT_EQ(s.value("bttnode_proofs_total", kDuplicate), 0.0);
    for (const Reject r : kAllRejects) {
        EXPECT_EQ(s.value("bttnode_proofs_total", rejected(r)), 0.0) << btt::channels::token_of(r);
    }
    // Exactly those: accepted, duplicate and one series per reason, nothing else.
    std::size_t proof_series = 0;
    for (const auto& sample : s.samples)
        proof_series += sample.name == "bttnode_proofs_total";
    EXPECT_EQ(proof_series, 2 + std::size(kAllRejects));
    EXPECT_EQ(s.types.count("bttnode_proofs_total") ? s.types.at("bttnode_proofs_total") : "",
              "counter");
    for (const auto& [name, type] : kPlainSeries) {
        EXPECT_EQ(s.value(name), 0.0) << name;
        EXPECT_EQ(s.types.count(name) ? s.types.at(name) : "", type) << name;
    }
    for (const auto& name : kHistograms) {
        EXPECT_EQ(s.value(name + "_count"), 0.0) << name;
        EXPECT_EQ(s.value(name + "_sum"), 0.0) << name;
        EXPECT_EQ(s.bucket(name, INFINITY), 0.0) << name;
        EXPECT_EQ(s.types.count(name) ? s.types.at(name) : "", "histogram") << name;
    }
    EXPECT_EQ(s.bucket("bttnode_ack_latency_seconds", 0.0005), 0.0);
    EXPECT_EQ(s.bucket("bttnode_ack_latency_seconds", 1.0), 0.0);
    EXPECT_EQ(s.bucket("bttnode_commit_batch_size", 1.0), 0.0);
    EXPECT_EQ(s.bucket("bttnode_commit_batch_size", 5000.0), 0.0);
    for (const char* state : {"planned", "signed", "confirmed"}) {
        EXPECT_EQ(s.value("bttnode_payouts", {{"state", state}}), 0.0) << state;
    }
    for (const char* result : {"signed", "confirmed", "dead"}) {
        EXPECT_EQ(s.value("bttnode_payout_attempts_total", {{"result", result}}), 0.0) << result;
    }
    EXPECT_EQ(s.value("bttnode_build_info", {{"version", kVersion}}), 1.0);
}

// One test, one server: civetweb 1.15 takes about 2 s to stop once it has served a request.
TEST(Metrics, EverySeriesExistsAtZeroThenMovesByExactlyWhatWasRecorded) {
    Metrics m(kVersion);
    m.serve("127.0.0.1:0");
    ASSERT_GT(m.port(), 0);
    expect_every_series_at_zero(scrape(m));

    for (int i = 0; i < 3; ++i)
        m.proof_outcome(Outcome::Accepted, Reject::Internal);
    m.proof_outcome(Outcome::Duplicate, Reject::Overloaded);  // reason ignored unless rejected
    m.proof_outcome(Outcome::Rejected, Reject::WrongSigner);
    m.proof_outcome(Outcome::Rejected, Reject::WrongSigner);
    m.proof_outcome(Outcome::Rejected, Reject::AmountExceedsDeposit);
    m.proof_outcome(Outcome::Rejected, static_cast<Reject>(200));  // no such reason: internal
    m.ack_latency(0.0003);
    m.ack_latency(0.002);
    m.ack_latency(0.2);
    m.commit(10, 0.004);
    m.commit(3, 0.03);
    m.commit_failed();
    m.duplicate_store_reads(1);
    m.duplicate_store_reads(2);
    m.store_available(true);
    m.open_channels(7);
    m.chain_heights(/*head=*/1000, /*solid=*/981, /*applied=*/975);
    m.reconciled(/*balance=*/5000, /*liabilities=*/4000, /*deficit=*/0, /*surplus=*/1000);
    m.conservation_ok(true);
    m.payouts_blocked(true);
    m.payouts_by_state(/*planned=*/2, /*signed_=*/1, /*confirmed=*/5);
    m.payout_attempt("signed");
    m.payout_attempt("signed");
    m.payout_attempt("confirmed");
    m.payout_attempt("dead");
    m.payout_attempt("bogus");  // not one of the three: ignored
    m.payout_attempt(nullptr);
    m.active_streams(+1);
    m.active_streams(+1);
    m.active_streams(-1);
    m.intake_paused(true);

    const Scrape s = scrape(m);
    EXPECT_EQ(s.value("bttnode_proofs_total", kAccepted), 3.0);
    EXPECT_EQ(s.value("bttnode_proofs_total", kDuplicate), 1.0);
    EXPECT_EQ(s.value("bttnode_proofs_total", rejected(Reject::WrongSigner)), 2.0);
    EXPECT_EQ(s.value("bttnode_proofs_total", rejected(Reject::AmountExceedsDeposit)), 1.0);
    EXPECT_EQ(s.value("bttnode_proofs_total", rejected(Reject::Internal)), 1.0);
    for (const Reject r : kAllRejects) {
        if (r == Reject::WrongSigner || r == Reject::AmountExceedsDeposit ||
            r == Reject::Internal) {
            continue;
        }
        EXPECT_EQ(s.value("bttnode_proofs_total", rejected(r)), 0.0) << btt::channels::token_of(r);
    }

    EXPECT_EQ(s.value("bttnode_ack_latency_seconds_count"), 3.0);
    EXPECT_NEAR(s.value("bttnode_ack_latency_seconds_sum").value_or(-1), 0.2023, 1e-9);
    EXPECT_EQ(s.bucket("bttnode_ack_latency_seconds", 0.0005), 1.0);
    EXPECT_EQ(s.bucket("bttnode_ack_latency_seconds", 0.0025), 2.0);
    EXPECT_EQ(s.bucket("bttnode_ack_latency_seconds", 0.25), 3.0);
    EXPECT_EQ(s.bucket("bttnode_ack_latency_seconds", INFINITY), 3.0);
    EXPECT_EQ(s.value("bttnode_commit_batch_size_count"), 2.0);
    EXPECT_EQ(s.value("bttnode_commit_batch_size_sum"), 13.0);
    EXPECT_EQ(s.bucket("bttnode_commit_batch_size", 2.0), 0.0);
    EXPECT_EQ(s.bucket("bttnode_commit_batch_size", 5.0), 1.0);
    EXPECT_EQ(s.bucket("bttnode_commit_batch_size", 10.0), 2.0);
    EXPECT_EQ(s.value("bttnode_commit_latency_seconds_count"), 2.0);
    EXPECT_NEAR(s.value("bttnode_commit_latency_seconds_sum").value_or(-1), 0.034, 1e-9);
    EXPECT_EQ(s.bucket("bttnode_commit_latency_seconds", 0.005), 1.0);
    EXPECT_EQ(s.value("bttnode_commit_failures_total"), 1.0);
    EXPECT_EQ(s.value("bttnode_duplicate_store_reads_total"), 3.0);
    EXPECT_EQ(s.value("bttnode_store_up"), 1.0);

    EXPECT_EQ(s.value("bttnode_open_channels"), 7.0);
    EXPECT_EQ(s.value("bttnode_chain_head_block"), 1000.0);
    EXPECT_EQ(s.value("bttnode_chain_solid_block"), 981.0);
    EXPECT_EQ(s.value("bttnode_watcher_block"), 975.0);
    EXPECT_EQ(s.value("bttnode_solid_lag_blocks"), 6.0);

    EXPECT_EQ(s.value("bttnode_escrow_balance"), 5000.0);
    EXPECT_EQ(s.value("bttnode_liabilities"), 4000.0);
    EXPECT_EQ(s.value("bttnode_reconcile_deficit"), 0.0);
    EXPECT_EQ(s.value("bttnode_reconcile_surplus"), 1000.0);
    EXPECT_EQ(s.value("bttnode_conservation_ok"), 1.0);
    EXPECT_EQ(s.value("bttnode_payouts_blocked"), 1.0);

    EXPECT_EQ(s.value("bttnode_payouts", {{"state", "planned"}}), 2.0);
    EXPECT_EQ(s.value("bttnode_payouts", {{"state", "signed"}}), 1.0);
    EXPECT_EQ(s.value("bttnode_payouts", {{"state", "confirmed"}}), 5.0);
    EXPECT_EQ(s.value("bttnode_payout_attempts_total", {{"result", "signed"}}), 2.0);
    EXPECT_EQ(s.value("bttnode_payout_attempts_total", {{"result", "confirmed"}}), 1.0);
    EXPECT_EQ(s.value("bttnode_payout_attempts_total", {{"result", "dead"}}), 1.0);
    EXPECT_EQ(s.value("bttnode_payout_attempts_total", {{"result", "bogus"}}), std::nullopt);

    EXPECT_EQ(s.value("bttnode_active_streams"), 1.0);
    EXPECT_EQ(s.value("bttnode_intake_paused"), 1.0);
    EXPECT_EQ(s.value("bttnode_build_info", {{"version", kVersion}}), 1.0);

    // Gauges follow the latest value, both ways.
    m.store_available(false);
    m.payouts_blocked(false);
    m.conservation_ok(false);
    m.intake_paused(false);
    m.active_streams(-1);
    m.chain_heights(1010, 1000, 1000);
    const Scrape t = scrape(m);
    EXPECT_EQ(t.value("bttnode_store_up"), 0.0);
    EXPECT_EQ(t.value("bttnode_payouts_blocked"), 0.0);
    EXPECT_EQ(t.value("bttnode_conservation_ok"), 0.0);
    EXPECT_EQ(t.value("bttnode_intake_paused"), 0.0);
    EXPECT_EQ(t.value("bttnode_active_streams"), 0.0);
    EXPECT_EQ(t.value("bttnode_solid_lag_blocks"), 0.0);
    EXPECT_EQ(t.value("bttnode_proofs_total", kAccepted), 3.0);  // counters did not move
}

TEST(Metrics, CountsEveryProofFromConcurrentThreads) {
    Metrics m(kVersion);
    m.serve("127.0.0.1:0");
    constexpr int kThreads = 4;
    constexpr int kEach = 2500;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&m] {
            for (int i = 0; i < kEach; ++i) {
                m.proof_outcome(Outcome::Accepted, Reject::Internal);
                m.proof_outcome(Outcome::Rejected, Reject::Overloaded);
                m.ack_latency(0.001);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    const Scrape s = scrape(m);
    EXPECT_EQ(s.value("bttnode_proofs_total", kAccepted), kThreads * kEach);
    EXPECT_EQ(s.value("bttnode_proofs_total", rejected(Reject::Overloaded)), kThreads * kEach);
    EXPECT_EQ(s.value("bttnode_ack_latency_seconds_count"), kThreads * kEach);
}

TEST(Metrics, EmptyListenStartsNothing) {
    Metrics m(kVersion);
    m.serve("");
    EXPECT_EQ(m.port(), 0);
    m.proof_outcome(Outcome::Accepted, Reject::Internal);  // recording still works
    EXPECT_EQ(m.port(), 0);
}

TEST(Metrics, ServingTwiceIsABug) {
    Metrics m(kVersion);
    m.serve("127.0.0.1:0");
    EXPECT_THROW(m.serve("127.0.0.1:0"), std::logic_error);
}

// Asserts that serve(listen) throws std::runtime_error whose message names the address and
// contains `why`.
void expect_cannot_listen(const std::string& listen, const std::string& why) {
    Metrics m(kVersion);
    try {
        m.serve(listen);
        ADD_FAILURE() << "serve(\"" << listen << "\") did not throw";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("cannot listen on \"" + listen + "\""), std::string::npos) << what;
        EXPECT_NE(what.find("/metrics"), std::string::npos) << what;
        EXPECT_NE(what.find(why), std::string::npos) << what;
    }
    EXPECT_EQ(m.port(), 0);
}

TEST(Metrics, PortInUseThrowsNamingTheAddress) {
    Fd taken{::socket(AF_INET, SOCK_STREAM, 0)};
    ASSERT_GE(taken.fd, 0);
    sockaddr_in addr = loopback(0);
    ASSERT_EQ(::bind(taken.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(taken.fd, 1), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(taken.fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    expect_cannot_listen("127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "in use");
}

TEST(Metrics, NonLocalOrMalformedAddressThrowsNamingIt) {
    // TEST-NET-1: never an address of this host.
    expect_cannot_listen("192.0.2.1:9464", "Cannot assign requested address");
    expect_cannot_listen("not-an-address", "expected host:port");
    expect_cannot_listen("127.0.0.1:65536", "expected host:port");
    expect_cannot_listen("[::1]:9464", "IPv6");
}

}  // namespace
