// bttctl audit export | audit verify (issue 12, DESIGN §9): the ledger export of a bttnode
// (AuditService.ExportLedger, auditor or operator token) written as JSONL or CSV, and the
// offline audit of such a file through btt_ledger's verifier, optionally against the
// solidified chain. The verifier shares nothing with the node but the pure libraries.
//
// Exit codes: export 0 written, 1 the node refused or sent a line that is not
// btt-ledger/1, 2 bad flags or an unwritable --out, 3 the node could not be reached;
// verify 0 every check holds, 1 the first offending record (line, type, id, check), 2 an
// unreadable or malformed file, 3 the chain could not be read.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <tron/api/api.pb.h>

#include <btt/channel/v1/channel.grpc.pb.h>
#include <btt/ctl/commands.h>
#include <btt/ctl/node_client.h>
#include <btt/ledger/csv.h>
#include <btt/ledger/jsonl.h>
#include <btt/ledger/verify.h>
#include <btt/tron/client/tron_client.h>
#include <btt/tron/transaction.h>

namespace btt::ctl {

namespace {

namespace v1 = btt::channel::v1;

struct ExportOptions {
    NodeFlags node;
    std::string format = "jsonl";
    std::string out;
    int timeout_s = 3600;
};

struct VerifyOptions {
    std::string file;
    std::string tron;
    // Empty: the full node answers alone, counting only blocks at or below its own
    // solidified height (no guess at a solidity port).
    std::string solidity;
    bool tls = false;
};

// Where lines go: stdout as they arrive, or a temporary file renamed over --out at the end,
// so a failed export never leaves a half-written ledger under the name an auditor expects.
class Sink {
public:
    explicit Sink(const std::string& out) : m_out(out) {
        if (m_out.empty())
            return;
        m_temp = fmt::format("{}.tmp.{}", m_out, ::getpid());
        m_file.open(m_temp, std::ios::binary | std::ios::trunc);
        if (!m_file)
            fail(ExitCode::Usage, fmt::format("cannot write {}", m_temp));
    }
    ~Sink() {
        if (!m_temp.empty() && !m_done) {
            m_file.close();
            std::remove(m_temp.c_str());
        }
    }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;

