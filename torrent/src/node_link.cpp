#include <btt/torrent/node_link.h>

#include <algorithm>

#include <btt/api/receipt.h>
#include <btt/channels/proof.h>
#include <btt/channels/receipt.h>
#include <btt/torrent/log.h>

namespace btt::torrent {

namespace v1 = btt::channel::v1;

namespace {

constexpr auto kCallDeadline = std::chrono::seconds(10);
// Resends back off from the first to the last value, doubling; an acknowledgement resets it.
constexpr auto kFirstBackoff = std::chrono::milliseconds(200);
constexpr auto kLastBackoff = std::chrono::milliseconds(5000);
// The worker wakes at least this often to look for due resends.
constexpr auto kIdleWake = std::chrono::milliseconds(500);

// DESIGN §8: the node's own trouble; the same proof may be sent again later.
bool is_retry_reason(std::uint32_t reason) {
    return reason >= 9 && reason <= 11;  // intake_paused, overloaded, store_unavailable
}

std::string raw(const auto& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// A receipt as any client checks it: batch header signed by the node's receipt key, audit
// path from the (channel, amount) leaf to the root.
bool receipt_valid(const v1::ProofResult& r, const channels::ChannelId& id,
                   const tron::TronAddress& receipt_address) {
    if (!r.has_receipt())
        return false;
    const auto b = api::receipt_from_proto(r.receipt(), id);
    return b && channels::verify_batch_receipt(*b, receipt_address).has_value();
}

}  // namespace

NodeLink::NodeLink(std::unique_ptr<v1::ChannelService::Stub> stub, v1::NodeInfo node,
                   tron::TronAddress payee, std::ostream& log)
    : m_stub(std::move(stub)), m_node(std::move(node)), m_payee(payee), m_log(log) {
    if (auto a = tron::TronAddress::from_base58(m_node.receipt_address()))
        m_receipt_address = *a;
}

NodeLink::~NodeLink() {
    stop(std::chrono::milliseconds(0));
}

void NodeLink::start(std::shared_ptr<Hub> hub) {
    m_hub = std::move(hub);
    m_worker = std::thread([this] { work(); });
}

void NodeLink::submit(std::uint64_t conn, const PayMessage& message) {
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back({conn, message});
    }
    m_wake.notify_one();
}

void NodeLink::stop(std::chrono::milliseconds limit) {
    if (!m_worker.joinable())
        return;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if ((m_queue.empty() && m_pending.empty() && m_unacked.empty()) ||
                std::chrono::steady_clock::now() >= deadline) {
                m_stopping = true;
                break;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    m_wake.notify_all();
    m_worker.join();
}

void NodeLink::work() {
    for (;;) {
        std::optional<Job> job;
        bool reopen = false;
        bool resend = false;
        bool log_outage = false;
        {
            std::unique_lock lock(m_mutex);
            auto wake_at = std::chrono::steady_clock::now() + kIdleWake;
            if (m_retry_at)
                wake_at = std::min(wake_at, *m_retry_at);
            m_wake.wait_until(lock, wake_at,
                              [&] { return m_stopping || !m_queue.empty() || m_stream_ended; });
            if (m_stopping)
                break;
            if (!m_queue.empty()) {
                job = std::move(m_queue.front());
                m_queue.pop_front();
            }
            if (m_stream_ended) {
                m_stream_ended = false;
                reopen = true;
                log_outage = !m_outage_logged;  // once per outage, not per failed retry
                m_outage_logged = true;
                schedule_retry_locked();
            }
            if (m_retry_at && std::chrono::steady_clock::now() >= *m_retry_at) {
                m_retry_at.reset();
                resend = true;
            }
        }
        if (log_outage)
            log_line(m_log, "node stream ended; proofs not acknowledged will be resent");
        if (reopen)
            close_stream();
        if (job) {
            if (const auto* open = std::get_if<OpenMsg>(&job->message))
                handle_open(job->conn, *open);
            else if (const auto* proof = std::get_if<ProofMsg>(&job->message))
                handle_proof(job->conn, *proof);
        }
        if (resend)
            send_unacked();
    }
    close_stream();
}

void NodeLink::schedule_retry_locked() {
    const auto at = std::chrono::steady_clock::now() + m_backoff;
    if (!m_retry_at || at < *m_retry_at)
        m_retry_at = at;
    m_backoff = std::min(m_backoff * 2,
                         std::chrono::duration_cast<std::chrono::milliseconds>(kLastBackoff));
}

void NodeLink::send_unacked() {
    std::vector<std::pair<channels::ChannelId, Unacked>> due;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [channel, u] : m_unacked) {
            if (u.in_flight == 0)
                due.emplace_back(channel, u);
        }
    }
    if (due.empty())
        return;
    if (!ensure_stream()) {
        std::lock_guard lock(m_mutex);
        schedule_retry_locked();
        return;
    }
    for (const auto& [channel, u] : due) {
        v1::ProofRequest req;
        req.set_request_id(++m_next_request);
        req.set_channel_id(raw(channel.bytes()));
        req.set_amount(u.amount);
        req.set_signature(raw(u.signature));
        {
            std::lock_guard lock(m_mutex);
            const auto it = m_unacked.find(channel);
            if (it == m_unacked.end() || it->second.amount != u.amount || it->second.in_flight)
                continue;  // answered or superseded meanwhile
            it->second.in_flight = req.request_id();
            m_pending[req.request_id()] = {u.conn, channel, u.amount};
        }
        if (!m_stream->Write(req))
            return;  // the reader sees the end too, clears what was in flight, wakes us
    }
}

