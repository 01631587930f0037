#include <btt/ledger/verify.h>

#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <btt/base/hex.h>
#include <btt/channels/lifecycle.h>
#include <btt/channels/memo.h>
#include <btt/channels/proof.h>
#include <btt/channels/receipt.h>
#include <btt/channels/settlement.h>
#include <btt/tron/merkle.h>
#include <btt/tron/tip104.h>

namespace btt::ledger {

std::string VerifyFailure::message() const {
    std::string out = line ? "line " + std::to_string(line) + ": " : std::string();
    out += record_type;
    if (!record_id.empty())
        out += " " + record_id;
    return out + ": " + check + ": " + detail;
}

namespace {

using channels::Amount;
using channels::ChannelId;
using channels::TxId;

// Sections in file order (records.h); batches and their proofs share one.
enum Section : int {
    kHeader = 0,
    kDeposits = 1,
    kChannels = 2,
    kBatches = 3,
    kCloses = 4,
    kSettlements = 5,
    kPayouts = 6,
    kEnd = 7,
};

struct DepositSeen {
    std::size_t line = 0;
    tron::TronAddress from;
    Amount amount;
    std::string token_id;
    DepositOutcome outcome = DepositOutcome::Unclaimed;
    std::optional<ChannelId> channel;
    Bytes memo;
    bool refunded = false;
    bool refund_planned = false;  // refund_batch_id set: a stored payout must refund it
};

struct ChannelSeen {
    std::size_t line = 0;
    ChannelRecord record;
    Amount funded;      // sum of its open and topup deposits
    Amount last_proof;  // 0: none yet
    std::optional<std::size_t> settlement_line;
    std::optional<SettlementRecord> settlement;
    bool payee_paid = false;
    bool refund_paid = false;
};

struct OpenBatch {
    std::size_t line = 0;
    BatchRecord record;
    std::vector<Hash32> leaves;
    std::int64_t last_leaf = -1;
};

std::string amount_text(Amount a) {
    return std::to_string(a.value());
}

}  // namespace

struct Verifier::State {
    std::optional<VerifyFailure> failure;
    std::optional<HeaderRecord> header;
    int section = -1;
    std::map<std::string, std::size_t> counts;
    std::uint64_t records_after_header = 0;

    std::map<TxId, DepositSeen> deposits;
    std::vector<TxId> deposit_order;
    std::map<ChannelId, std::vector<TxId>> funding;  // a channel's open and topup deposits
    std::map<ChannelId, ChannelSeen> channels;
    std::vector<ChannelId> channel_order;

    std::optional<OpenBatch> batch;
    std::optional<tron::BatchHeader> previous_batch;

    std::set<std::pair<ChannelId, channels::PayoutRole>> shares_paid;
    std::map<std::string, TokenBooks> books;

    Expected<void, VerifyFailure> fail(std::size_t line, std::string type, std::string id,
                                       std::string check, std::string detail) {
        failure = VerifyFailure{line, std::move(type), std::move(id), std::move(check),
                                std::move(detail)};
        return unexpected(*failure);
    }
    Expected<void, VerifyFailure> fail(std::size_t line, const Record& r, std::string check,
                                       std::string detail) {
        return fail(line, type_of(r), id_of(r), std::move(check), std::move(detail));
    }

    // Adds to a running total, or reports overflow on `line`.
    bool add_to(Amount& total, Amount more) {
        const auto sum = total.checked_add(more);
        if (!sum)
            return false;
        total = *sum;
        return true;
    }

    // --- section ends -------------------------------------------------------------

    Expected<void, VerifyFailure> end_channels() {
        for (const auto& txid : deposit_order) {
            const auto& d = deposits.at(txid);
            if (d.channel && channels.find(*d.channel) == channels.end()) {
                return fail(
                    d.line, "deposit", txid.to_hex(), "unknown_channel",
                    "funds channel " + d.channel->to_hex() + ", which has no channel record");
            }
        }
        return {};
    }