    void write(const std::string& text) {
        if (m_out.empty()) {
            std::cout << text;
        } else {
            m_file << text;
            if (!m_file)
                fail(ExitCode::Usage, fmt::format("cannot write {}", m_temp));
        }
    }
    void commit() {
        if (m_out.empty()) {
            std::cout.flush();
            return;
        }
        m_file.flush();
        m_file.close();
        if (!m_file)
            fail(ExitCode::Usage, fmt::format("cannot write {}", m_temp));
        if (std::rename(m_temp.c_str(), m_out.c_str()) != 0)
            fail(ExitCode::Usage, fmt::format("cannot rename {} to {}", m_temp, m_out));
        m_done = true;
    }

private:
    std::string m_out, m_temp;
    std::ofstream m_file;
    bool m_done = false;
};

void export_ledger(Context& ctx, const ExportOptions& o) {
    if (o.format != "jsonl" && o.format != "csv")
        fail(ExitCode::Usage, "--format must be jsonl or csv");
    const auto stub = v1::AuditService::NewStub(open_node_channel(o.node));
    grpc::ClientContext call;
    prepare_call(call, o.node, std::chrono::seconds(o.timeout_s));
    auto reader = stub->ExportLedger(&call, v1::ExportLedgerRequest{});

    Sink sink(o.out);
    ledger::CsvRenderer csv;
    if (o.format == "csv")
        sink.write(ledger::csv_header_row());
    std::size_t lines = 0;
    v1::LedgerLine line;
    while (reader->Read(&line)) {
        ++lines;
        if (o.format == "jsonl") {
            sink.write(line.json() + "\n");
            continue;
        }
        const auto record = ledger::decode_line(line.json());
        if (!record) {
            call.TryCancel();
            (void)reader->Finish();
            fail(ExitCode::Invalid,
                 fmt::format("the node sent line {} that is not btt-ledger/1: {}", lines,
                             record.error().detail));
        }
        sink.write(csv.rows(*record));
    }
    check_status(reader->Finish(), "ExportLedger", o.node);
    if (lines == 0)
        fail(ExitCode::Invalid, "the node sent an empty ledger (no header line)");
    sink.commit();
    if (!o.out.empty()) {
        ctx.out.add("out", o.out);
        ctx.out.add("format", o.format);
        ctx.out.add("lines", lines);
    }
}

// --- verify ------------------------------------------------------------------------------

// A transfer the ledger says is on the solidified chain.
struct OnChain {
    std::size_t line = 0;
    std::string type, id;
    channels::TxId txid;
    tron::TronAddress from, to;
    channels::Amount amount;
    std::string token_id;
    std::int64_t block = 0;
    std::optional<Bytes> memo;  // deposits: raw_data.data as recorded
};

void report_failure(Context& ctx, const ledger::VerifyFailure& f) {
    ctx.out.add("ok", false);
    ctx.out.add("line", f.line);
    ctx.out.add("record_type", f.record_type);
    ctx.out.add("record_id", f.record_id);
    ctx.out.add("check", f.check);
    ctx.out.add("detail", f.detail);
    ctx.exit_code = ExitCode::Invalid;
    std::cerr << "bttctl: " << f.message() << "\n";
}

// The transfer `t` names, as the solidified chain has it: nullopt when it holds, else the
// failure naming t's record. Chain errors stop the command (exit 3).
std::optional<ledger::VerifyFailure> check_on_chain(tron::client::TronClient& chain,
                                                    bool via_full_node, const OnChain& t) {
    const auto failure = [&](const char* check, std::string detail) {
        return ledger::VerifyFailure{t.line, t.type, t.id, check, std::move(detail)};
    };
    const auto inclusion = via_full_node ? chain.solid_inclusion_via_full_node(t.txid.bytes())
                                         : chain.solid_inclusion(t.txid.bytes());
    if (!inclusion)
        fail(ExitCode::Network, "solidity node: " + inclusion.error().message);
    if (!*inclusion) {
        return failure("missing_on_chain",
                       "transaction " + t.txid.to_hex() + " is not on the solidified chain");
    }
    if ((*inclusion)->block_number != t.block) {
        return failure("wrong_block",
                       fmt::format("the chain has it in block {}, the ledger says {}",
                                   (*inclusion)->block_number, t.block));
    }
    const auto block = chain.block(t.block);
    if (!block)
        fail(ExitCode::Network, "full node: " + block.error().message);
    if (!*block)
        return failure("missing_on_chain", fmt::format("block {} is not on the chain", t.block));
    for (const auto& ext : (*block)->transactions()) {
        if (ext.txid() != std::string(t.txid.bytes().begin(), t.txid.bytes().end()))
            continue;
        const auto& tx = ext.transaction();
        if (tx.ret_size() > 0 &&
            tx.ret(0).contractret() != protocol::Transaction_Result_contractResult_SUCCESS) {
            return failure("transfer_mismatch", "the transaction did not succeed");
        }
        const std::string raw = tx.raw_data().SerializeAsString();
        const auto decoded = tron::decode_raw_data(as_bytes(raw));
        if (!decoded || decoded->contracts.size() != 1 ||
            decoded->contracts[0].type != static_cast<int>(tron::ContractType::TransferAsset)) {
            return failure("transfer_mismatch", "not a single TransferAsset");
        }
        const auto& c = decoded->contracts[0];
        if (t.memo && decoded->data != *t.memo) {
            return failure("transfer_mismatch", "the memo on chain is not the recorded one");
        }
        if (c.owner != t.from || c.to != t.to || c.amount != t.amount.value() ||
            c.token_id != t.token_id) {
            return failure(
                "transfer_mismatch",
                fmt::format("on chain {} {} from {} to {}; the ledger says {} {} from {} to {}",
                            c.amount.value_or(0), c.token_id.value_or(""),
                            c.owner ? c.owner->to_base58() : "?", c.to ? c.to->to_base58() : "?",
                            t.amount.value(), t.token_id, t.from.to_base58(), t.to.to_base58()));
        }
        return std::nullopt;
    }
    return failure("missing_on_chain",
                   fmt::format("block {} does not hold transaction {}", t.block, t.txid.to_hex()));
}

void verify_file(Context& ctx, const VerifyOptions& o) {
    std::ifstream in(o.file, std::ios::binary);
    if (!in)
        fail(ExitCode::Usage, fmt::format("cannot read {}", o.file));
    ledger::Verifier verifier;
    std::vector<OnChain> on_chain;
    std::optional<tron::TronAddress> escrow;
    std::string text;
    std::size_t line = 0;
    while (std::getline(in, text)) {
        ++line;
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
        if (text.empty())
            continue;
        const auto record = ledger::decode_line(text);
        if (!record)
            fail(ExitCode::Usage,
                 fmt::format("{}: line {}: {}", o.file, line, record.error().detail));
        if (const auto r = verifier.add(line, *record); !r) {
            report_failure(ctx, r.error());
            return;
        }
        if (const auto* h = std::get_if<ledger::HeaderRecord>(&*record))
            escrow = h->escrow_address;
        if (o.tron.empty() || !escrow)
            continue;
        if (const auto* d = std::get_if<ledger::DepositRecord>(&*record)) {
            on_chain.push_back({line, "deposit", d->txid.to_hex(), d->txid, d->from, *escrow,
                                d->amount, d->token_id, d->block, d->memo});
        } else if (const auto* p = std::get_if<ledger::PayoutRecord>(&*record)) {
            // Only confirmed payouts claim a block; signed ones may still be in flight.
            if (p->txid && p->block) {
                on_chain.push_back({line, "payout", std::to_string(p->payout_id), *p->txid, *escrow,
                                    p->recipient, p->amount, p->token_id, *p->block});
            }
        }
    }
    if (in.bad())
        fail(ExitCode::Usage, fmt::format("cannot read {}", o.file));
    const auto summary = verifier.finish();
    if (!summary) {
        report_failure(ctx, summary.error());
        return;
    }
    if (!o.tron.empty()) {
        tron::client::ClientOptions co;
        co.full_node = {o.tron, o.tls, ""};
        co.solidity = {o.solidity.empty() ? o.tron : o.solidity, o.tls, ""};
        co.backoff.max_attempts = 4;
        tron::client::TronClient chain(co);
        for (const auto& t : on_chain) {
            if (const auto f = check_on_chain(chain, o.solidity.empty(), t)) {
                report_failure(ctx, *f);
                return;
            }
        }
        ctx.out.add("chain_checked", on_chain.size());
    }
    ctx.out.add("ok", true);
    nlohmann::json records = nlohmann::json::object();
    for (const auto& [type, n] : summary->records)
        records[type] = n;
    ctx.out.add("records", records);
    nlohmann::json books = nlohmann::json::object();
    for (const auto& [token, b] : summary->books) {
        books[token] = {{"deposits_in", b.deposits_in.to_string()},
                        {"paid_out", b.paid_out.to_string()},
                        {"fees", b.fees.to_string()},
                        {"still_held", b.still_held.to_string()}};
    }
    ctx.out.add("books", books);
}

}  // namespace

void add_audit_ledger_commands(CLI::App* audit, Context& ctx) {
    auto eo = std::make_shared<ExportOptions>();
    auto* exp = audit->add_subcommand(
        "export", "Write the node's ledger (btt-ledger/1) as JSONL or CSV (auditor token)");
    add_node_flags(exp, eo->node, true);
    exp->add_option("--format", eo->format, "jsonl (the verifiable ledger) or csv (a spreadsheet)")
        ->check(CLI::IsMember({"jsonl", "csv"}))
        ->capture_default_str();
    exp->add_option("--out", eo->out, "write to this file (atomically); default stdout");
    exp->add_option("--timeout-s", eo->timeout_s, "give up on the whole export after this long")
        ->capture_default_str();
    exp->callback([&ctx, eo] { export_ledger(ctx, *eo); });

    auto vo = std::make_shared<VerifyOptions>();
    auto* ver = audit->add_subcommand(
        "verify",
        "Check a ledger export offline: proof signatures, amounts, the receipt batch chain, "
        "settlements, netting and conservation; with --tron, deposits and payouts on the "
        "solidified chain (exit 1 naming the first offending record)");
    ver->add_option("FILE", vo->file, "the JSONL ledger (bttctl audit export)")->required();
    ver->add_option("--tron", vo->tron, "check transfers against this full node's gRPC HOST:PORT");
    ver->add_option("--tron-solidity", vo->solidity,
                    "its solidity gRPC HOST:PORT (default: ask the full node alone, counting "
                    "only blocks at or below its solidified height)");
    ver->add_flag("--tron-tls", vo->tls, "use TLS (system roots) for both endpoints");
    ver->callback([&ctx, vo] { verify_file(ctx, *vo); });
}

}  // namespace btt::ctl
