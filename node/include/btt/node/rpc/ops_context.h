#pragma once
// What AdminService and AuditService (admin_service.h, audit_service.h) work with: DESIGN
// §9 and issue 12. They are unary and server-streaming calls on gRPC's synchronous API:
// rare, reading PostgreSQL through the store's typed reads (store/ops_reads.h: pooled
// connections, one snapshot per answer), never holding up the callback threads that carry
// proofs. Every method checks the bearer token first (auth.h).
//
// What changes state goes through the engines, never around them: ForceSettle through the
// channel's intake shard (ordered with its proofs), PauseIntake through intake's flag,
// RetryPayout only wakes the settlement engine, which alone signs (so a live payout is
// never signed a second time).
#include <functional>
#include <string>

#include <btt/node/engine/intake.h>
#include <btt/node/engine/reconcile.h>
#include <btt/node/engine/settler.h>
#include <btt/node/rpc/auth.h>
#include <btt/node/store/held_transfers.h>
#include <btt/node/store/intake_pause.h>
#include <btt/node/store/ops_reads.h>

namespace btt::node {

// Thrown through export_ledger by `emit` when the client went away: the export stops.
struct ExportStopped {};

struct OpsContext {
    const Authorizer* auth = nullptr;
    OpsReads* reads = nullptr;
    const IntakePauseRecord* pause_record = nullptr;
    const HeldTransfers* held = nullptr;  // unclaimed transfers held for the operator
    Intake* intake = nullptr;
    Settler* settler = nullptr;
    // Reconciliation at one solidified height (reconcile.h), on the node's chain client,
    // of one token (empty: channels.token_id).
    std::function<Expected<Reconciliation, ReconcileError>(const std::string& token_id)> reconcile;
    // The ledger export (btt-ledger/1, ledger_export.h), one JSONL line per call of
    // `emit`, which throws ExportStopped when the client went away. Throws
    // DatabaseUnreachable (store.h) when the database cannot be reached.
    std::function<void(const std::function<void(const std::string&)>& emit)> export_ledger;
};

}  // namespace btt::node