    Expected<void, VerifyFailure> end_batch() {
        if (!batch)
            return {};
        const OpenBatch b = std::move(*batch);
        batch.reset();
        const auto id = std::to_string(b.record.header.seq);
        if (b.leaves.size() != b.record.header.leaf_count) {
            return fail(b.line, "batch", id, "leaf_count_mismatch",
                        "the header counts " + std::to_string(b.record.header.leaf_count) +
                            " leaves but " + std::to_string(b.leaves.size()) +
                            " proofs of this batch are in the ledger");
        }
        if (tron::merkle_root(b.leaves) != b.record.header.root) {
            return fail(b.line, "batch", id, "root_mismatch",
                        "the Merkle root of this batch's proofs is " +
                            to_hex(tron::merkle_root(b.leaves)) + ", the header says " +
                            to_hex(b.record.header.root));
        }
        previous_batch = b.record.header;
        return {};
    }

    Expected<void, VerifyFailure> end_batches() {
        if (auto r = end_batch(); !r)
            return r;
        for (const auto& id : channel_order) {
            const auto& c = channels.at(id);
            if (c.record.accepted != c.last_proof) {
                return fail(c.line, "channel", id.to_hex(), "accepted_mismatch",
                            "accepted " + amount_text(c.record.accepted) +
                                " but its last proof in the ledger is " +
                                amount_text(c.last_proof));
            }
        }
        return {};
    }

    // Runs the end checks of every section left when moving to `next`.
    Expected<void, VerifyFailure> enter(int next, std::size_t line, const Record& r) {
        if (next < section) {
            return fail(line, r, "out_of_order",
                        "a " + type_of(r) +
                            " record after later sections (order: header, deposits, channels, "
                            "batches with their proofs, closes, settlements, payouts)");
        }
        while (section < next) {
            // Every section passed ends, empty or not.
            if (section == kChannels) {
                if (auto e = end_channels(); !e)
                    return e;
            }
            if (section == kBatches) {
                if (auto e = end_batches(); !e)
                    return e;
            }
            ++section;
        }
        return {};
    }