void NodeLink::handle_open(std::uint64_t conn, const OpenMsg& open) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
    v1::GetChannelRequest req;
    req.set_channel_id(raw(open.channel.bytes()));
    v1::ChannelInfo info;
    const auto status = m_stub->GetChannel(&ctx, req, &info);
    if (!status.ok()) {
        m_hub->refuse(
            conn, "channel " + open.channel.to_hex() + ": GetChannel: " + status.error_message());
        return;
    }
    const auto payer = tron::TronAddress::from_base58(info.payer());
    std::string why;
    if (info.payee() != m_payee.to_base58())
        why = "pays " + info.payee() + ", not us";
    else if (info.state() != v1::CHANNEL_STATE_OPEN)
        why = "is " + v1::ChannelState_Name(info.state()) + ", not OPEN";
    else if (info.token_id() != m_node.token_id())
        why = "holds token " + info.token_id();
    else if (!payer || info.deposit() <= 0 || info.accepted() < 0)
        why = "has no usable payer or deposit";
    if (!why.empty()) {
        m_hub->refuse(conn, "channel " + open.channel.to_hex() + " " + why);
        return;
    }
    m_channels[open.channel] = {*payer, static_cast<std::uint64_t>(info.deposit())};
    m_conn_channel[conn] = open.channel;
    m_hub->grant_channel(conn, open.channel, static_cast<std::uint64_t>(info.accepted()));
}

void NodeLink::handle_proof(std::uint64_t conn, const ProofMsg& proof) {
    const auto bound = m_conn_channel.find(conn);
    if (bound == m_conn_channel.end() || bound->second != proof.channel)
        return;  // its open was refused; the connection is being closed
    const auto& facts = m_channels[proof.channel];
    // The seeder checks the payer's signature itself before it bothers the node.
    channels::ProofMsg msg{Bytes(proof.channel.bytes().begin(), proof.channel.bytes().end()),
                           proof.amount, Bytes(proof.signature.begin(), proof.signature.end())};
    const auto verified = channels::check_proof(msg);
    if (!verified || verified->signer != facts.payer) {
        m_hub->refuse(conn, "a proof not signed by the channel's payer");
        return;
    }
    if (proof.amount > facts.deposit) {
        m_hub->refuse(conn, "a proof above the channel's deposit");
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        const auto acked = m_acked.find(proof.channel);
        if (acked != m_acked.end() && acked->second >= proof.amount)
            return;  // the node already committed as much
        const auto kept = m_unacked.find(proof.channel);
        if (kept != m_unacked.end() && kept->second.amount >= proof.amount)
            return;  // the kept proof pays more; it is on its way
        m_unacked.insert_or_assign(proof.channel, Unacked{conn, proof.amount, proof.signature});
    }
    send_unacked();
}

