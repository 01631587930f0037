#include <btt/torrent/run.h>

#include <CLI/CLI.hpp>

#include "commands.h"

namespace btt::torrent {

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    CLI::App app("bttorrent: BitTorrent whose downloaders pay seeders per piece in BTT",
                 "bttorrent");
    app.require_subcommand(1);

    std::string make_file, make_out;
    int piece_size = 0;
    auto* make = app.add_subcommand("make", "Create a .torrent for one file");
    make->add_option("file", make_file, "The file")->required();
    make->add_option("-o,--out", make_out, "Where to write the .torrent")->required();
    make->add_option("--piece-size", piece_size, "Bytes per piece (power of two; 0: chosen)");

    SeedOptions so;
    auto* seed = app.add_subcommand("seed", "Seed a file, selling each piece");
    seed->add_option("torrent", so.torrent)->required();
    seed->add_option("--data", so.data, "The file the torrent describes")->required();
    seed->add_option("--price", so.price, "Token base units per piece")->required();
    seed->add_option("--payee-key", so.payee_key, "Key file of the address paid (0600)")
        ->required();
    seed->add_option("--node", so.node, "bttnode gRPC HOST:PORT")->required();
    seed->add_option("--free-pieces", so.free_pieces, "Pieces served to any peer unpaid");
    seed->add_option("--credit-pieces", so.credit_pieces, "Pieces served ahead of receipts (>= 1)");
    seed->add_option("--listen", so.listen, "HOST:PORT to listen on");
    seed->add_option("--tron", so.tron,
                     "Tron full node: shows the payee's balance (the seller needs no chain)");
    seed->add_flag("--json", so.json, "Print a JSON summary on exit");

    GetOptions go;
    auto* get = app.add_subcommand("get", "Download a torrent, paying its sellers per piece");
    get->add_option("torrent", go.torrent)->required();
    get->add_option("--out", go.out_dir, "Folder to download into")->required();
    get->add_option("--payer-key", go.payer_key, "Key file of the paying address (0600)")
        ->required();
    get->add_option("--node", go.node, "bttnode gRPC HOST:PORT")->required();
    get->add_option("--tron", go.tron, "Tron full node HOST:PORT (opens the channel)")->required();
    get->add_option("--deposit", go.deposit,
                    "Channel deposit (default: --budget or the node's minimum)");
    get->add_option("--expiry-s", go.expiry_s, "Channel lifetime after the head block");
    get->add_option("--max-price", go.max_price, "Refuse sellers above this price per piece");
    get->add_option("--budget", go.budget, "Sign at most this much in this run (default: deposit)");
    get->add_option("--peer", go.peers, "A peer HOST:PORT (repeatable)");
    get->add_option("--channel", go.channel, "Reuse this channel (hex) instead of opening one");
    get->add_option("--listen", go.listen, "HOST:PORT to listen on");
    get->add_option("--timeout-s", go.timeout_s, "Give up after this long");
    get->add_flag("--json", go.json, "Print a JSON summary");
    get->add_flag("--greedy", go.greedy, "Tests: request every piece, whatever sellers allow")
        ->group("");
    get->add_option("--stop-paying-after", go.stop_paying_after,
                    "Tests: stop paying after this many pieces")
        ->group("");

    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            out << app.help();
            if (app.got_subcommand(make))
                out << make->help();
            return kExitOk;
        }
        err << "bttorrent: " << e.what() << "\n" << app.help();
        return kExitUsage;
    }
    if (*make)
        return cmd_make(make_file, make_out, piece_size, out, err);
    if (*seed)
        return cmd_seed(so, out, err);
    return cmd_get(go, out, err);
}

}  // namespace btt::torrent