    // --- records ------------------------------------------------------------------

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r, const HeaderRecord& h) {
        if (header)
            return fail(line, r, "duplicate_header", "a second header line");
        header = h;
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r, const DepositRecord& d) {
        if (d.block > header->solid_block) {
            return fail(line, r, "above_solid_block",
                        "in block " + std::to_string(d.block) + ", above the solid block " +
                            std::to_string(header->solid_block) + " the export was taken at");
        }
        if (deposits.count(d.txid))
            return fail(line, r, "duplicate", "this txid is listed twice");
        // An open or a top-up is what its memo (on chain, signed by the sender) asks for: the
        // memo, not the node's word, says whom a channel pays and which channel is topped up.
        if (d.channel_id) {
            const auto memo = channels::parse_memo(d.memo);
            const bool fits =
                memo && (d.outcome == DepositOutcome::Open
                             ? std::holds_alternative<channels::OpenMemo>(*memo) &&
                                   channels::ChannelId(d.txid.bytes()) == *d.channel_id
                             : std::holds_alternative<channels::TopUpMemo>(*memo) &&
                                   std::get<channels::TopUpMemo>(*memo).channel == *d.channel_id);
            if (!fits) {
                return fail(line, r, "memo_mismatch",
                            std::string("the memo is not the ") + outcome_token(d.outcome) +
                                " memo of channel " + d.channel_id->to_hex());
            }
        }
        DepositSeen s{line,
                      d.from,
                      d.amount,
                      d.token_id,
                      d.outcome,
                      d.channel_id,
                      d.memo,
                      /*refunded=*/false,
                      /*refund_planned=*/d.refund_batch_id.has_value()};
        deposits.emplace(d.txid, s);
        deposit_order.push_back(d.txid);
        if (d.channel_id)
            funding[*d.channel_id].push_back(d.txid);
        books[d.token_id].deposits_in.add(d.amount);
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r, const ChannelRecord& c) {
        if (channels.count(c.channel_id))
            return fail(line, r, "duplicate", "channel listed twice");
        const auto opening = deposits.find(TxId(c.channel_id.bytes()));
        if (opening == deposits.end() || opening->second.outcome != DepositOutcome::Open ||
            opening->second.channel != c.channel_id) {
            return fail(line, r, "no_funding_deposit",
                        "no deposit with outcome open and this channel's id as its txid");
        }
        const auto open_memo = channels::parse_memo(opening->second.memo);
        if (!open_memo || !std::holds_alternative<channels::OpenMemo>(*open_memo) ||
            std::get<channels::OpenMemo>(*open_memo).payee != c.payee ||
            std::get<channels::OpenMemo>(*open_memo).expiry.value != c.expiry) {
            return fail(line, r, "memo_mismatch",
                        "payee " + c.payee.to_base58() + " and expiry " + std::to_string(c.expiry) +
                            " are not what the funding transfer's memo says");
        }
        if (opening->second.from != c.payer) {
            return fail(line, r, "wrong_payer",
                        "payer " + c.payer.to_base58() + " but the funding transfer came from " +
                            opening->second.from.to_base58());
        }
        Amount funded;
        for (const auto& txid : funding[c.channel_id]) {
            const auto& d = deposits.at(txid);
            if (d.from != c.payer) {
                return fail(line, r, "topup_not_from_payer",
                            "deposit " + txid.to_hex() + " came from " + d.from.to_base58() +
                                ", not the payer");
            }
            if (d.token_id != c.token_id) {
                return fail(line, r, "token_mismatch",
                            "deposit " + txid.to_hex() + " is in token " + d.token_id +
                                ", the channel in " + c.token_id);
            }
            if (!add_to(funded, d.amount)) {
                return fail(line, r, "overflow", "its deposits pass 2^63-1");
            }
        }
        if (funded != c.deposit) {
            return fail(line, r, "deposit_mismatch",
                        "deposit " + amount_text(c.deposit) +
                            " but its open and topup deposits sum to " + amount_text(funded));
        }
        if (c.accepted > c.deposit) {
            return fail(line, r, "amount_exceeds_deposit", "accepted is above the deposit");
        }
        ChannelSeen s;
        s.line = line;
        s.record = c;
        s.funded = funded;
        channels.emplace(c.channel_id, std::move(s));
        channel_order.push_back(c.channel_id);
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r, const BatchRecord& b) {
        if (auto e = end_batch(); !e)
            return e;
        const std::uint64_t want = previous_batch ? previous_batch->seq + 1 : 1;
        if (b.header.seq != want) {
            return fail(line, r, "batch_seq_gap",
                        "seq " + std::to_string(b.header.seq) + " where " + std::to_string(want) +
                            " comes next (a batch is missing or out of order)");
        }
        const Hash32 prev = previous_batch ? tron::batch_hash(*previous_batch) : Hash32{};
        if (b.header.prev_hash != prev) {
            return fail(line, r, "prev_hash_mismatch",
                        "prev_hash " + to_hex(b.header.prev_hash) +
                            " but the batch before hashes to " + to_hex(prev));
        }
        if (b.header.leaf_count == 0) {
            return fail(line, r, "empty_batch", "a batch holds at least one leaf");
        }
        const auto signer = tron::recover_message_v2(tron::batch_header_message(b.header),
                                                     b.signature, tron::SPolicy::RefuseHighS);
        if (!signer)
            return fail(line, r, "bad_signature", signer.error().message());
        if (*signer != header->receipt_address) {
            return fail(line, r, "wrong_signer",
                        "signed by " + signer->to_base58() + ", not the receipt address " +
                            header->receipt_address.to_base58());
        }
        batch = OpenBatch{line, b, {}, -1};
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r, const ProofRecord& p) {
        if (!batch || batch->record.header.seq != p.batch_seq) {
            return fail(line, r, "not_in_batch",
                        "batch_seq " + std::to_string(p.batch_seq) +
                            " is not the batch just listed (proofs follow their batch line)");
        }
        if (static_cast<std::int64_t>(p.leaf_index) <= batch->last_leaf ||
            p.leaf_index >= batch->record.header.leaf_count) {
            return fail(line, r, "bad_leaf_index",
                        "leaf_index " + std::to_string(p.leaf_index) +
                            " is not after the previous proof's and below the batch's leaf count");
        }
        const auto it = channels.find(p.channel_id);
        if (it == channels.end())
            return fail(line, r, "unknown_channel", "no such channel record");
        auto& c = it->second;
        // The node's own first step (check_proof), so the audit and intake share one rule.
        const channels::ProofMsg msg{
            Bytes(p.channel_id.bytes().begin(), p.channel_id.bytes().end()),
            static_cast<std::uint64_t>(p.amount.value()),
            Bytes(p.signature.begin(), p.signature.end())};
        const auto verified = channels::check_proof(msg);
        if (!verified) {
            return fail(line, r, std::string(channels::token_of(verified.error())),
                        std::string(channels::sentence_of(verified.error())));
        }
        if (verified->signer != c.record.payer) {
            return fail(line, r, "wrong_signer",
                        "signed by " + verified->signer.to_base58() + ", not the payer " +
                            c.record.payer.to_base58());
        }
        // Replay of an older cumulative amount would lower what the payee is owed.
        if (p.amount <= c.last_proof) {
            return fail(line, r, "amount_not_increasing",
                        "not above the channel's previous proof " + amount_text(c.last_proof));
        }
        if (p.amount > c.record.deposit) {
            return fail(line, r, "amount_exceeds_deposit",
                        "above the channel's deposit " + amount_text(c.record.deposit));
        }
        c.last_proof = p.amount;
        batch->last_leaf = p.leaf_index;
        batch->leaves.push_back(channels::receipt_leaf_hash(p.channel_id, p.amount));
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r, const CloseRecord& cr) {
        const auto it = channels.find(cr.channel_id);
        if (it == channels.end())
            return fail(line, r, "unknown_channel", "no such channel record");
        channels::Channel ch;
        ch.id = cr.channel_id;
        ch.payer = it->second.record.payer;
        ch.payee = it->second.record.payee;
        const auto party = channels::check_close(
            ch,
            channels::CloseRequest{cr.channel_id, Bytes(cr.signature.begin(), cr.signature.end())});
        if (!party)
            return fail(line, r, channels::error_token(party.error()),
                        "the close signature does not hold");
        if (*party != cr.party) {
            return fail(line, r, "wrong_party",
                        std::string("signed by the ") + party_token(*party) + ", recorded as the " +
                            party_token(cr.party));
        }
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r,
                                        const SettlementRecord& s) {
        const auto it = channels.find(s.channel_id);
        if (it == channels.end())
            return fail(line, r, "unknown_channel", "no such channel record");
        auto& c = it->second;
        if (c.record.state != channels::ChannelState::Settling &&
            c.record.state != channels::ChannelState::Closed) {
            return fail(line, r, "channel_not_settling",
                        std::string("the channel is ") + channels::state_name(c.record.state));
        }
        if (c.settlement)
            return fail(line, r, "duplicate", "the channel is settled twice");
        if (s.deposit != c.record.deposit) {
            return fail(line, r, "deposit_mismatch",
                        "deposit " + amount_text(s.deposit) + ", the channel's is " +
                            amount_text(c.record.deposit));
        }
        if (s.accepted != c.last_proof) {
            return fail(line, r, "accepted_mismatch",
                        "accepted " + amount_text(s.accepted) +
                            " but the channel's last proof is " + amount_text(c.last_proof));
        }
        // The planner's own split at the settlement's stored rate (a later fee change never
        // rewrites history).
        channels::Channel ch;
        ch.id = s.channel_id;
        ch.deposit = s.deposit;
        ch.accepted = s.accepted;
        const auto split = channels::split_channel(ch, s.fee_bps);
        if (!split)
            return fail(line, r, "bad_fee_rate", "fee_bps above 10000");
        if (split->fee != s.fee || split->payee_amount != s.payee_amount ||
            split->refund != s.refund) {
            return fail(line, r, "split_mismatch",
                        "at " + std::to_string(s.fee_bps) + " bps the split is fee " +
                            amount_text(split->fee) + ", payee " +
                            amount_text(split->payee_amount) + ", refund " +
                            amount_text(split->refund) + "; recorded " + amount_text(s.fee) + ", " +
                            amount_text(s.payee_amount) + ", " + amount_text(s.refund));
        }
        c.settlement = s;
        c.settlement_line = line;
        books[c.record.token_id].fees.add(s.fee);
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t line, const Record& r, const PayoutRecord& p) {
        if (p.state == PayoutState::Confirmed && (!p.txid || !p.block)) {
            return fail(line, r, "confirmed_without_txid", "confirmed but no txid or block");
        }
        Amount sum;
        for (const auto& c : p.contributions) {
            if (!add_to(sum, c.amount))
                return fail(line, r, "overflow", "contributions pass 2^63-1");
            if (auto e = check_contribution(line, r, p, c); !e)
                return e;
        }
        if (sum != p.amount) {
            return fail(line, r, "payout_sum_mismatch",
                        "amount " + amount_text(p.amount) + " but its contributions sum to " +
                            amount_text(sum));
        }
        books[p.token_id].paid_out.add(p.amount);
        return {};
    }

