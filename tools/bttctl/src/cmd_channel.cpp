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

#include <btt/base/hex.h>
#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/ctl/api_json.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/node_client.h>
#include <btt/ctl/parse.h>
#include <btt/tron/channel_messages.h>
#include <btt/tron/tip104.h>

namespace btt::ctl {

namespace {

namespace v1 = btt::channel::v1;

// Every call gets a deadline (STYLE.md, gRPC anchor): a node that accepts the connection
// but never answers is as good as unreachable.
constexpr std::chrono::seconds kCallDeadline{10};

std::unique_ptr<v1::ChannelService::Stub> connect(const NodeFlags& f) {
    return v1::ChannelService::NewStub(open_node_channel(f));
}

void set_deadline(grpc::ClientContext& call, const NodeFlags& f) {
    prepare_call(call, f, kCallDeadline);
}

void check(const grpc::Status& status, const char* method, const NodeFlags& f) {
    check_status(status, method, f);
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
    add_node_flags(close, opts->node, false);
    close->callback([&ctx, opts] {
        const Hash32 id = parse_hash32("ID", opts->id);
        const auto key = load_private_key(opts->key);
        // The node verifies with the very builder that signs here (DESIGN §8).
        const auto signature = tron::sign_message_v2(key, tron::close_message(id));
        auto stub = connect(opts->node);
        grpc::ClientContext call;
        set_deadline(call, opts->node);
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
    add_node_flags(show, opts->node, false);
    show->callback([&ctx, opts] {
        const Hash32 id = parse_hash32("ID", opts->id);
        auto stub = connect(opts->node);
        grpc::ClientContext call;
        set_deadline(call, opts->node);
        v1::GetChannelRequest request;
        request.set_channel_id(raw_of(id));
        v1::ChannelInfo info;
        check(stub->GetChannel(&call, request, &info), "GetChannel", opts->node);
        // Amounts as decimal strings, as every amount bttctl prints for auditors (DESIGN §9).
        const auto fields = to_json(info);
        for (const auto& [name, value] : fields.items())
            ctx.out.add(name, value);
    });
}

}  // namespace btt::ctl
