#pragma once
// The ledger as a spreadsheet (`bttctl audit export --format csv`, issue 12): one row per
// movement of tokens, a column per field, RFC 4180 (comma separated, CRLF line ends, a
// field with a comma, quote, CR or LF in double quotes with its quotes doubled), a header
// row first. Rows, in ledger order:
//   deposit       a transfer to the escrow (amount as sent; state = its outcome)
//   proof         an off-chain payment, payer to payee: amount = the increase over the
//                 channel's previous proof, cumulative = the signed amount
//   fee, payee_share, payer_refund
//                 a settlement's split, one row each (cumulative = accepted)
//   payout        a transfer from the escrow (detail lists its contributions)
// The header line, channels, batches and closes move nothing and have no rows.
// Pure: records in, text out.

#include <map>
#include <string>
#include <string_view>

#include <btt/ledger/records.h>

namespace btt::ledger {

// movement,time,block,txid,channel_id,batch,from,to,token_id,amount,cumulative,state,
// signature,memo,detail
[[nodiscard]] std::string csv_header_row();

// One field, quoted when RFC 4180 requires it.
[[nodiscard]] std::string csv_field(std::string_view value);

// Keeps what later rows need from earlier records (the escrow, each channel's parties and
// token, each channel's previous proof).
class CsvRenderer {
public:
    // The rows of one record, each ending in CRLF; empty for records that move nothing.
    [[nodiscard]] std::string rows(const Record& record);

private:
    struct ChannelFacts {
        tron::TronAddress payer, payee;
        std::string token_id;
        channels::Amount last_proof;
    };
    std::string m_escrow;
    std::map<channels::ChannelId, ChannelFacts> m_channels;
};

}  // namespace btt::ledger