    Expected<void, VerifyFailure> check_contribution(std::size_t line, const Record& r,
                                                     const PayoutRecord& p,
                                                     const ContributionRecord& c) {
        const std::string what = std::string(role_token(c.role)) + " ";
        if (c.role == channels::PayoutRole::UnclaimedRefund) {
            const auto it = deposits.find(*c.transfer_txid);
            if (it == deposits.end() || it->second.outcome != DepositOutcome::Unclaimed) {
                return fail(line, r, "unknown_transfer",
                            what + c.transfer_txid->to_hex() + " is no unclaimed deposit");
            }
            auto& d = it->second;
            if (d.refunded) {
                return fail(line, r, "paid_twice",
                            what + c.transfer_txid->to_hex() + " is refunded twice");
            }
            if (d.from != p.recipient) {
                return fail(line, r, "wrong_recipient",
                            what + c.transfer_txid->to_hex() + " belongs to " + d.from.to_base58());
            }
            if (d.amount != c.amount || d.token_id != p.token_id) {
                return fail(line, r, "contribution_mismatch",
                            what + c.transfer_txid->to_hex() + " refunds " + amount_text(c.amount) +
                                " " + p.token_id + ", the transfer was " + amount_text(d.amount) +
                                " " + d.token_id);
            }
            d.refunded = true;
            return {};
        }
        const auto it = channels.find(*c.channel_id);
        if (it == channels.end() || !it->second.settlement) {
            return fail(line, r, "unknown_share",
                        what + c.channel_id->to_hex() + " has no settlement");
        }
        auto& ch = it->second;
        const bool payee = c.role == channels::PayoutRole::PayeeShare;
        const auto& owed_to = payee ? ch.record.payee : ch.record.payer;
        const Amount owed = payee ? ch.settlement->payee_amount : ch.settlement->refund;
        if (!shares_paid.insert({*c.channel_id, c.role}).second) {
            return fail(line, r, "paid_twice", what + c.channel_id->to_hex() + " is paid twice");
        }
        if (owed_to != p.recipient) {
            return fail(line, r, "wrong_recipient",
                        what + c.channel_id->to_hex() + " is owed to " + owed_to.to_base58() +
                            ", paid to " + p.recipient.to_base58());
        }
        if (owed != c.amount || ch.record.token_id != p.token_id) {
            return fail(line, r, "contribution_mismatch",
                        what + c.channel_id->to_hex() + " pays " + amount_text(c.amount) + " " +
                            p.token_id + ", the settlement owes " + amount_text(owed) + " " +
                            ch.record.token_id);
        }
        (payee ? ch.payee_paid : ch.refund_paid) = true;
        return {};
    }

