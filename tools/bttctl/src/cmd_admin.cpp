// bttctl for operators (AdminService, operator token) and `audit history` (AuditService,
// auditor or operator token): channels list, settle, pause, resume, payouts list, batches
// list, payout retry, held list/refund, audit history. Connection flags and exit codes as node_client.h.
#include <memory>
#include <string>

#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/ctl/api_json.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/node_client.h>
#include <btt/ctl/parse.h>

namespace btt::ctl {

namespace {

struct AdminOptions {
    NodeFlags node;
    std::string id;
    std::string state;
    std::string payer, payee;
    std::int64_t opened_from = 0, opened_to = 0, settled_from = 0, settled_to = 0;
    std::uint32_t limit = 0;
    std::uint64_t before = 0;
    std::string page_token;
    bool all = false;
    std::string reason;
    std::uint64_t payout_id = 0;
};

std::unique_ptr<v1::AdminService::Stub> admin(const NodeFlags& f) {
    return v1::AdminService::NewStub(open_node_channel(f));
}

std::string raw_id(const std::string& hex) {
    const Hash32 id = parse_hash32("ID", hex);
    return std::string(id.begin(), id.end());
}

// "OPEN" -> CHANNEL_STATE_OPEN through the enum's generated parser; empty: UNSPECIFIED (0).
template <typename Enum>
Enum enum_value(const std::string& text, const std::string& prefix,
                bool (*parse)(const std::string&, Enum*), const char* allowed) {
    Enum value{};
    if (text.empty())
        return value;
    if (!parse(prefix + text, &value) || static_cast<int>(value) == 0)
        fail(ExitCode::Usage, std::string("--state: ") + allowed + ", got " + text);
    return value;
}

v1::ChannelState channel_state(const std::string& text) {
    return enum_value(text, "CHANNEL_STATE_", &v1::ChannelState_Parse,
                      "OPEN, CLOSING, SETTLING or CLOSED");
}

v1::PayoutState payout_state(const std::string& text) {
    return enum_value(text, "PAYOUT_STATE_", &v1::PayoutState_Parse,
                      "PLANNED, SIGNED or CONFIRMED");
}

// Text mode prints one line per row; --json one array.
void add_rows(Context& ctx, const char* name, const nlohmann::ordered_json& rows,
              const std::function<std::string(const nlohmann::ordered_json&)>& line) {
    if (ctx.json) {
        ctx.out.add(name, rows);
        return;
    }
    for (const auto& row : rows)
        ctx.out.add("-", line(row));
    ctx.out.add(std::string(name) + "_count", rows.size());
}

void list_channels(Context& ctx, const AdminOptions& o) {
    auto stub = admin(o.node);
    v1::ListChannelsRequest request;
    request.set_state(channel_state(o.state));
    request.set_payer(o.payer);
    request.set_payee(o.payee);
    request.set_opened_from(o.opened_from);
    request.set_opened_to(o.opened_to);
    request.set_settled_from(o.settled_from);
    request.set_settled_to(o.settled_to);
    request.set_page_size(o.limit);
    if (!o.page_token.empty())
        request.set_page_token(raw_id(o.page_token));
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    std::string next;
    // --all follows the pages (bounded: 10,000 pages of at most 1,000).
    for (int page = 0; page < 10'000; ++page) {
        grpc::ClientContext call;
        prepare_call(call, o.node);
        v1::ListChannelsResponse response;
        check_status(stub->ListChannels(&call, request, &response), "ListChannels", o.node);
        for (const auto& c : response.channels())
            rows.push_back(to_json(c));
        next = response.next_page_token();
        if (!o.all || next.empty())
            break;
        request.set_page_token(next);
    }
    add_rows(ctx, "channels", rows, [](const nlohmann::ordered_json& c) {
        return c["channel_id"].get<std::string>() + " " + c["state"].get<std::string>() + " " +
               c["payer"].get<std::string>() + " -> " + c["payee"].get<std::string>() +
               " accepted " + c["accepted"].get<std::string>() + " of " +
               c["deposit"].get<std::string>();
    });
    ctx.out.add("next_page_token", hex_of(next));
}

std::string payout_line(const nlohmann::ordered_json& p) {
    return "#" + std::to_string(p["payout_id"].get<std::uint64_t>()) + " batch " +
           std::to_string(p["batch_id"].get<std::uint64_t>()) + " " +
           p["state"].get<std::string>() + " " + p["amount"].get<std::string>() + " to " +
           p["recipient"].get<std::string>() + " txid " + p["txid"].get<std::string>();
}

void list_payouts(Context& ctx, const AdminOptions& o) {
    auto stub = admin(o.node);
    v1::ListPayoutsRequest request;
    request.set_state(payout_state(o.state));
    request.set_limit(o.limit);
    request.set_before_payout(o.before);
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::ListPayoutsResponse response;
    check_status(stub->ListPayouts(&call, request, &response), "ListPayouts", o.node);
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& p : response.payouts())
        rows.push_back(to_json(p));
    add_rows(ctx, "payouts", rows, payout_line);
}

void list_batches(Context& ctx, const AdminOptions& o) {
    auto stub = admin(o.node);
    v1::ListSettlementBatchesRequest request;
    request.set_limit(o.limit);
    request.set_before_batch(o.before);
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::ListSettlementBatchesResponse response;
    check_status(stub->ListSettlementBatches(&call, request, &response), "ListSettlementBatches",
                 o.node);
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& b : response.batches()) {
        nlohmann::ordered_json payouts = nlohmann::ordered_json::array();
        for (const auto& p : b.payouts())
            payouts.push_back(to_json(p));
        rows.push_back({{"batch_id", b.batch_id()},
                        {"fee_bps", b.fee_bps()},
                        {"planned_at", b.planned_at()},
                        {"channels", b.channels()},
                        {"payouts", std::move(payouts)}});
    }
    add_rows(ctx, "batches", rows, [](const nlohmann::ordered_json& b) {
        return "batch " + std::to_string(b["batch_id"].get<std::uint64_t>()) + " planned_at " +
               std::to_string(b["planned_at"].get<std::int64_t>()) + ": " +
               std::to_string(b["channels"].get<std::uint32_t>()) + " channel(s), " +
               std::to_string(b["payouts"].size()) + " payout(s)";
    });
}

