#pragma once
// The ledger export (issue 12, DESIGN §9): the node's whole history as btt-ledger/1 JSONL
// lines (ledger/records.h), read from PostgreSQL in one consistent snapshot and streamed,
// so an export of millions of proofs never sits in memory. AuditService.ExportLedger sends
// each line as a LedgerLine; `bttctl audit verify` checks the result.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <pqxx/connection>

#include <btt/tron/address.h>

namespace btt::node {

// What the header line says that the database does not know: the node's configuration and
// the caller's clock.
struct LedgerHeaderInfo {
    tron::TronAddress escrow_address;
    tron::TronAddress receipt_address;
    std::string token_id;
    std::uint32_t fee_bps = 0;
    std::int64_t exported_at = 0;  // Unix seconds
};

// Calls `emit` once per line (without its newline), header first, in the order of
// ledger/records.h, from one REPEATABLE READ READ ONLY transaction: every line describes
// the same instant, however long the export takes and whatever the node commits meanwhile.
// Rows are fetched through server-side cursors, a thousand at a time.
// Throws what libpqxx throws (broken connection, ...) and std::runtime_error for a stored
// row that does not parse (tampering or a bug): the caller translates, and the lines
// already emitted are then an incomplete ledger that `audit verify` refuses.
// `emit` may throw to stop the export (e.g. the client went away); it is passed through.
void export_ledger(pqxx::connection& db, const LedgerHeaderInfo& info,
                   const std::function<void(const std::string& line)>& emit);

// The same on a connection of its own to `url`, throwing DatabaseUnreachable or
// DatabaseFailure (store.h) where the one above throws libpqxx's errors.
void export_ledger(const std::string& url, const LedgerHeaderInfo& info,
                   const std::function<void(const std::string& line)>& emit);

}  // namespace btt::node
