#pragma once
// The state the btt_pay plugin shares between libtorrent's network thread (the plugin's
// callbacks) and the application's threads (the seeder's node link, the payer's channel
// opener and progress loop). Every method is thread-safe, returns quickly and does no I/O:
// libtorrent callbacks must never wait on the network (issue 14). Messages for a peer are
// queued here and written by the plugin on the network thread (PayPlugin::on_tick).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <btt/torrent/credit.h>
#include <btt/torrent/pay_message.h>

namespace btt::torrent {

// Where a seeder's hub hands proofs and channel announcements (NodeLink::submit). Called on
// the network thread: it must only enqueue.
using NodeSink = std::function<void(std::uint64_t conn, const PayMessage& message)>;

struct SellerConfig {
    Offer offer;
    NodeSink sink;
};

struct BuyerConfig {
    const tron::PrivateKey* payer_key = nullptr;  // owned by the caller, outlives the hub
    // Tests only: sign for this many pieces, then stop paying (0: never stop).
    std::uint64_t stop_paying_after = 0;
};

// One live peer connection as the summaries report it; a seller also gets one entry per
// channel (every connection that paid through it, live or closed, added up) and one per kind
// of closed connection that paid nothing (peer "closed", added up).
struct PeerReport {
    std::string peer;
    bool speaks_btt_pay = false;
    std::uint64_t served = 0;       // seller: pieces served to it
    std::uint64_t committed = 0;    // seller: cumulative amount the node committed
    std::uint64_t paid_pieces = 0;  // seller: pieces those receipts pay for
    std::string channel_hex;        // seller: its verified channel, if any
    std::uint64_t received = 0;     // buyer: verified pieces it sent us
};

struct OfferSeen {
    std::uint64_t conn = 0;
    std::string peer;
    Offer offer;
};

// What the plugin should do on the network thread for one connection.
struct PeerWork {
    std::vector<std::string> messages;  // btt_pay payloads, in order
    std::optional<std::string> close_reason;
    bool unchoke = false;
};

class Hub {
public:
    Hub(std::optional<SellerConfig> seller, std::optional<BuyerConfig> buyer, std::ostream& log);

    // --- called by the plugin, on the network thread -------------------------------
    void on_connect(std::uint64_t conn, std::string peer);
    void on_disconnect(std::uint64_t conn);
    // The hello this side puts in its extended handshake.
    [[nodiscard]] std::string hello() const;
    // The peer's handshake: `hello` is nullopt when it does not speak btt_pay.
    void on_peer_hello(std::uint64_t conn, std::optional<Hello> hello);
    // Seller: Serve or Refuse a block request of `piece` (always Serve when not selling).
    [[nodiscard]] RequestVerdict on_request(std::uint64_t conn, std::uint32_t piece);
    // A btt_pay message from the peer. Returns a close reason when it must not be accepted
    // (a message this side's role does not take, or about another channel).
    [[nodiscard]] std::optional<std::string> on_message(std::uint64_t conn, const PayMessage& m);
    // Buyer: `piece` passed its hash check and this peer sent (part of) it. Returns the
    // messages to send now, in order (what was queued, then the proof for it if one is due).
    [[nodiscard]] std::vector<std::string> on_piece_pass(std::uint64_t conn, std::uint32_t piece);
    [[nodiscard]] PeerWork take_work(std::uint64_t conn);

    // --- called by the seller's node link -------------------------------------------
    void grant_channel(std::uint64_t conn, const channels::ChannelId& channel,
                       std::uint64_t accepted);
    void commit(std::uint64_t conn, const channels::ChannelId& channel, std::uint64_t amount);
    void refuse(std::uint64_t conn, const std::string& reason);

    // --- called by the buyer's application --------------------------------------------
    [[nodiscard]] std::vector<OfferSeen> take_offers();
    void set_channel(const tron::TronAddress& payee, const channels::ChannelId& channel,
                     PayerAccount account);
    // How many more pieces the connected sellers will serve us (each one's allowance less
    // the pieces it already sent on this connection); nullopt when some peer is a plain
    // BitTorrent peer (it serves without asking).
    [[nodiscard]] std::optional<std::uint64_t> more_pieces_allowed() const;
    [[nodiscard]] bool any_peer_hello() const;
    [[nodiscard]] std::uint64_t signed_total() const;  // cumulative, 0 without a channel
    [[nodiscard]] std::uint64_t spent() const;         // signed in this run
    [[nodiscard]] std::uint64_t pieces_paid() const;   // pieces signed for in this run
    [[nodiscard]] std::uint64_t acked() const;         // highest amount a seller acked
    [[nodiscard]] std::optional<channels::ChannelId> channel() const;

    [[nodiscard]] std::vector<PeerReport> report() const;
    // Per-connection records held (live connections only: a closed one leaves its totals).
    [[nodiscard]] std::size_t connection_records() const;

private:
    struct Conn {
        std::string peer;
        bool hello_seen = false;
        bool speaks = false;
        std::optional<Offer> offer;                 // buyer: what the peer sells
        std::optional<SeederCredit> credit;         // seller: what it may take
        std::optional<channels::ChannelId> opened;  // seller: the channel it announced
        std::vector<std::string> outbox;
        std::optional<std::string> close_reason;
        bool choked_by_us = false;
        bool unchoke_due = false;
        bool announced = false;            // buyer: open sent
        std::uint64_t allow = 0;           // buyer: the seller's last allowance
        std::set<std::uint32_t> received;  // buyer: verified pieces it took part in
    };
    // Seller: what every connection paying through one channel added up to. Kept after the
    // connections close, for the summary; one per channel, not per connection.
    struct ChannelSales {
        std::string peer;                 // the latest connection's
        std::uint64_t closed_served = 0;  // pieces served on its closed connections
        std::uint64_t start = 0;          // committed when first granted in this run
        std::uint64_t committed = 0;
    };
    // Seller: closed connections without a channel, added up (index: speaks btt_pay).
    struct UnpaidTotals {
        std::uint64_t served = 0;
        std::uint64_t connections = 0;
    };
    struct BuyerChannel {
        tron::TronAddress payee;
        channels::ChannelId id;
        PayerAccount account;
        std::uint64_t acked = 0;
    };

    std::optional<std::string> pay_locked(Conn& c, std::uint32_t piece);
    void announce_locked(Conn& c);
    [[nodiscard]] bool sells_to_us_locked(const Conn& c) const;

    mutable std::mutex m_mutex;
    std::optional<SellerConfig> m_seller;
    std::optional<BuyerConfig> m_buyer;
    std::ostream& m_log;
    std::map<std::uint64_t, Conn> m_conns;  // live connections only
    std::map<channels::ChannelId, ChannelSales> m_sales;
    UnpaidTotals m_closed_unpaid[2];
    std::vector<OfferSeen> m_offers;
    std::optional<BuyerChannel> m_channel;
};

}  // namespace btt::torrent
