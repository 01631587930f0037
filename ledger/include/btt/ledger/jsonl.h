#pragma once
// The JSONL text of btt-ledger/1 (DESIGN §9): one JSON object per line, `type` first.
// Ids, txids, signatures, roots, hashes and memos are lowercase hex; addresses base58check;
// amounts decimal strings (int64 base units that readers keeping doubles would round);
// block numbers, seqs and times JSON integers (times: Unix seconds); absent optional
// values are null. Unknown fields are ignored on input; unknown record types decode to
// UnknownRecord. Pure: text in, text out.

#include <string>
#include <string_view>

#include <btt/base/expected.h>
#include <btt/ledger/records.h>

namespace btt::ledger {

// One line's object, without the newline.
[[nodiscard]] std::string encode_line(const Record& record);

struct DecodeError {
    std::string detail;  // e.g. `field "amount": not a decimal amount`
};

// Returns the record, or why the line is not a btt-ledger/1 record: not a JSON object, no
// `type`, a header whose schema is not "btt-ledger/1", a required field missing or of the
// wrong form (hex of the wrong length, an address that fails its checksum, an amount
// outside 0..2^63-1 or not canonical decimal).
[[nodiscard]] Expected<Record, DecodeError> decode_line(std::string_view line);

}  // namespace btt::ledger
