#include <btt/torrent/plugin.h>

#include <atomic>
#include <iostream>
#include <vector>

#include <libtorrent/bdecode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/torrent_handle.hpp>

#include <btt/torrent/log.h>

namespace btt::torrent {

namespace lt = libtorrent;

namespace {

// BEP 10: every extended message is message id 20 followed by the extension's id.
constexpr char kExtendedMessageId = 20;

class PayPeer final : public lt::peer_plugin {
public:
    PayPeer(std::shared_ptr<Hub> hub, lt::peer_connection_handle pc, std::uint64_t id)
        : m_hub(std::move(hub)), m_pc(std::move(pc)), m_id(id) {
        const auto& ep = m_pc.remote();
        m_hub->on_connect(m_id, ep.address().to_string() + ":" + std::to_string(ep.port()));
    }

    lt::string_view type() const override { return "btt_pay"; }

    void add_handshake(lt::entry& h) override {
        h["m"]["btt_pay"] = kOurExtensionId;
        const auto hello = m_hub->hello();
        lt::error_code ec;
        const auto node =
            lt::bdecode(lt::span<char const>(hello.data(), static_cast<long>(hello.size())), ec);
        if (!ec)
            h["btt_pay"] = node;
    }

    bool on_extension_handshake(lt::bdecode_node const& h) override {
        if (h.type() != lt::bdecode_node::dict_t)
            return true;
        const auto m = h.dict_find_dict("m");
        const auto id = m ? m.dict_find_int_value("btt_pay", -1) : -1;
        if (id <= 0 || id > 255) {
            m_hub->on_peer_hello(m_id, std::nullopt);  // a plain BitTorrent peer
            return true;
        }
        const auto body = h.dict_find_dict("btt_pay");
        if (!body) {
            close("btt_pay handshake without a btt_pay dictionary");
            return true;
        }
        const auto section = body.data_section();
        auto hello = decode_hello(
            std::string_view(section.data(), static_cast<std::size_t>(section.size())));
        if (!hello) {
            close("bad btt_pay handshake: " + hello.error().message());
            return true;
        }
        m_their_id = static_cast<int>(id);
        m_hub->on_peer_hello(m_id, *hello);
        return true;
    }

    bool on_request(lt::peer_request const& r) override {
        if (r.piece < lt::piece_index_t(0))
            return false;
        const auto piece = static_cast<std::uint32_t>(static_cast<int>(r.piece));
        if (m_hub->on_request(m_id, piece) == RequestVerdict::Serve)
            return false;
        // Dropped: the public API cannot send REJECT_REQUEST, so the request times out at
        // the peer; the choke tells it not to ask again for now.
        if (!m_choked) {
            m_choked = true;
            m_pc.choke_this_peer();
        }
        return true;
    }

    bool on_extended(int length, int msg, lt::span<char const> body) override {
        if (msg != kOurExtensionId)
            return false;
        if (length < 0 || static_cast<std::size_t>(length) > kMaxBencodedSize) {
            close("btt_pay message of " + std::to_string(length) + " bytes");
            return true;
        }
        if (body.size() < length)
            return true;  // a fragment: wait for the whole message
        auto m =
            decode_message(std::string_view(body.data(), static_cast<std::size_t>(body.size())));
        if (!m) {
            close("bad btt_pay message: " + m.error().message());
            return true;
        }
        if (auto refusal = m_hub->on_message(m_id, *m))
            close(*refusal);
        return true;
    }

    void on_piece_pass(lt::piece_index_t piece) override {
        for (const auto& message :
             m_hub->on_piece_pass(m_id, static_cast<std::uint32_t>(static_cast<int>(piece))))
            send(message);
    }

    void on_disconnect(lt::error_code const&) override { m_hub->on_disconnect(m_id); }