    Expected<void, VerifyFailure> check(std::size_t, const Record&, const UnknownRecord&) {
        return {};
    }

    static int section_of(const Record& r) {
        switch (r.index()) {
            case 0:
                return kHeader;
            case 1:
                return kDeposits;
            case 2:
                return kChannels;
            case 3:  // proof
            case 4:
                return kBatches;
            case 5:
                return kCloses;
            case 6:
                return kSettlements;
            case 7:
                return kPayouts;
            default:
                return -1;
        }
    }
};

Verifier::Verifier() : m_state(std::make_unique<State>()) {}
Verifier::~Verifier() = default;
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;

Expected<void, VerifyFailure> Verifier::add(std::size_t line, const Record& record) {
    auto& s = *m_state;
    if (s.failure)
        return unexpected(*s.failure);
    if (!s.header && !std::holds_alternative<HeaderRecord>(record)) {
        return s.fail(line, record, "no_header", "the first line must be the btt-ledger/1 header");
    }
    ++s.counts[type_of(record)];
    if (s.header)
        ++s.records_after_header;
    if (const int next = State::section_of(record); next >= 0) {
        if (auto e = s.enter(next, line, record); !e)
            return e;
    }
    return std::visit([&](const auto& r) { return s.check(line, record, r); }, record);
}

