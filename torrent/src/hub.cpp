#include <btt/torrent/hub.h>

#include <algorithm>

#include <btt/base/hex.h>
#include <btt/torrent/log.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::torrent {

Hub::Hub(std::optional<SellerConfig> seller, std::optional<BuyerConfig> buyer, std::ostream& log)
    : m_seller(std::move(seller)), m_buyer(buyer), m_log(log) {}

void Hub::on_connect(std::uint64_t conn, std::string peer) {
    std::lock_guard lock(m_mutex);
    auto& c = m_conns[conn];
    c.peer = std::move(peer);
    if (m_seller) {
        c.credit.emplace(SeederTerms{m_seller->offer.price, m_seller->offer.free_pieces,
                                     m_seller->offer.credit_pieces});
    }
}

void Hub::on_disconnect(std::uint64_t conn) {
    std::lock_guard lock(m_mutex);
    const auto it = m_conns.find(conn);
    if (it == m_conns.end())
        return;
    // Only the totals outlive the connection: a peer that connects and leaves again and
    // again must not grow the seeder's memory.
    if (const auto& credit = it->second.credit) {
        if (credit->has_channel())
            m_sales[credit->channel()].closed_served += credit->served();
        else {
            auto& unpaid = m_closed_unpaid[it->second.speaks ? 1 : 0];
            unpaid.served += credit->served();
            ++unpaid.connections;
        }
    }
    m_conns.erase(it);
}

std::string Hub::hello() const {
    Hello h;
    if (m_seller)
        h.offer = m_seller->offer;
    return encode_hello(h);
}

void Hub::on_peer_hello(std::uint64_t conn, std::optional<Hello> hello) {
    std::lock_guard lock(m_mutex);
    const auto it = m_conns.find(conn);
    if (it == m_conns.end())
        return;  // closed meanwhile
    auto& c = it->second;
    c.hello_seen = true;
    c.speaks = hello.has_value();
    if (hello && hello->offer) {
        c.offer = hello->offer;
        c.allow = hello->offer->free_pieces;
        if (m_buyer)
            m_offers.push_back({conn, c.peer, *hello->offer});
        if (m_channel && sells_to_us_locked(c))
            announce_locked(c);
    }
}

RequestVerdict Hub::on_request(std::uint64_t conn, std::uint32_t piece) {
    std::lock_guard lock(m_mutex);
    const auto it = m_conns.find(conn);
    if (it == m_conns.end())
        return m_seller ? RequestVerdict::Refuse : RequestVerdict::Serve;
    auto& c = it->second;
    if (!c.credit)
        return RequestVerdict::Serve;  // not selling: plain BitTorrent
    const auto verdict = c.credit->on_request(piece);
    if (verdict == RequestVerdict::Refuse && !c.choked_by_us) {
        c.choked_by_us = true;
        log_line(m_log, c.peer + ": cut off after " + std::to_string(c.credit->served()) +
                            " pieces (" + std::to_string(c.credit->paid_pieces()) +
                            " paid, allowance " + std::to_string(c.credit->allowance()) + ")");
    }
    return verdict;
}

std::optional<std::string> Hub::on_message(std::uint64_t conn, const PayMessage& m) {
    std::lock_guard lock(m_mutex);
    const auto it = m_conns.find(conn);
    if (it == m_conns.end())
        return std::nullopt;  // closed meanwhile: nothing to act on
    auto& c = it->second;
    if (const auto* ack = std::get_if<AckMsg>(&m)) {
        if (!m_buyer)
            return "ack from a peer we sell to";
        if (!m_channel || ack->channel != m_channel->id || !sells_to_us_locked(c))
            return "ack for a channel we did not announce to this peer";
        c.allow = std::max(c.allow, ack->allow);
        m_channel->acked = std::max(m_channel->acked, ack->amount);
        return std::nullopt;
    }
    if (!m_seller)
        return "payment sent to a peer that sells nothing";
    // The node link handles one connection's messages in order: a proof that follows its
    // open is judged after the channel was looked up.
    if (const auto* proof = std::get_if<ProofMsg>(&m)) {
        if (!c.opened || *c.opened != proof->channel)
            return "proof for a channel not opened on this connection";
    }
    if (const auto* open = std::get_if<OpenMsg>(&m)) {
        if (c.opened)
            return "a second open on one connection";
        c.opened = open->channel;
    }
    m_seller->sink(conn, m);
    return std::nullopt;
}

