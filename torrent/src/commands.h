#pragma once
// What bttorrent's commands share (private to torrent/src): options, stop signals, loading
// a torrent, reaching the node, waiting for checks.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <libtorrent/session.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>

#include <btt/base/expected.h>
#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/tron/address.h>

namespace btt::torrent {

struct SeedOptions {
    std::string torrent, data, payee_key, node, listen = "127.0.0.1:6881", tron;
    std::uint64_t price = 0;
    std::uint32_t free_pieces = 0, credit_pieces = 8;
    bool json = false;
};

struct GetOptions {
    std::string torrent, out_dir, payer_key, node, tron, listen = "127.0.0.1:0", channel;
    std::int64_t deposit = 0, expiry_s = 0;
    std::uint64_t max_price = static_cast<std::uint64_t>(INT64_MAX), budget = 0;
    std::vector<std::string> peers;
    double timeout_s = 600;
    bool json = false;
    bool greedy = false;                  // tests: request every piece whatever the sellers allow
    std::uint64_t stop_paying_after = 0;  // tests: stop paying after this many pieces, then
                                          // ask for every piece
};

[[nodiscard]] int cmd_make(const std::string& file, const std::string& out_path, int piece_size,
                           std::ostream& out, std::ostream& err);
[[nodiscard]] int cmd_seed(const SeedOptions& o, std::ostream& out, std::ostream& err);
[[nodiscard]] int cmd_get(const GetOptions& o, std::ostream& out, std::ostream& err);

// Set by SIGINT/SIGTERM once install_stop_signals() ran.
extern std::atomic<bool> g_stop;
void install_stop_signals();

struct Failure {
    int code;
    std::string message;
};

[[nodiscard]] std::optional<libtorrent::tcp::endpoint> parse_endpoint(const std::string& text);
[[nodiscard]] Expected<std::shared_ptr<const libtorrent::torrent_info>, Failure> load_torrent(
    const std::string& path);
[[nodiscard]] std::unique_ptr<btt::channel::v1::ChannelService::Stub> node_stub(
    const std::string& address);
[[nodiscard]] Expected<btt::channel::v1::NodeInfo, Failure> node_info(
    btt::channel::v1::ChannelService::Stub& stub, const std::string& address);
// Waits for the torrent's checking to end; false on an error or a stop signal.
[[nodiscard]] bool wait_checked(libtorrent::session& ses, const libtorrent::torrent_handle& h,
                                std::ostream& err);
// The token balance of `who` on the full node at `tron`; nullopt when it does not answer.
[[nodiscard]] std::optional<std::int64_t> token_balance(const std::string& tron,
                                                        const tron::TronAddress& who,
                                                        const std::string& token);
[[nodiscard]] std::string human_rate(double bytes_per_s);

}  // namespace btt::torrent
