#include "commands.h"

#include <chrono>
#include <csignal>

#include <fmt/format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/torrent_status.hpp>

#include <btt/torrent/log.h>
#include <btt/torrent/run.h>
#include <btt/tron/client/tron_client.h>

namespace btt::torrent {

namespace lt = libtorrent;
namespace v1 = btt::channel::v1;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};

namespace {
extern "C" void on_stop_signal(int) {
    g_stop = true;
}
}  // namespace

void install_stop_signals() {
    g_stop = false;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
}

std::optional<lt::tcp::endpoint> parse_endpoint(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return std::nullopt;
    lt::error_code ec;
    auto address = lt::make_address(text.substr(0, colon), ec);
    if (ec)
        return std::nullopt;
    int port = 0;
    try {
        port = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (port <= 0 || port > 65535)
        return std::nullopt;
    return lt::tcp::endpoint(address, static_cast<unsigned short>(port));
}

Expected<std::shared_ptr<const lt::torrent_info>, Failure> load_torrent(const std::string& path) {
    lt::error_code ec;
    auto ti = std::make_shared<lt::torrent_info>(path, ec);
    if (ec)
        return unexpected(Failure{kExitUsage, path + ": " + ec.message()});
    return std::shared_ptr<const lt::torrent_info>(std::move(ti));
}

std::unique_ptr<v1::ChannelService::Stub> node_stub(const std::string& address) {
    // gRPC's own reconnect backoff grows to 2 minutes by default: a seeder whose node was
    // restarted would go on failing its resends that long after the node is back.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
    return v1::ChannelService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

Expected<v1::NodeInfo, Failure> node_info(v1::ChannelService::Stub& stub,
                                          const std::string& address) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.set_wait_for_ready(true);
    v1::NodeInfo info;
    const auto status = stub.GetNodeInfo(&ctx, v1::GetNodeInfoRequest{}, &info);
    if (!status.ok())
        return unexpected(
            Failure{kExitUnreachable, "GetNodeInfo at " + address + ": " + status.error_message()});
    return info;
}

// Waits for the first torrent's checking to end; false on an error or a stop signal.
bool wait_checked(lt::session& ses, const lt::torrent_handle& h, std::ostream& err) {
    const auto deadline = Clock::now() + std::chrono::minutes(5);
    while (!g_stop && Clock::now() < deadline) {
        std::vector<lt::alert*> alerts;
        ses.pop_alerts(&alerts);
        for (const auto* a : alerts) {
            if (const auto* e = lt::alert_cast<lt::torrent_error_alert>(a)) {
                log_line(err, e->message());
                return false;
            }
        }
        const auto st = h.status();
        if (st.state != lt::torrent_status::checking_files &&
            st.state != lt::torrent_status::checking_resume_data)
            return true;
        ses.wait_for_alert(std::chrono::milliseconds(50));
    }
    return false;
}

// The payee's token balance on the full node at `tron` (the seller reads the chain only to
// show what it earned); nullopt when the node does not answer.
std::optional<std::int64_t> token_balance(const std::string& tron, const tron::TronAddress& who,
                                          const std::string& token) {
    tron::client::ClientOptions co;
    co.full_node = {tron, false, ""};
    co.solidity = {tron, false, ""};
    co.backoff.max_attempts = 2;
    tron::client::TronClient chain(co);
    const auto account = chain.account(who, /*solidified=*/false);
    if (!account) {
        log_line(std::cerr, "balance of " + who.to_base58() + ": " + account.error().message);
        return std::nullopt;
    }
    const auto it = account->tokens.find(token);
    return it == account->tokens.end() ? 0 : it->second;
}

std::string human_rate(double bytes_per_s) {
    return fmt::format("{:.1f} KiB/s", bytes_per_s / 1024.0);
}

}  // namespace btt::torrent
