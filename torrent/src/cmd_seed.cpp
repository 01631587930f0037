// bttorrent seed: sells pieces over btt_pay, settles through the node (NodeLink).
#include <filesystem>

#include <fmt/format.h>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/torrent_status.hpp>
#include <nlohmann/json.hpp>

#include <btt/torrent/log.h>
#include <btt/torrent/node_link.h>
#include <btt/torrent/run.h>
#include <btt/tron/io/key_file.h>

#include "commands.h"
#include "session.h"

namespace btt::torrent {

namespace lt = libtorrent;
namespace fs = std::filesystem;
namespace v1 = btt::channel::v1;
using Clock = std::chrono::steady_clock;

int cmd_seed(const SeedOptions& o, std::ostream& out, std::ostream& err) {
    if (o.price == 0 || o.credit_pieces == 0) {
        log_line(err, "--price and --credit-pieces must be at least 1");
        return kExitUsage;
    }
    auto ti = load_torrent(o.torrent);
    if (!ti) {
        log_line(err, ti.error().message);
        return ti.error().code;
    }
    auto key = tron::io::read_private_key_file(o.payee_key);
    if (!key) {
        log_line(err, key.error().message());
        return kExitUsage;
    }
    const auto payee = key->address();
    if (!fs::is_regular_file(o.data)) {
        log_line(err, o.data + ": not a file");
        return kExitUsage;
    }
    if ((*ti)->num_files() != 1) {
        log_line(err, "only single-file torrents can be seeded with --data");
        return kExitUsage;
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
    Offer offer{payee, o.price, info->token_id(), *escrow, o.node, o.credit_pieces, o.free_pieces};
    NodeLink link(node_stub(o.node), *info, payee, err);
    auto hub = std::make_shared<Hub>(
        SellerConfig{offer,
                     [&link](std::uint64_t conn, const PayMessage& m) { link.submit(conn, m); }},
        std::nullopt, err);
    link.start(hub);

    install_stop_signals();
    auto ses = make_session(o.listen, hub);
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(**ti);
    atp.save_path = fs::absolute(o.data).parent_path().string();
    atp.renamed_files[lt::file_index_t(0)] = fs::path(o.data).filename().string();
    lt::error_code ec;
    auto h = ses->add_torrent(std::move(atp), ec);
    if (ec) {
        log_line(err, "add_torrent: " + ec.message());
        return kExitUsage;
    }
    if (!wait_checked(*ses, h, err)) {
        log_line(err, "checking the data failed");
        return kExitUsage;
    }
    const auto st = h.status();
    if (!st.is_seeding) {
        log_line(err, fmt::format("{}: only {} of {} pieces match the torrent", o.data,
                                  st.num_pieces, (*ti)->num_pieces()));
        return kExitUsage;
    }
    if (!o.tron.empty()) {
        const auto balance = token_balance(o.tron, payee, info->token_id());
        log_line(err, "payee balance " + (balance ? std::to_string(*balance) : "unknown"));
    }
    log_line(err, fmt::format("seeding {} on port {}: price {} per piece of token {}, payee {}, "
                              "free {}, credit {}; ready",
                              (*ti)->name(), ses->listen_port(), o.price, info->token_id(),
                              payee.to_base58(), o.free_pieces, o.credit_pieces));
    while (!g_stop) {
        std::vector<lt::alert*> alerts;
        ses->pop_alerts(&alerts);
        ses->wait_for_alert(std::chrono::milliseconds(200));
    }
    ses->pause();
    link.stop(std::chrono::seconds(5));

    std::uint64_t served = 0, committed_pieces = 0;
    nlohmann::json peers = nlohmann::json::array();
    for (const auto& r : hub->report()) {
        served += r.served;
        committed_pieces += r.paid_pieces;
        peers.push_back({{"peer", r.peer},
                         {"btt_pay", r.speaks_btt_pay},
                         {"served", r.served},
                         {"paid_pieces", r.paid_pieces},
                         {"committed", std::to_string(r.committed)},
                         {"channel_id", r.channel_hex}});
    }
    std::optional<std::int64_t> balance;
    if (!o.tron.empty())
        balance = token_balance(o.tron, payee, info->token_id());
    if (o.json) {
        nlohmann::json summary{{"served", served},
                               {"paid_pieces", committed_pieces},
                               {"price", std::to_string(o.price)},
                               {"peers", peers}};
        if (balance)
            summary["payee_balance"] = std::to_string(*balance);
        out << summary.dump() << "\n";
    } else {
        out << fmt::format("served {} pieces, {} paid with receipts\n", served, committed_pieces);
    }
    return kExitOk;
}

}  // namespace btt::torrent