void settle(Context& ctx, const AdminOptions& o) {
    v1::ForceSettleRequest request;
    request.set_channel_id(raw_id(o.id));
    auto stub = admin(o.node);
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::ForceSettleResult result;
    check_status(stub->ForceSettle(&call, request, &result), "ForceSettle", o.node);
    ctx.out.add("channel_id", o.id);
    ctx.out.add("state", state_text(result.state()));
    ctx.out.add("settle_at", result.settle_at());
}

void pause_or_resume(Context& ctx, const AdminOptions& o, bool pause) {
    auto stub = admin(o.node);
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::IntakeState state;
    if (pause) {
        v1::PauseIntakeRequest request;
        request.set_reason(o.reason);
        check_status(stub->PauseIntake(&call, request, &state), "PauseIntake", o.node);
    } else {
        check_status(stub->ResumeIntake(&call, v1::ResumeIntakeRequest{}, &state), "ResumeIntake",
                     o.node);
    }
    const auto fields = to_json(state);
    for (const auto& [k, v] : fields.items())
        ctx.out.add(k, v);
}

void retry(Context& ctx, const AdminOptions& o) {
    auto stub = admin(o.node);
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::RetryPayoutRequest request;
    request.set_payout_id(o.payout_id);
    v1::RetryPayoutResult result;
    check_status(stub->RetryPayout(&call, request, &result), "RetryPayout", o.node);
    ctx.out.add("action", result.action());
    if (!result.detail().empty())
        ctx.out.add("detail", result.detail());
    ctx.out.add("payout", ctx.json ? to_json(result.payout())
                                   : nlohmann::ordered_json(payout_line(to_json(result.payout()))));
}

std::string held_line(const nlohmann::ordered_json& h) {
    return h["txid"].get<std::string>() + " " + h["amount"].get<std::string>() + " of token " +
           h["token_id"].get<std::string>() + " from " + h["from"].get<std::string>() + " (" +
           h["unclaimed_reason"].get<std::string>() + ", block " +
           std::to_string(h["block"].get<std::int64_t>()) + ")";
}

void list_held(Context& ctx, const AdminOptions& o) {
    auto stub = admin(o.node);
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::ListHeldTransfersRequest request;
    request.set_limit(o.limit);
    request.set_after_block(static_cast<std::int64_t>(o.before));
    v1::ListHeldTransfersResponse response;
    check_status(stub->ListHeldTransfers(&call, request, &response), "ListHeldTransfers", o.node);
    auto rows = nlohmann::ordered_json::array();
    for (const auto& h : response.transfers())
        rows.push_back(to_json(h));
    add_rows(ctx, "held", rows, held_line);
}

void refund_held(Context& ctx, const AdminOptions& o) {
    v1::RefundUnclaimedRequest request;
    request.set_txid(raw_id(o.id));
    auto stub = admin(o.node);
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::RefundUnclaimedResult result;
    check_status(stub->RefundUnclaimed(&call, request, &result), "RefundUnclaimed", o.node);
    ctx.out.add("action", result.action());
    ctx.out.add("transfer", ctx.json ? to_json(result.transfer())
                                     : nlohmann::ordered_json(held_line(to_json(result.transfer()))));
}

void history(Context& ctx, const AdminOptions& o) {
    v1::GetChannelHistoryRequest request;
    request.set_channel_id(raw_id(o.id));
    auto stub = v1::AuditService::NewStub(open_node_channel(o.node));
    grpc::ClientContext call;
    prepare_call(call, o.node);
    v1::ChannelHistory h;
    check_status(stub->GetChannelHistory(&call, request, &h), "GetChannelHistory", o.node);
    const auto fields = to_json(h);
    for (const auto& [k, v] : fields.items())
        ctx.out.add(k, v);
}

