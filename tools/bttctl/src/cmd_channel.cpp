// bttctl channel close | channel show: a channel as one bttnode sees it, through its public
// ChannelService (DESIGN §9). No token: ChannelService needs none.
//
// Exit codes (DESIGN §8): 0 the node answered; 1 the node refused this request for this
// channel (NOT_FOUND, INVALID_ARGUMENT, PERMISSION_DENIED, FAILED_PRECONDITION, and the other
// statuses that are about the request: UNAUTHENTICATED, ALREADY_EXISTS, OUT_OF_RANGE); 2 bad
// usage or input (channel id, key file), caught before anything is sent; 3 the node could not
// be reached or could not answer (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
// INTERNAL, ...). A close refused with UNAVAILABLE may be retried as is: the node verifies
// the same signature again.
#include <chrono>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <btt/base/hex.h>
#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/parse.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::ctl {

namespace {

namespace v1 = btt::channel::v1;

// Every call gets a deadline (STYLE.md, gRPC anchor): a node that accepts the connection
// but never answers is as good as unreachable.
constexpr std::chrono::seconds kCallDeadline{10};

struct NodeFlags {
    std::string node = "127.0.0.1:50151";
    bool tls = false;
};

void add_node_flags(CLI::App* cmd, NodeFlags& f) {
    cmd->add_option("--node", f.node, "bttnode gRPC HOST:PORT (env BTT_NODE)")
        ->envname("BTT_NODE")
        ->capture_default_str();
    cmd->add_flag("--node-tls", f.tls, "TLS to the node (system roots)");
}

std::unique_ptr<v1::ChannelService::Stub> connect(const NodeFlags& f) {
    if (f.node.empty())
        fail(ExitCode::Usage, "--node: give HOST:PORT");
    auto creds = f.tls ? grpc::SslCredentials(grpc::SslCredentialsOptions())
                       : grpc::InsecureChannelCredentials();
    return v1::ChannelService::NewStub(grpc::CreateChannel(f.node, creds));
}

void set_deadline(grpc::ClientContext& call) {
    call.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
}

const char* status_name(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::OK:
            return "OK";
        case grpc::StatusCode::CANCELLED:
            return "CANCELLED";
        case grpc::StatusCode::UNKNOWN:
            return "UNKNOWN";
        case grpc::StatusCode::INVALID_ARGUMENT:
            return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND:
            return "NOT_FOUND";
        case grpc::StatusCode::ALREADY_EXISTS:
            return "ALREADY_EXISTS";
        case grpc::StatusCode::PERMISSION_DENIED:
            return "PERMISSION_DENIED";
        case grpc::StatusCode::RESOURCE_EXHAUSTED:
            return "RESOURCE_EXHAUSTED";
        case grpc::StatusCode::FAILED_PRECONDITION:
            return "FAILED_PRECONDITION";
        case grpc::StatusCode::ABORTED:
            return "ABORTED";
        case grpc::StatusCode::OUT_OF_RANGE:
            return "OUT_OF_RANGE";
        case grpc::StatusCode::UNIMPLEMENTED:
            return "UNIMPLEMENTED";
        case grpc::StatusCode::INTERNAL:
            return "INTERNAL";
        case grpc::StatusCode::UNAVAILABLE:
            return "UNAVAILABLE";
        case grpc::StatusCode::DATA_LOSS:
            return "DATA_LOSS";
        case grpc::StatusCode::UNAUTHENTICATED:
            return "UNAUTHENTICATED";
        case grpc::StatusCode::DO_NOT_USE:
            break;
    }
    return "UNKNOWN";
}

// The node answered about this request (1), or could not answer at all (3).
ExitCode exit_code_of(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::NOT_FOUND:
        case grpc::StatusCode::INVALID_ARGUMENT:
        case grpc::StatusCode::PERMISSION_DENIED:
        case grpc::StatusCode::FAILED_PRECONDITION:
        case grpc::StatusCode::UNAUTHENTICATED:
        case grpc::StatusCode::ALREADY_EXISTS:
        case grpc::StatusCode::OUT_OF_RANGE:
            return ExitCode::Invalid;
        default:
            return ExitCode::Network;
    }
}

