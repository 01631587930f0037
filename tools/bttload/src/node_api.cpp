#include <btt/load/node_api.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <ostream>
#include <thread>

#include <fmt/format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <btt/load/parallel.h>

namespace btt::load {

namespace v1 = btt::channel::v1;

namespace {

std::chrono::system_clock::time_point deadline_after(double seconds) {
    return std::chrono::system_clock::now() +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(
               std::chrono::duration<double>(seconds));
}

bool is_transient(grpc::StatusCode code) {
    return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
           code == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

}  // namespace

std::shared_ptr<grpc::Channel> make_node_channel(const Options& options, bool own_connection) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    // A local subchannel pool keeps channels with equal arguments from sharing a connection.
    if (own_connection)
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto creds = options.node_tls ? grpc::SslCredentials(grpc::SslCredentialsOptions())
                                  : grpc::InsecureChannelCredentials();
    return grpc::CreateCustomChannel(options.node, creds, args);
}

NodeApi::NodeApi(const Options& options)
    : m_options(options),
      m_channel(make_node_channel(options, false)),
      m_stub(v1::ChannelService::NewStub(m_channel)) {}

Expected<v1::NodeInfo, RunError> NodeApi::node_info() {
    grpc::ClientContext ctx;
    ctx.set_deadline(deadline_after(m_options.call_timeout_s));
    ctx.set_wait_for_ready(true);  // a node still starting is not yet unreachable
    v1::NodeInfo info;
    const auto status = m_stub->GetNodeInfo(&ctx, v1::GetNodeInfoRequest{}, &info);
    if (!status.ok()) {
        return unexpected(
            RunError{ExitCode::Unreachable,
                     fmt::format("GetNodeInfo at {}: {} ({})", m_options.node,
                                 status.error_message(), static_cast<int>(status.error_code()))});
    }
    return info;
}

Expected<void, RunError> NodeApi::await_channels(Fleet& fleet, double timeout_s,
                                                 std::ostream& log) {
    const bool reuse = m_options.is_reuse();
    const auto give_up = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(timeout_s));
    std::vector<std::size_t> pending(fleet.channels.size());
    for (std::size_t i = 0; i < pending.size(); ++i)
        pending[i] = i;

    std::mutex mutex;
    std::optional<RunError> fatal;  // guarded by mutex
    std::string last_transient;     // guarded by mutex
    for (int round = 0;; ++round) {
        std::vector<char> ready(pending.size(), 0);
        std::atomic<std::size_t> transient{0};
        parallel_for(pending.size(), 8, 16, [&](std::size_t k) {
            auto& ch = fleet.channels[pending[k]];
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline_after(m_options.call_timeout_s));
            v1::GetChannelRequest req;
            req.set_channel_id(std::string(ch.id.bytes().begin(), ch.id.bytes().end()));
            v1::ChannelInfo info;
            const auto status = m_stub->GetChannel(&ctx, req, &info);
            const auto fail = [&](ExitCode code, std::string message) {
                std::lock_guard lock(mutex);
                if (!fatal)
                    fatal = RunError{code, std::move(message)};
            };
            if (!status.ok()) {
                if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
                    if (reuse)
                        fail(ExitCode::Errors,
                             fmt::format("channel {} is unknown to the node", ch.id.to_hex()));
                } else if (is_transient(status.error_code())) {
                    ++transient;
                    std::lock_guard lock(mutex);
                    last_transient = status.error_message();
                } else {
                    fail(ExitCode::Errors, fmt::format("GetChannel {}: {} ({})", ch.id.to_hex(),
                                                       status.error_message(),
                                                       static_cast<int>(status.error_code())));
                }
                return;
            }
            const auto state = info.state();
            const bool usable =
                state == v1::CHANNEL_STATE_OPEN || (reuse && state == v1::CHANNEL_STATE_CLOSING);
            if (!usable) {
                fail(ExitCode::Errors, fmt::format("channel {} is {}, not OPEN", ch.id.to_hex(),
                                                   v1::ChannelState_Name(state)));
                return;
            }
            const auto payer = fleet.payers[ch.payer].address().to_base58();
            if (info.payer() != payer) {
                fail(ExitCode::Usage,
                     fmt::format("channel {}: the node says its payer is {}, but its key is {}'s",
                                 ch.id.to_hex(), info.payer(), payer));
                return;
            }
            if (info.deposit() <= 0 || info.accepted() < 0) {
                fail(ExitCode::Errors,
                     fmt::format("channel {}: deposit {} accepted {} from the node", ch.id.to_hex(),
                                 info.deposit(), info.accepted()));
                return;
            }
            ch.deposit = static_cast<std::uint64_t>(info.deposit());
            ch.last_sent = std::max(ch.last_sent, static_cast<std::uint64_t>(info.accepted()));
            ready[k] = 1;
        });
        if (fatal)
            return unexpected(*fatal);

        std::vector<std::size_t> still;
        for (std::size_t k = 0; k < pending.size(); ++k) {
            if (!ready[k])
                still.push_back(pending[k]);
        }
        pending.swap(still);
        if (pending.empty())
            return {};
        if (std::chrono::steady_clock::now() >= give_up) {
            if (transient == pending.size()) {
                return unexpected(RunError{
                    ExitCode::Unreachable,
                    fmt::format("the node stopped answering GetChannel: {}", last_transient)});
            }
            return unexpected(RunError{ExitCode::Errors,
                                       fmt::format("{} of {} channels not OPEN after {} s (first: "
                                                   "{}); the node opens a channel once "
                                                   "its funding block is solidified",
                                                   pending.size(), fleet.channels.size(), timeout_s,
                                                   fleet.channels[pending.front()].id.to_hex())});
        }
        if (round % 5 == 0) {
            log << fmt::format("bttload: waiting for {} of {} channels to be OPEN\n",
                               pending.size(), fleet.channels.size())
                << std::flush;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

}  // namespace btt::load