bool Hub::sells_to_us_locked(const Conn& c) const {
    return m_channel && c.offer && c.offer->payee == m_channel->payee &&
           c.offer->price == m_channel->account.price();
}

void Hub::announce_locked(Conn& c) {
    if (c.announced)
        return;
    c.announced = true;
    c.outbox.push_back(encode_message(OpenMsg{m_channel->id}));
    // Pieces this seller sent before the channel was ready (its free trial) are paid now.
    for (const auto piece : c.received) {
        if (auto msg = pay_locked(c, piece))
            c.outbox.push_back(std::move(*msg));
    }
}

std::optional<std::string> Hub::pay_locked(Conn& c, std::uint32_t piece) {
    if (m_buyer->stop_paying_after != 0 &&
        m_channel->account.pieces_paid() >= m_buyer->stop_paying_after) {
        return std::nullopt;
    }
    const auto step = m_channel->account.pay_for_piece(piece);
    if (step.outcome != PayOutcome::Paid) {
        if (step.outcome != PayOutcome::AlreadyPaid)
            log_line(m_log, c.peer + ": not paying for piece " + std::to_string(piece) +
                                (step.outcome == PayOutcome::OverBudget ? ": budget spent"
                                                                        : ": deposit spent"));
        return std::nullopt;
    }
    const auto sig = tron::sign_message_v2(
        *m_buyer->payer_key, tron::balance_proof_message(m_channel->id.bytes(), step.amount));
    return encode_message(ProofMsg{m_channel->id, step.amount, sig});
}

std::vector<std::string> Hub::on_piece_pass(std::uint64_t conn, std::uint32_t piece) {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out;
    const auto it = m_conns.find(conn);
    if (!m_buyer || it == m_conns.end())
        return out;
    auto& c = it->second;
    c.received.insert(piece);
    if (m_channel && c.announced && sells_to_us_locked(c)) {
        if (auto proof = pay_locked(c, piece))
            c.outbox.push_back(std::move(*proof));
    }
    // Whatever is queued goes first, in order: an open still waiting for the tick must
    // reach the seller before the proofs that follow it.
    out.swap(c.outbox);
    return out;
}

PeerWork Hub::take_work(std::uint64_t conn) {
    std::lock_guard lock(m_mutex);
    PeerWork w;
    const auto it = m_conns.find(conn);
    if (it == m_conns.end())
        return w;
    auto& c = it->second;
    w.messages.swap(c.outbox);
    w.close_reason = c.close_reason;
    w.unchoke = c.unchoke_due;
    c.unchoke_due = false;
    return w;
}

void Hub::grant_channel(std::uint64_t conn, const channels::ChannelId& channel,
                        std::uint64_t accepted) {
    std::lock_guard lock(m_mutex);
    const auto it = m_conns.find(conn);
    if (it == m_conns.end() || !it->second.credit)
        return;
    auto& c = it->second;
    c.credit->grant_channel(channel, accepted);
    const auto [sales, first] = m_sales.try_emplace(channel);
    if (first) {
        sales->second.start = accepted;
        sales->second.committed = accepted;
    }
    sales->second.peer = c.peer;
    log_line(m_log, c.peer + ": pays through channel " + channel.to_hex() + " (committed " +
                        std::to_string(accepted) + ")");
    c.outbox.push_back(encode_message(AckMsg{channel, accepted, c.credit->allowance()}));
    if (c.choked_by_us) {
        c.choked_by_us = false;
        c.unchoke_due = true;
    }
}

void Hub::commit(std::uint64_t conn, const channels::ChannelId& channel, std::uint64_t amount) {
    std::lock_guard lock(m_mutex);
    // The channel's total counts even when the connection that paid has closed meanwhile.
    if (const auto sales = m_sales.find(channel); sales != m_sales.end())
        sales->second.committed = std::max(sales->second.committed, amount);
    const auto it = m_conns.find(conn);
    if (it == m_conns.end() || !it->second.credit)
        return;
    auto& c = it->second;
    if (!c.credit->has_channel() || c.credit->channel() != channel)
        return;
    const bool is_newer = amount > c.credit->committed();
    (void)c.credit->commit(amount);
    if (!is_newer)
        return;
    c.outbox.push_back(
        encode_message(AckMsg{channel, c.credit->committed(), c.credit->allowance()}));
    if (c.choked_by_us && c.credit->served() < c.credit->allowance()) {
        c.choked_by_us = false;
        c.unchoke_due = true;
    }
}

