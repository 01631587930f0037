// bttorrent get: downloads, opening or reusing a channel to an acceptable seller and paying
// for each verified piece (Hub), asking only for what the sellers will serve.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/torrent_status.hpp>
#include <nlohmann/json.hpp>

#include <btt/torrent/channel_opener.h>
#include <btt/torrent/log.h>
#include <btt/torrent/run.h>
#include <btt/tron/io/key_file.h>

#include "commands.h"
#include "session.h"

namespace btt::torrent {

namespace lt = libtorrent;
namespace fs = std::filesystem;
namespace v1 = btt::channel::v1;
using Clock = std::chrono::steady_clock;

int cmd_get(const GetOptions& o, std::ostream& out, std::ostream& err) {
    auto ti = load_torrent(o.torrent);
    if (!ti) {
        log_line(err, ti.error().message);
        return ti.error().code;
    }
    auto key = tron::io::read_private_key_file(o.payer_key);
    if (!key) {
        log_line(err, key.error().message());
        return kExitUsage;
    }
    std::vector<lt::tcp::endpoint> peers;
    for (const auto& p : o.peers) {
        auto ep = parse_endpoint(p);
        if (!ep) {
            log_line(err, "--peer " + p + ": not HOST:PORT");
            return kExitUsage;
        }
        peers.push_back(*ep);
    }
    std::optional<channels::ChannelId> reuse;
    if (!o.channel.empty()) {
        reuse = channels::ChannelId::from_lower_hex(o.channel);
        if (!reuse) {
            log_line(err, "--channel: not 64 lowercase hex digits");
            return kExitUsage;
        }
    }
    auto stub = node_stub(o.node);
    auto info = node_info(*stub, o.node);
    if (!info) {
        log_line(err, info.error().message);
        return info.error().code;
    }
    const auto escrow = tron::TronAddress::from_base58(info->escrow_address());
    if (!escrow) {
        log_line(err, "the node's escrow address is malformed");
        return kExitUnreachable;
    }
    const std::int64_t deposit =
        o.deposit != 0 ? o.deposit
        : o.budget != 0
            ? std::max<std::int64_t>(info->min_deposit(), static_cast<std::int64_t>(o.budget))
            : info->min_deposit();
    const std::uint64_t budget = o.budget != 0 ? o.budget : static_cast<std::uint64_t>(deposit);
    const PayerTerms terms{o.max_price, budget, info->token_id(), *escrow};

    const int pieces_total = (*ti)->num_pieces();
    auto hub = std::make_shared<Hub>(std::nullopt, BuyerConfig{&*key, o.stop_paying_after}, err);
    install_stop_signals();
    fs::create_directories(o.out_dir);
    auto ses = make_session(o.listen, hub);
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(**ti);
    atp.save_path = o.out_dir;
    const bool gated = !o.greedy;
    if (gated)
        atp.piece_priorities.assign(static_cast<std::size_t>(pieces_total), lt::dont_download);
    lt::error_code ec;
    auto h = ses->add_torrent(std::move(atp), ec);
    if (ec) {
        log_line(err, "add_torrent: " + ec.message());
        return kExitUsage;
    }
    if (!wait_checked(*ses, h, err))
        return kExitUsage;
    for (const auto& ep : peers)
        h.connect_peer(ep);

    const auto started = Clock::now();
    const auto deadline =
        started + std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout_s * 1000));
    bool channel_tried = false;
    int exit_code = kExitOk;
    int enabled = 0;
    auto last_print = Clock::now();
    auto last_connect = Clock::now();
    const bool tty = isatty(STDERR_FILENO) != 0;
    lt::torrent_status st = h.status();
    while (true) {
        std::vector<lt::alert*> alerts;
        ses->pop_alerts(&alerts);
        for (const auto* a : alerts) {
            if (const auto* e = lt::alert_cast<lt::torrent_error_alert>(a))
                log_line(err, e->message());
        }
        if (g_stop) {
            exit_code = kExitIncomplete;
            break;
        }
        st = h.status();
        if (st.num_pieces >= pieces_total)
            break;
        if (Clock::now() >= deadline) {
            log_line(err,
                     fmt::format("timed out with {} of {} pieces", st.num_pieces, pieces_total));
            exit_code = kExitIncomplete;
            break;
        }
        for (const auto& seen : hub->take_offers()) {
            const auto verdict = judge_offer(seen.offer, terms);
            if (verdict != OfferVerdict::Accept) {
                log_line(err, fmt::format("{} sells at {} per piece: declined ({})", seen.peer,
                                          seen.offer.price, to_token(verdict)));
                continue;
            }
            if (channel_tried)
                continue;  // one channel per run: other sellers serve us their free pieces
            channel_tried = true;
            auto opened =
                reuse ? reuse_channel(*stub, *reuse, key->address(), seen.offer.payee)
                      : open_channel(
                            *stub, *info,
                            OpenRequest{&*key, seen.offer.payee, deposit, o.expiry_s, o.tron}, err);
            if (!opened) {
                log_line(err, "no channel: " + opened.error().message);
                exit_code = opened.error().is_unreachable ? kExitUnreachable : kExitIncomplete;
                continue;
            }
            log_line(err,
                     fmt::format("paying {} per piece to {} through channel {}", seen.offer.price,
                                 seen.offer.payee.to_base58(), opened->id.to_hex()));
            hub->set_channel(
                seen.offer.payee, opened->id,
                PayerAccount(seen.offer.price, budget, opened->deposit, opened->accepted));
        }
        // Tests: a payer that stops paying turns greedy, to prove the seller cuts it off.
        const bool turned_greedy =
            o.stop_paying_after != 0 && hub->pieces_paid() >= o.stop_paying_after;
        if (gated && turned_greedy) {
            for (; enabled < pieces_total; ++enabled)
                h.piece_priority(lt::piece_index_t(enabled), lt::default_priority);
        }
        if (gated) {
            // Ask only for what the sellers will serve: a dropped request would stall until
            // it timed out. Pieces are enabled in order.
            const auto more = hub->more_pieces_allowed();
            const int target = more ? static_cast<int>(std::min<std::uint64_t>(
                                          static_cast<std::uint64_t>(pieces_total),
                                          static_cast<std::uint64_t>(st.num_pieces) + *more))
                                    : (hub->any_peer_hello() ? pieces_total : 0);
            for (; enabled < target; ++enabled)
                h.piece_priority(lt::piece_index_t(enabled), lt::default_priority);
        }
        // A seller that cut us off may have dropped the connection; ask again now and then.
        if (Clock::now() - last_connect > std::chrono::seconds(5) && st.num_peers == 0) {
            last_connect = Clock::now();
            for (const auto& ep : peers)
                h.connect_peer(ep);
        }
        if (tty && Clock::now() - last_print > std::chrono::milliseconds(500)) {
            last_print = Clock::now();
            err << fmt::format("\r[{:<30}] {}/{} pieces  {}  spent {}   ",
                               std::string(static_cast<std::size_t>(30 * st.num_pieces /
                                                                    std::max(1, pieces_total)),
                                           '#'),
                               st.num_pieces, pieces_total, human_rate(st.download_payload_rate),
                               hub->spent())
                << std::flush;
        }
        ses->wait_for_alert(std::chrono::milliseconds(50));
    }
    if (tty)
        err << "\n";
    const bool complete = st.num_pieces >= pieces_total;
    // The last proofs are on the wire: give the seller a moment to commit and acknowledge.
    const auto ack_deadline = Clock::now() + std::chrono::seconds(5);
    while (complete && hub->channel() && hub->acked() < hub->signed_total() &&
           Clock::now() < ack_deadline && !g_stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const auto channel = hub->channel();
    ses.reset();  // closes the files: the data is on disk when we report
    if (o.json) {
        out << nlohmann::json{{"channel_id", channel ? channel->to_hex() : ""},
                              {"pieces", st.num_pieces},
                              {"pieces_total", pieces_total},
                              {"paid", std::to_string(hub->signed_total())},
                              {"spent", std::to_string(hub->spent())},
                              {"acked", std::to_string(hub->acked())},
                              {"complete", complete},
                              {"seconds", seconds}}
                   .dump()
            << "\n";
    } else {
        out << fmt::format("{} of {} pieces in {:.1f} s; paid {} (channel {})\n", st.num_pieces,
                           pieces_total, seconds, hub->signed_total(),
                           channel ? channel->to_hex() : "none");
    }
    if (complete)
        return kExitOk;
    return exit_code == kExitOk ? kExitIncomplete : exit_code;
}

}  // namespace btt::torrent