bool NodeLink::ensure_stream() {
    if (m_stream)
        return true;
    m_stream_ctx = std::make_unique<grpc::ClientContext>();
    m_stream = m_stub->StreamProofs(m_stream_ctx.get());
    if (!m_stream)
        return false;
    auto* stream = m_stream.get();
    m_reader = std::thread([this, stream] {
        v1::ProofResult r;
        while (stream->Read(&r))
            on_result(r);
        std::lock_guard lock(m_mutex);
        // Unanswered: the kept proofs go out again on the next stream.
        m_pending.clear();
        for (auto& [channel, u] : m_unacked)
            u.in_flight = 0;
        m_stream_ended = true;
        m_wake.notify_all();
    });
    return true;
}

void NodeLink::on_result(const v1::ProofResult& r) {
    Pending p;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_pending.find(r.request_id());
        if (it == m_pending.end())
            return;
        p = it->second;
        m_pending.erase(it);
        const auto u = m_unacked.find(p.channel);
        if (u != m_unacked.end() && u->second.in_flight == r.request_id())
            u->second.in_flight = 0;
    }
    const bool committed =
        r.outcome() == v1::OUTCOME_ACCEPTED || r.outcome() == v1::OUTCOME_DUPLICATE;
    if (committed && receipt_valid(r, p.channel, m_receipt_address) &&
        r.receipt().amount() == p.amount) {
        {
            std::lock_guard lock(m_mutex);
            const auto u = m_unacked.find(p.channel);
            if (u != m_unacked.end() && u->second.amount <= p.amount)
                m_unacked.erase(u);
            auto& acked = m_acked[p.channel];
            acked = std::max(acked, p.amount);
            m_backoff = kFirstBackoff;
            m_outage_logged = false;
        }
        m_hub->commit(p.conn, p.channel, p.amount);
        return;
    }
    if (committed || is_retry_reason(r.reason())) {
        // Not acknowledged, but not the payer's fault: keep it and send it again later.
        bool first = true;
        {
            std::lock_guard lock(m_mutex);
            const auto u = m_unacked.find(p.channel);
            if (u != m_unacked.end() && u->second.amount == p.amount) {
                first = !u->second.retry_logged;
                u->second.retry_logged = true;
            }
            schedule_retry_locked();
        }
        if (first)
            log_line(m_log, "node did not acknowledge proof " + std::to_string(p.amount) + " of " +
                                p.channel.to_hex() + " (" +
                                (committed ? "no valid receipt" : r.reason_token()) +
                                "); resending it");
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        const auto u = m_unacked.find(p.channel);
        if (u != m_unacked.end() && u->second.amount == p.amount)
            m_unacked.erase(u);
    }
    log_line(m_log, "node refused proof " + std::to_string(p.amount) + " of " + p.channel.to_hex() +
                        ": " + r.reason_token() + "; dropped");
    m_hub->refuse(p.conn, "the node refused its proof: " + r.reason_token());
}

void NodeLink::close_stream() {
    if (!m_stream)
        return;
    m_stream->WritesDone();
    if (m_reader.joinable())
        m_reader.join();
    (void)m_stream->Finish();
    m_stream.reset();
    m_stream_ctx.reset();
    // A proof written after the reader saw the end was never answered: send it again.
    std::lock_guard lock(m_mutex);
    m_pending.clear();
    for (auto& [channel, u] : m_unacked)
        u.in_flight = 0;
}

}  // namespace btt::torrent