void Hub::refuse(std::uint64_t conn, const std::string& reason) {
    std::lock_guard lock(m_mutex);
    const auto it = m_conns.find(conn);
    if (it == m_conns.end())
        return;
    it->second.close_reason = reason;
}

std::vector<OfferSeen> Hub::take_offers() {
    std::lock_guard lock(m_mutex);
    std::vector<OfferSeen> out;
    out.swap(m_offers);
    return out;
}

void Hub::set_channel(const tron::TronAddress& payee, const channels::ChannelId& channel,
                      PayerAccount account) {
    std::lock_guard lock(m_mutex);
    m_channel.emplace(BuyerChannel{payee, channel, std::move(account), 0});
    for (auto& [id, c] : m_conns) {
        if (sells_to_us_locked(c))
            announce_locked(c);
    }
}

std::optional<std::uint64_t> Hub::more_pieces_allowed() const {
    std::lock_guard lock(m_mutex);
    std::uint64_t total = 0;
    for (const auto& [id, c] : m_conns) {
        if (!c.hello_seen)
            continue;
        if (!c.speaks || !c.offer)
            return std::nullopt;  // serves without asking
        if (c.allow > c.received.size())
            total += c.allow - c.received.size();
    }
    return total;
}

bool Hub::any_peer_hello() const {
    std::lock_guard lock(m_mutex);
    return std::any_of(m_conns.begin(), m_conns.end(),
                       [](const auto& kv) { return kv.second.hello_seen; });
}

std::uint64_t Hub::signed_total() const {
    std::lock_guard lock(m_mutex);
    return m_channel ? m_channel->account.signed_total() : 0;
}

std::uint64_t Hub::spent() const {
    std::lock_guard lock(m_mutex);
    return m_channel ? m_channel->account.spent() : 0;
}

std::uint64_t Hub::pieces_paid() const {
    std::lock_guard lock(m_mutex);
    return m_channel ? m_channel->account.pieces_paid() : 0;
}

std::uint64_t Hub::acked() const {
    std::lock_guard lock(m_mutex);
    return m_channel ? m_channel->acked : 0;
}

std::optional<channels::ChannelId> Hub::channel() const {
    std::lock_guard lock(m_mutex);
    if (!m_channel)
        return std::nullopt;
    return m_channel->id;
}

std::vector<PeerReport> Hub::report() const {
    std::lock_guard lock(m_mutex);
    std::vector<PeerReport> out;
    std::map<channels::ChannelId, std::uint64_t> live_served;
    for (const auto& [id, c] : m_conns) {
        if (c.credit && c.credit->has_channel()) {
            live_served[c.credit->channel()] += c.credit->served();
            continue;  // reported with its channel
        }
        PeerReport r;
        r.peer = c.peer;
        r.speaks_btt_pay = c.speaks;
        r.served = c.credit ? c.credit->served() : 0;
        r.received = c.received.size();
        out.push_back(std::move(r));
    }
    for (const auto& [channel, sales] : m_sales) {
        PeerReport r;
        r.peer = sales.peer;
        r.speaks_btt_pay = true;
        r.served = sales.closed_served + live_served[channel];
        r.committed = sales.committed;
        r.paid_pieces = (sales.committed - sales.start) / m_seller->offer.price;
        r.channel_hex = channel.to_hex();
        out.push_back(std::move(r));
    }
    for (const bool speaks : {false, true}) {
        const auto& unpaid = m_closed_unpaid[speaks ? 1 : 0];
        if (unpaid.connections == 0)
            continue;
        PeerReport r;
        r.peer = "closed";
        r.speaks_btt_pay = speaks;
        r.served = unpaid.served;
        out.push_back(std::move(r));
    }
    return out;
}

std::size_t Hub::connection_records() const {
    std::lock_guard lock(m_mutex);
    return m_conns.size();
}

}  // namespace btt::torrent