// Fails with the status's code name and message, e.g.
// "CloseChannel at 127.0.0.1:50151: FAILED_PRECONDITION: channel is SETTLING".
void check(const grpc::Status& status, const char* method, const NodeFlags& f) {
    if (status.ok())
        return;
    fail(exit_code_of(status.error_code()),
         fmt::format("{} at {}: {}: {}", method, f.node, status_name(status.error_code()),
                     status.error_message()));
}

// "OPEN", "CLOSING", "SETTLING", "CLOSED": the proto name without its prefix, which is also
// what channels::state_name prints; "UNSPECIFIED", or the number for a state this build
// does not know.
std::string state_text(int state) {
    if (!v1::ChannelState_IsValid(state))
        return std::to_string(state);
    const std::string& name = v1::ChannelState_Name(static_cast<v1::ChannelState>(state));
    constexpr std::string_view kPrefix = "CHANNEL_STATE_";
    return name.rfind(kPrefix, 0) == 0 ? name.substr(kPrefix.size()) : name;
}

std::string hex_of(const std::string& raw) {
    return to_hex(as_bytes(raw));
}

std::string raw_of(const Hash32& id) {
    return std::string(id.begin(), id.end());
}

struct Options {
    NodeFlags node;
    KeySource key;
    std::string id;
};

}  // namespace

void add_channel_commands(CLI::App& app, Context& ctx) {
    auto* channel = app.add_subcommand("channel", "Channels on a bttnode: close, show");
    channel->require_subcommand(1);
    // Per-run storage (run() may be called many times in one process, e.g. by tests).
    auto opts = std::make_shared<Options>();

    auto* close = channel->add_subcommand(
        "close", "Sign a BTT-CLOSE-V1 request as payer or payee and send it (CloseChannel)");
    close->add_option("ID", opts->id, "channel id, 64 hex digits")->required();
    add_private_key_options(close, opts->key, "the payer's or the payee's");
    add_node_flags(close, opts->node);
    close->callback([&ctx, opts] {
        const Hash32 id = parse_hash32("ID", opts->id);
        const auto key = load_private_key(opts->key);
        // The node verifies with the very builder that signs here (DESIGN §8).
        const auto signature = tron::sign_message_v2(key, tron::close_message(id));
        auto stub = connect(opts->node);
        grpc::ClientContext call;
        set_deadline(call);
        v1::CloseRequest request;
        request.set_channel_id(raw_of(id));
        request.set_signature(std::string(signature.begin(), signature.end()));
        v1::CloseResult result;
        check(stub->CloseChannel(&call, request, &result), "CloseChannel", opts->node);
        ctx.out.add("channel_id", to_hex(id));
        ctx.out.add("signer", key.address().to_base58());
        ctx.out.add("state", state_text(result.state()));
        ctx.out.add("settle_at", result.settle_at());
    });

    auto* show =
        channel->add_subcommand("show", "Every field the node holds for a channel (GetChannel)");
    show->add_option("ID", opts->id, "channel id, 64 hex digits")->required();
    add_node_flags(show, opts->node);
    show->callback([&ctx, opts] {
        const Hash32 id = parse_hash32("ID", opts->id);
        auto stub = connect(opts->node);
        grpc::ClientContext call;
        set_deadline(call);
        v1::GetChannelRequest request;
        request.set_channel_id(raw_of(id));
        v1::ChannelInfo info;
        check(stub->GetChannel(&call, request, &info), "GetChannel", opts->node);
        // Amounts as decimal strings, as every amount bttctl prints for auditors (DESIGN §9).
        ctx.out.add("channel_id", hex_of(info.channel_id()));
        ctx.out.add("payer", info.payer());
        ctx.out.add("payee", info.payee());
        ctx.out.add("token_id", info.token_id());
        ctx.out.add("deposit", std::to_string(info.deposit()));
        ctx.out.add("accepted", std::to_string(info.accepted()));
        ctx.out.add("accepted_signature", hex_of(info.accepted_signature()));
        ctx.out.add("state", state_text(info.state()));
        ctx.out.add("opened_at", info.opened_at());
        ctx.out.add("expiry", info.expiry());
        ctx.out.add("settle_at", info.settle_at());
        ctx.out.add("close_cause", info.close_cause());
    });
}

}  // namespace btt::ctl
