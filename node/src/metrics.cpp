// The node's Prometheus metrics (issue 12): registry, series and the /metrics HTTP server
// (prometheus-cpp's Exposer, civetweb underneath). Decides names, labels and buckets;
// leaves when to record to the callers. Every series is created here, up front, so a
// recording call only touches a cached pointer (no map look-up, no allocation).
#include <btt/node/metrics.h>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace btt::node {

namespace {

using channels::Outcome;
using channels::Reject;

// The rejected series are indexed by Reject's wire number (a uint8_t), so every possible
// value has a slot. A number that is not an enumerator (token_of falls back to "internal")
// shares Internal's series: our bug, counted rather than lost.
constexpr std::size_t kRejectSlots = std::size_t{1} << 8;
static_assert(sizeof(std::underlying_type_t<Reject>) == 1);

std::size_t slot_of(Reject r) noexcept {
    return static_cast<std::size_t>(r);
}

// Acknowledgement latency: a proof waits for one group commit, normally milliseconds.
const prometheus::Histogram::BucketBoundaries kAckBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
// Commit latency: the same range, stretched to see a struggling database.
const prometheus::Histogram::BucketBoundaries kCommitLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};
const prometheus::Histogram::BucketBoundaries kBatchSizeBuckets = {1,   2,   5,   10,   20,   50,
                                                                   100, 200, 500, 1000, 2000, 5000};

double as_value(std::int64_t v) noexcept {
    return static_cast<double>(v);
}
double as_value(bool v) noexcept {
    return v ? 1.0 : 0.0;
}

// Why civetweb could not listen on `listen`: its own message ("null context when
// constructing CivetServer") does not say. Parses host:port and binds a probe socket the
// way civetweb would, to name the error (in use, not a local address, ...). Only called
// after a failure; returns "" when the probe finds nothing wrong.
std::string diagnose_listen(const std::string& listen) {
    if (!listen.empty() && listen.front() == '[') {
        return "IPv6 addresses are not supported by this build's HTTP server; use an IPv4 "
               "address or a host name";
    }
    const auto colon = listen.rfind(':');
    const std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
    const bool port_ok = !port.empty() && port.size() <= 5 &&
                         port.find_first_not_of("0123456789") == std::string::npos &&
                         std::stoi(port) <= 65535;
    if (host.empty() || !port_ok) {
        return "expected host:port, e.g. 127.0.0.1:9464";
    }

    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        return fmt::format("cannot resolve \"{}\" to an IPv4 address: {}", host,
                           ::gai_strerror(rc));
    }
    std::string reason;
    const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    if (fd >= 0) {
        const int on = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 1) != 0) {
            reason = std::system_category().message(errno);
        }
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return reason;
}

