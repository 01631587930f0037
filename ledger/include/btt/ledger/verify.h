#pragma once
// The offline audit of a btt-ledger/1 export (issue 12, `bttctl audit verify`): everything
// an auditor can check from the file alone, through the same pure rules the node runs
// (channels/ check_proof, check_close, split_channel, receipt leaves; tron/ Merkle trees
// and batch headers), with no trust in the node. Checks, in file order:
//   deposit     unique txid; at or below the header's solid block; open/topup name a channel
//               and carry that channel's open / topup memo
//   channel     unique; its deposit = the sum of its open and topup deposits, all from the
//               payer in the channel's token; opened by a deposit whose txid is the channel id
//               and whose memo names the channel's payee and expiry
//   batch       seqs 1, 2, 3, ... without gaps; prev_hash = batch hash of the one before
//               (zeros for seq 1); leaf_count >= 1; TIP-104 signature over the 88 header
//               bytes by the header's receipt_address (high-S refused); once its proofs are
//               read: exactly leaf_count of them, and the RFC 6962 root rebuilt from their
//               receipt leaves equals the header's root
//   proof       in the batch just read, leaf indexes increasing; check_proof holds and
//               recovers the channel's payer; amount strictly above the channel's previous
//               proof and at most its deposit
//   channel     (after the proofs) its accepted amount is its last proof's
//   close       the signature recovers to the party it names (check_close)
//   settlement  of a SETTLING or CLOSED channel, once; deposit and accepted are the
//               channel's (accepted = its last proof); fee, payee amount and refund equal
//               split_channel at the settlement's own fee_bps
//   payout      amount = sum of its contributions; each contribution matches a settlement
//               share (payee share -> the channel's payee, payer refund -> its payer) or an
//               unclaimed deposit's refund (-> its sender), same token and amount; no share
//               paid twice; confirmed payouts carry a txid and a block
//   end         every non-zero settlement share is paid, every planned unclaimed refund
//               (refund_batch_id) too; per token, deposits in = payouts
//               + fees kept + still held (channels not settled, unclaimed not refunded,
//               transfers held for the operator)
// The first failure stops the check and names its record (line, type, id) and the check.
// Leaves to callers: reading files, and the chain (`--tron`: are the deposits and payouts
// on the solidified chain as recorded).
// Pure: no I/O, clock or randomness.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include <btt/base/expected.h>
#include <btt/channels/conservation.h>
#include <btt/ledger/records.h>

namespace btt::ledger {

struct VerifyFailure {
    std::size_t line = 0;     // 1-based line of the offending record (0: the file as a whole)
    std::string record_type;  // "proof", "batch", ... or "ledger" for whole-file checks
    std::string record_id;    // as id_of(), or the token for a conservation failure
    std::string check;        // stable token, e.g. "wrong_signer", "root_mismatch"
    std::string detail;       // one sentence for people
    // "line 12: proof c4..:500: wrong_signer: ..."
    [[nodiscard]] std::string message() const;
};

// Per token, after a passing check.
// 128-bit totals (channels::Total): a stranger's self-issued token in amounts near 2^63
// must not make a ledger unverifiable.
struct TokenBooks {
    channels::Total deposits_in;  // every transfer to the escrow in this token
    channels::Total paid_out;     // every payout (planned, signed or confirmed)
    channels::Total fees;         // settlement fees kept by the operator
    channels::Total still_held;   // unsettled channels, unrefunded unclaimed, held transfers
};

struct VerifySummary {
    std::map<std::string, std::size_t> records;  // count by type
    std::map<std::string, TokenBooks> books;
};

// Checks a ledger one record at a time, keeping per-channel state (not the proofs), so a
// file of any length is checked in one pass.
class Verifier {
public:
    Verifier();
    ~Verifier();
    Verifier(Verifier&&) noexcept;
    Verifier& operator=(Verifier&&) noexcept;

    // Checks one record; `line` is its 1-based line number. After a failure, every later
    // call returns that same failure.
    [[nodiscard]] Expected<void, VerifyFailure> add(std::size_t line, const Record& record);
    // The end-of-file checks; the summary when everything held.
    [[nodiscard]] Expected<VerifySummary, VerifyFailure> finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// The whole ledger at once: record i is on line i + 1.
[[nodiscard]] Expected<VerifySummary, VerifyFailure> verify_ledger(std::span<const Record> records);

}  // namespace btt::ledger
