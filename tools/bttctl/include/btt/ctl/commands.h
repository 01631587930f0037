#pragma once
// Each group of bttctl commands registers itself on the app; run() calls them in order.

#include <CLI/CLI.hpp>

#include <btt/ctl/context.h>

namespace btt::ctl {

// Entry point used by main() and by tests: parses argv, runs one command, prints its
// output, returns the process exit code (never throws).
int run(int argc, const char* const* argv);

void add_key_commands(CLI::App& app, Context& ctx);      // key new, key address
void add_tx_commands(CLI::App& app, Context& ctx);       // tx transfer-asset|transfer|decode|verify
void add_message_commands(CLI::App& app, Context& ctx);  // message sign|verify (TIP-104)
void add_proof_commands(CLI::App& app, Context& ctx);    // proof sign|verify (BTT-CHANNEL-V1)
void add_chain_commands(CLI::App& app, Context& ctx);    // chain head|block, account, tx send-asset
void add_db_commands(CLI::App& app, Context& ctx);       // db migrate, db status
void add_channel_commands(CLI::App& app, Context& ctx);  // channel close|show (a bttnode's API)
void add_audit_commands(CLI::App& app, Context& ctx);    // audit reconcile
// audit export|verify (the ledger, issue 12), added to the audit group by add_audit_commands.
void add_audit_ledger_commands(CLI::App* audit, Context& ctx);
// Operators' and auditors' calls to a node: channels list, settle, pause, resume, payouts
// list|retry, batches list, audit history.
void add_admin_commands(CLI::App& app, Context& ctx);

}  // namespace btt::ctl