Expected<VerifySummary, VerifyFailure> Verifier::finish() {
    auto& s = *m_state;
    if (s.failure)
        return unexpected(*s.failure);
    if (!s.header) {
        (void)s.fail(0, "ledger", "", "no_header", "the ledger is empty");
        return unexpected(*s.failure);
    }
    // A file cut at a line boundary parses: the header's own counts say it is short.
    const auto& h = *s.header;
    const std::uint64_t last_seq = s.previous_batch ? s.previous_batch->seq : 0;
    if (h.last_batch_seq && *h.last_batch_seq != last_seq) {
        (void)s.fail(1, "header", "", "batches_missing",
                     "the header names batch " + std::to_string(*h.last_batch_seq) +
                         " as the last, the file ends at batch " + std::to_string(last_seq));
        return unexpected(*s.failure);
    }
    if (s.section < kEnd) {
        const Record end = UnknownRecord{"end"};
        if (auto e = s.enter(kEnd, 0, end); !e)
            return unexpected(e.error());
    }
    // Every non-zero share of a settlement is paid: the planner stores the payouts with
    // the plan, so a share without its payout is a payout missing from the books.
    for (const auto& id : s.channel_order) {
        const auto& c = s.channels.at(id);
        if (!c.settlement)
            continue;
        const bool payee_owed = !c.settlement->payee_amount.is_zero() && !c.payee_paid;
        const bool refund_owed = !c.settlement->refund.is_zero() && !c.refund_paid;
        if (payee_owed || refund_owed) {
            (void)s.fail(*c.settlement_line, "settlement", id.to_hex(), "share_unpaid",
                         std::string("no payout carries its ") +
                             (payee_owed ? "payee share" : "payer refund"));
            return unexpected(*s.failure);
        }
    }
    // An unclaimed transfer whose refund was planned has its payout: the plan stores both
    // in one transaction.
    for (const auto& txid : s.deposit_order) {
        const auto& d = s.deposits.at(txid);
        if (d.refund_planned && !d.refunded) {
            (void)s.fail(d.line, "deposit", txid.to_hex(), "refund_unpaid",
                         "its refund is planned (refund_batch_id) but no payout carries it");
            return unexpected(*s.failure);
        }
    }
    // Conservation, per token, each term from a different record type: deposits in =
    // payouts + fees kept + still held.
    for (const auto& id : s.channel_order) {
        const auto& c = s.channels.at(id);
        if (!c.settlement)
            s.books[c.record.token_id].still_held.add(c.record.deposit);
    }
    for (const auto& [txid, d] : s.deposits) {
        const bool held = d.outcome == DepositOutcome::Held ||
                          (d.outcome == DepositOutcome::Unclaimed && !d.refunded);
        if (held)
            s.books[d.token_id].still_held.add(d.amount);
    }
    for (const auto& [token, b] : s.books) {
        if (!(b.paid_out.plus(b.fees).plus(b.still_held) == b.deposits_in)) {
            (void)s.fail(0, "ledger", token, "books_unbalanced",
                         "deposits in " + b.deposits_in.to_string() + " != payouts " +
                             b.paid_out.to_string() + " + fees " + b.fees.to_string() +
                             " + still held " + b.still_held.to_string());
            return unexpected(*s.failure);
        }
    }
    // Last: a record lost in the middle that no check above misses (a close, a channel
    // with nothing to settle) still leaves the file short of what its header announced.
    if (h.records && *h.records != s.records_after_header) {
        (void)s.fail(1, "header", "", "records_missing",
                     "the header announces " + std::to_string(*h.records) +
                         " records after it, the file has " +
                         std::to_string(s.records_after_header));
        return unexpected(*s.failure);
    }
    return VerifySummary{s.counts, s.books};
}

Expected<VerifySummary, VerifyFailure> verify_ledger(std::span<const Record> records) {
    Verifier v;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (auto r = v.add(i + 1, records[i]); !r)
            return unexpected(r.error());
    }
    return v.finish();
}

}  // namespace btt::ledger