CLI::App* group(CLI::App& app, const std::string& name, const std::string& help) {
    for (auto* sub : app.get_subcommands({})) {
        if (sub->get_name() == name)
            return sub;
    }
    auto* g = app.add_subcommand(name, help);
    g->require_subcommand(1);
    return g;
}

}  // namespace

void add_admin_commands(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<AdminOptions>();

    auto* channels = group(app, "channels", "Operators: list a bttnode's channels (AdminService)");
    auto* list = channels->add_subcommand("list", "Channels matching every filter given, paged");
    add_node_flags(list, o->node, true);
    list->add_option("--state", o->state, "OPEN, CLOSING, SETTLING or CLOSED");
    list->add_option("--payer", o->payer, "payer address (base58)");
    list->add_option("--payee", o->payee, "payee address (base58)");
    list->add_option("--opened-from", o->opened_from, "opened at or after (Unix seconds)");
    list->add_option("--opened-to", o->opened_to, "opened before (Unix seconds)");
    list->add_option("--settled-from", o->settled_from, "settlement planned at or after");
    list->add_option("--settled-to", o->settled_to, "settlement planned before");
    list->add_option("--limit", o->limit, "page size (default 100, at most 1000)");
    list->add_option("--page-token", o->page_token, "next_page_token of a previous page (hex)");
    list->add_flag("--all", o->all, "follow every page");
    list->callback([&ctx, o] { list_channels(ctx, *o); });

    auto* settle_cmd = app.add_subcommand(
        "settle", "Operators: force settle a channel now (paid in the next settlement window)");
    settle_cmd->add_option("ID", o->id, "channel id, 64 hex digits")->required();
    add_node_flags(settle_cmd, o->node, true);
    settle_cmd->callback([&ctx, o] { settle(ctx, *o); });

    auto* pause = app.add_subcommand(
        "pause", "Operators: pause intake (proofs get intake_paused; settlement goes on)");
    pause->add_option("--reason", o->reason, "why, for the log and other operators");
    add_node_flags(pause, o->node, true);
    pause->callback([&ctx, o] { pause_or_resume(ctx, *o, true); });
    auto* resume = app.add_subcommand("resume", "Operators: resume intake");
    add_node_flags(resume, o->node, true);
    resume->callback([&ctx, o] { pause_or_resume(ctx, *o, false); });

    auto* payouts = group(app, "payouts", "Operators: settlement payouts (AdminService)");
    auto* plist = payouts->add_subcommand("list", "Payouts, newest first");
    add_node_flags(plist, o->node, true);
    plist->add_option("--state", o->state, "PLANNED, SIGNED or CONFIRMED");
    plist->add_option("--limit", o->limit, "at most this many (default 100, at most 1000)");
    plist->add_option("--before", o->before, "only payouts with a smaller id");
    plist->callback([&ctx, o] { list_payouts(ctx, *o); });
    auto* pretry = payouts->add_subcommand(
        "retry",
        "Ask the settlement engine to act on a payout now (never a second signature "
        "while one is live)");
    pretry->add_option("PAYOUT_ID", o->payout_id, "payout id")->required();
    add_node_flags(pretry, o->node, true);
    pretry->callback([&ctx, o] { retry(ctx, *o); });

    auto* batches = group(app, "batches", "Operators: settlement batches (AdminService)");
    auto* blist =
        batches->add_subcommand("list", "Settlement batches with their payouts, newest first");
    add_node_flags(blist, o->node, true);
    blist->add_option("--limit", o->limit, "at most this many (default 50, at most 500)");
    blist->add_option("--before", o->before, "only batches with a smaller id");
    blist->callback([&ctx, o] { list_batches(ctx, *o); });

    auto* held = group(app, "held",
                       "Operators: unclaimed transfers held instead of refunded (a foreign "
                       "token, or under channels.min_refund)");
    auto* hlist = held->add_subcommand("list", "Held transfers, oldest first");
    add_node_flags(hlist, o->node, true);
    hlist->add_option("--limit", o->limit, "at most this many (default 100, at most 1000)");
    hlist->add_option("--after-block", o->before, "only transfers in later blocks");
    hlist->callback([&ctx, o] { list_held(ctx, *o); });
    auto* hrefund = held->add_subcommand(
        "refund", "Refund one held transfer to its sender, in its token, next settlement window");
    hrefund->add_option("TXID", o->id, "the transfer's txid, 64 hex digits")->required();
    add_node_flags(hrefund, o->node, true);
    hrefund->callback([&ctx, o] { refund_held(ctx, *o); });

    auto* audit = group(app, "audit", "Auditor's checks of a bttnode");
    auto* hist =
        audit->add_subcommand("history",
                              "Everything the node holds about a channel: deposits, proofs, close, "
                              "settlement, payouts (AuditService)");
    hist->add_option("ID", o->id, "channel id, 64 hex digits")->required();
    add_node_flags(hist, o->node, true);
    hist->callback([&ctx, o] { history(ctx, *o); });
}

}  // namespace btt::ctl