prometheus::Gauge& plain_gauge(prometheus::Registry& registry, const std::string& name,
                               const std::string& help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Counter& plain_counter(prometheus::Registry& registry, const std::string& name,
                                   const std::string& help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Histogram& plain_histogram(prometheus::Registry& registry, const std::string& name,
                                       const std::string& help,
                                       const prometheus::Histogram::BucketBoundaries& buckets) {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add({}, buckets);
}

}  // namespace

struct Metrics::Impl {
    // Declared first, so destroyed last: it owns every series the pointers below point to.
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

    prometheus::Counter* proofs_accepted = nullptr;
    prometheus::Counter* proofs_duplicate = nullptr;
    std::array<prometheus::Counter*, kRejectSlots> proofs_rejected{};
    prometheus::Histogram* ack_latency = nullptr;
    prometheus::Histogram* commit_batch_size = nullptr;
    prometheus::Histogram* commit_latency = nullptr;
    prometheus::Counter* commit_failures = nullptr;
    prometheus::Counter* duplicate_store_reads = nullptr;
    prometheus::Gauge* store_up = nullptr;

    prometheus::Gauge* open_channels = nullptr;

    prometheus::Gauge* chain_head = nullptr;
    prometheus::Gauge* chain_solid = nullptr;
    prometheus::Gauge* watcher_block = nullptr;
    prometheus::Gauge* solid_lag = nullptr;

    prometheus::Gauge* escrow_balance = nullptr;
    prometheus::Gauge* liabilities = nullptr;
    prometheus::Gauge* deficit = nullptr;
    prometheus::Gauge* surplus = nullptr;
    prometheus::Gauge* conservation_ok = nullptr;
    prometheus::Gauge* payouts_blocked = nullptr;

    prometheus::Gauge* payouts_planned = nullptr;
    prometheus::Gauge* payouts_signed = nullptr;
    prometheus::Gauge* payouts_confirmed = nullptr;
    prometheus::Counter* attempts_signed = nullptr;
    prometheus::Counter* attempts_confirmed = nullptr;
    prometheus::Counter* attempts_dead = nullptr;

    prometheus::Gauge* active_streams = nullptr;
    prometheus::Gauge* intake_paused = nullptr;

    // Null until serve(). Declared after the registry, so destroyed (server stopped, no
    // scrape in flight) before the series it serves.
    std::unique_ptr<prometheus::Exposer> exposer;
    int port = 0;

    explicit Impl(const std::string& version) {
        auto& r = *registry;

        auto& proofs = prometheus::BuildCounter()
                           .Name("bttnode_proofs_total")
                           .Help("Balance proofs judged, by outcome and reject reason")
                           .Register(r);
        proofs_accepted = &proofs.Add({{"outcome", "accepted"}, {"reason", "none"}});
        proofs_duplicate = &proofs.Add({{"outcome", "duplicate"}, {"reason", "none"}});
        // Every reason the enum has, at 0 from the start; appending to Reject (and token_of)
        // is enough to get its series.
        const std::string_view internal = channels::token_of(Reject::Internal);
        for (std::size_t n = 0; n < kRejectSlots; ++n) {
            const auto reject = static_cast<Reject>(n);
            const std::string_view token = channels::token_of(reject);
            if (token == internal && reject != Reject::Internal)
                continue;
            proofs_rejected[n] =
                &proofs.Add({{"outcome", "rejected"}, {"reason", std::string(token)}});
        }
        for (auto& slot : proofs_rejected) {
            if (slot == nullptr)
                slot = proofs_rejected[slot_of(Reject::Internal)];
        }
        ack_latency =
            &plain_histogram(r, "bttnode_ack_latency_seconds",
                             "Seconds from receiving a proof to writing its result", kAckBuckets);
        commit_batch_size =
            &plain_histogram(r, "bttnode_commit_batch_size",
                             "Proofs per committed group-commit batch", kBatchSizeBuckets);
        commit_latency =
            &plain_histogram(r, "bttnode_commit_latency_seconds",
                             "Seconds to commit one group-commit batch", kCommitLatencyBuckets);
        commit_failures = &plain_counter(r, "bttnode_commit_failures_total",
                                         "Group-commit batches that did not commit");
        duplicate_store_reads =
            &plain_counter(r, "bttnode_duplicate_store_reads_total",
                           "Database reads made to answer duplicates no cache held");
        store_up = &plain_gauge(r, "bttnode_store_up", "1 while PostgreSQL answers");

        open_channels = &plain_gauge(r, "bttnode_open_channels", "Channels OPEN or CLOSING");

        chain_head = &plain_gauge(r, "bttnode_chain_head_block", "Full node's head block");
        chain_solid = &plain_gauge(r, "bttnode_chain_solid_block", "Last solidified block");
        watcher_block =
            &plain_gauge(r, "bttnode_watcher_block", "Last solidified block the watcher applied");
        solid_lag = &plain_gauge(r, "bttnode_solid_lag_blocks",
                                 "Solidified blocks the watcher has not applied yet");

        escrow_balance = &plain_gauge(r, "bttnode_escrow_balance",
                                      "Escrow's solidified token balance, base units");
        liabilities = &plain_gauge(r, "bttnode_liabilities",
                                   "What the escrow owes channels and payouts, base units");
        deficit = &plain_gauge(r, "bttnode_reconcile_deficit",
                               "Liabilities above the escrow balance, base units (alarm)");
        surplus = &plain_gauge(r, "bttnode_reconcile_surplus",
                               "Escrow balance above liabilities, base units");
        conservation_ok =
            &plain_gauge(r, "bttnode_conservation_ok", "1 when the last conservation check held");
        payouts_blocked = &plain_gauge(r, "bttnode_payouts_blocked",
                                       "1 while settlement refuses to sign payouts");

        auto& payouts = prometheus::BuildGauge()
                            .Name("bttnode_payouts")
                            .Help("Payouts currently in each state")
                            .Register(r);
        payouts_planned = &payouts.Add({{"state", "planned"}});
        payouts_signed = &payouts.Add({{"state", "signed"}});
        payouts_confirmed = &payouts.Add({{"state", "confirmed"}});
        auto& attempts = prometheus::BuildCounter()
                             .Name("bttnode_payout_attempts_total")
                             .Help("Payout attempts, by result")
                             .Register(r);
        attempts_signed = &attempts.Add({{"result", "signed"}});
        attempts_confirmed = &attempts.Add({{"result", "confirmed"}});
        attempts_dead = &attempts.Add({{"result", "dead"}});

        active_streams = &plain_gauge(r, "bttnode_active_streams", "Open StreamProofs calls");
        intake_paused =
            &plain_gauge(r, "bttnode_intake_paused", "1 while an operator has paused intake");

        prometheus::BuildGauge()
            .Name("bttnode_build_info")
            .Help("Always 1; the version label names the running build")
            .Register(r)
            .Add({{"version", version}})
            .Set(1.0);
    }
};

Metrics::Metrics(std::string version) : m_impl(std::make_unique<Impl>(version)) {}

Metrics::~Metrics() = default;

void Metrics::serve(const std::string& listen) {
    if (m_impl->exposer)
        throw std::logic_error("Metrics::serve called twice");
    if (listen.empty())
        return;
    std::unique_ptr<prometheus::Exposer> exposer;
    try {
        // One worker thread is plenty for a scraper or two.
        exposer = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
    } catch (const std::exception& e) {
        const std::string reason = diagnose_listen(listen);
        throw std::runtime_error(fmt::format(
            "metrics: cannot listen on \"{}\" for HTTP /metrics (node.metrics_listen): {}", listen,
            reason.empty() ? std::string(e.what()) : reason));
    }
    const std::vector<int> ports = exposer->GetListeningPorts();
    if (ports.empty() || ports.front() <= 0) {
        throw std::runtime_error(fmt::format(
            "metrics: HTTP /metrics server on \"{}\" reports no listening port", listen));
    }
    exposer->RegisterCollectable(m_impl->registry);
    m_impl->port = ports.front();
    m_impl->exposer = std::move(exposer);
}

int Metrics::port() const {
    return m_impl->port;
}

void Metrics::proof_outcome(channels::Outcome o, channels::Reject r) {
    switch (o) {
        case Outcome::Accepted:
            m_impl->proofs_accepted->Increment();
            return;
        case Outcome::Duplicate:
            m_impl->proofs_duplicate->Increment();
            return;
        case Outcome::Rejected:
            m_impl->proofs_rejected[slot_of(r)]->Increment();
            return;
    }
}

void Metrics::ack_latency(double seconds) {
    m_impl->ack_latency->Observe(seconds);
}

void Metrics::commit(std::size_t proofs, double seconds) {
    m_impl->commit_batch_size->Observe(static_cast<double>(proofs));
    m_impl->commit_latency->Observe(seconds);
}

void Metrics::commit_failed() {
    m_impl->commit_failures->Increment();
}

void Metrics::duplicate_store_reads(std::uint64_t reads) {
    m_impl->duplicate_store_reads->Increment(static_cast<double>(reads));
}

void Metrics::store_available(bool up) {
    m_impl->store_up->Set(as_value(up));
}

void Metrics::open_channels(std::int64_t n) {
    m_impl->open_channels->Set(as_value(n));
}

void Metrics::chain_heights(std::int64_t head, std::int64_t solid, std::int64_t applied) {
    m_impl->chain_head->Set(as_value(head));
    m_impl->chain_solid->Set(as_value(solid));
    m_impl->watcher_block->Set(as_value(applied));
    m_impl->solid_lag->Set(as_value(solid - applied));
}

void Metrics::reconciled(std::int64_t balance, std::int64_t liabilities, std::int64_t deficit,
                         std::int64_t surplus) {
    m_impl->escrow_balance->Set(as_value(balance));
    m_impl->liabilities->Set(as_value(liabilities));
    m_impl->deficit->Set(as_value(deficit));
    m_impl->surplus->Set(as_value(surplus));
}

void Metrics::conservation_ok(bool ok) {
    m_impl->conservation_ok->Set(as_value(ok));
}

void Metrics::payouts_blocked(bool blocked) {
    m_impl->payouts_blocked->Set(as_value(blocked));
}

void Metrics::payouts_by_state(std::int64_t planned, std::int64_t signed_, std::int64_t confirmed) {
    m_impl->payouts_planned->Set(as_value(planned));
    m_impl->payouts_signed->Set(as_value(signed_));
    m_impl->payouts_confirmed->Set(as_value(confirmed));
}

void Metrics::payout_attempt(const char* result) {
    if (result == nullptr)
        return;
    if (std::strcmp(result, "signed") == 0) {
        m_impl->attempts_signed->Increment();
    } else if (std::strcmp(result, "confirmed") == 0) {
        m_impl->attempts_confirmed->Increment();
    } else if (std::strcmp(result, "dead") == 0) {
        m_impl->attempts_dead->Increment();
    }
}

void Metrics::active_streams(int delta) {
    // Gauge::Increment/Decrement take a magnitude; keep the sign out of them.
    if (delta >= 0) {
        m_impl->active_streams->Increment(static_cast<double>(delta));
    } else {
        m_impl->active_streams->Decrement(-static_cast<double>(delta));
    }
}

void Metrics::intake_paused(bool paused) {
    m_impl->intake_paused->Set(as_value(paused));
}

}  // namespace btt::node