    // On the network thread, from the session plugin's tick.
    void drain() {
        if (m_closed || m_pc.is_disconnecting())
            return;
        auto work = m_hub->take_work(m_id);
        for (const auto& message : work.messages)
            send(message);
        if (work.close_reason) {
            close(*work.close_reason);
            return;
        }
        if (work.unchoke && m_choked) {
            m_choked = false;
            m_pc.maybe_unchoke_this_peer();
        }
    }

private:
    void send(const std::string& payload) {
        if (m_their_id <= 0 || m_closed)
            return;
        std::vector<char> frame(6 + payload.size());
        const auto length = static_cast<std::uint32_t>(2 + payload.size());
        frame[0] = static_cast<char>((length >> 24) & 0xff);
        frame[1] = static_cast<char>((length >> 16) & 0xff);
        frame[2] = static_cast<char>((length >> 8) & 0xff);
        frame[3] = static_cast<char>(length & 0xff);
        frame[4] = kExtendedMessageId;
        frame[5] = static_cast<char>(m_their_id);
        std::copy(payload.begin(), payload.end(), frame.begin() + 6);
        m_pc.send_buffer(frame.data(), static_cast<int>(frame.size()));
    }

    void close(const std::string& reason) {
        if (m_closed)
            return;
        m_closed = true;
        const auto& ep = m_pc.remote();
        log_line(std::cerr, ep.address().to_string() + ":" + std::to_string(ep.port()) +
                                ": closing the connection: " + reason);
        m_pc.disconnect(lt::errors::invalid_message, lt::operation_t::bittorrent);
    }

    std::shared_ptr<Hub> m_hub;
    lt::peer_connection_handle m_pc;
    std::uint64_t m_id;
    int m_their_id = 0;
    bool m_choked = false;
    bool m_closed = false;
};

class PayPlugin;

class PayTorrent final : public lt::torrent_plugin {
public:
    PayTorrent(std::shared_ptr<Hub> hub, PayPlugin& session)
        : m_hub(std::move(hub)), m_session(session) {}
    std::shared_ptr<lt::peer_plugin> new_connection(lt::peer_connection_handle const& pc) override;

private:
    std::shared_ptr<Hub> m_hub;
    PayPlugin& m_session;
};

class PayPlugin final : public lt::plugin {
public:
    explicit PayPlugin(std::shared_ptr<Hub> hub) : m_hub(std::move(hub)) {}

    lt::feature_flags_t implemented_features() override { return tick_feature; }

    std::shared_ptr<lt::torrent_plugin> new_torrent(lt::torrent_handle const&,
                                                    lt::client_data_t) override {
        return std::make_shared<PayTorrent>(m_hub, *this);
    }

    // Every tick_interval (bttorrent sets 50 ms): queued messages go out on this thread.
    void on_tick() override {
        std::vector<std::weak_ptr<PayPeer>> alive;
        for (auto& weak : m_peers) {
            if (auto peer = weak.lock()) {
                peer->drain();
                alive.push_back(weak);
            }
        }
        m_peers.swap(alive);
    }

    std::shared_ptr<PayPeer> add_peer(lt::peer_connection_handle const& pc) {
        auto peer = std::make_shared<PayPeer>(m_hub, pc, ++m_next_id);
        m_peers.push_back(peer);
        return peer;
    }

private:
    std::shared_ptr<Hub> m_hub;
    std::vector<std::weak_ptr<PayPeer>> m_peers;  // network thread only
    std::uint64_t m_next_id = 0;
};

std::shared_ptr<lt::peer_plugin> PayTorrent::new_connection(lt::peer_connection_handle const& pc) {
    if (pc.type() != lt::connection_type::bittorrent)
        return nullptr;  // web seeds sell nothing and pay nothing
    return m_session.add_peer(pc);
}

}  // namespace

std::shared_ptr<lt::plugin> make_pay_plugin(std::shared_ptr<Hub> hub) {
    return std::make_shared<PayPlugin>(std::move(hub));
}

}  // namespace btt::torrent
