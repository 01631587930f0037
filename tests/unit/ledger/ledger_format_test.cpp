// btt-ledger/1 text: JSONL round trips, field forms, malformed lines, CSV rendering.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <btt/ledger/csv.h>
#include <btt/ledger/jsonl.h>

#include "sample_ledger.h"

namespace btt::ledger::test {
namespace {

TEST(LedgerJsonl, EveryRecordRoundTripsByteForByte) {
    for (const auto& r : sample_ledger()) {
        const auto line = encode_line(r);
        const auto back = decode_line(line);
        ASSERT_TRUE(back.has_value()) << line << ": " << back.error().detail;
        EXPECT_EQ(type_of(*back), type_of(r));
        EXPECT_EQ(encode_line(*back), line);
    }
}

TEST(LedgerJsonl, HeaderComesFirstWithTheSchemaAndFieldsUseTheDocumentedForms) {
    const auto records = sample_ledger();
    const auto header = nlohmann::json::parse(encode_line(records[0]));
    EXPECT_EQ(header["schema"], "btt-ledger/1");
    EXPECT_EQ(header["type"], "header");
    EXPECT_EQ(header["receipt_address"], testkit::node_key().address().to_base58());
    EXPECT_EQ(header["solid_block"], 100);

    const auto deposit = nlohmann::json::parse(encode_line(records[1]));
    // The field names of DESIGN §9, exactly.
    for (const char* f :
         {"txid", "from", "amount", "token_id", "block", "memo", "outcome", "channel_id"}) {
        EXPECT_TRUE(deposit.contains(f)) << f;
    }
    EXPECT_EQ(deposit["amount"], "1000000");  // a decimal string, not a number
    std::string alice_channel;
    for (int i = 0; i < 32; ++i)
        alice_channel += "a1";
    EXPECT_EQ(deposit["txid"], alice_channel);  // lowercase hex
    EXPECT_EQ(deposit["from"], testkit::alice().address().to_base58());
    EXPECT_EQ(deposit["outcome"], "open");

    const auto proof = nlohmann::json::parse(encode_line(records[8]));
    for (const char* f :
         {"channel_id", "amount", "signature", "received_at", "batch_seq", "leaf_index"}) {
        EXPECT_TRUE(proof.contains(f)) << f;
    }
    const auto batch = nlohmann::json::parse(encode_line(records[7]));
    for (const char* f : {"seq", "prev_hash", "leaf_count", "root", "signature"}) {
        EXPECT_TRUE(batch.contains(f)) << f;
    }
    EXPECT_EQ(batch["prev_hash"], std::string(64, '0'));
    const auto close = nlohmann::json::parse(encode_line(records[16]));
    for (const char* f : {"channel_id", "party", "signature", "at"})
        EXPECT_TRUE(close.contains(f)) << f;
    const auto settlement = nlohmann::json::parse(encode_line(records[17]));
    for (const char* f : {"channel_id", "accepted", "fee", "payee_amount", "refund"}) {
        EXPECT_TRUE(settlement.contains(f)) << f;
    }
    const auto payout = nlohmann::json::parse(encode_line(records[18]));
    for (const char* f :
         {"batch_id", "txid", "recipient", "token_id", "amount", "block", "contributions"}) {
        EXPECT_TRUE(payout.contains(f)) << f;
    }
    EXPECT_EQ(payout["contributions"][0]["role"], "payee_share");
}

TEST(LedgerJsonl, RefusesMalformedLinesAndSaysWhichField) {
    const auto records = sample_ledger();
    auto deposit = nlohmann::json::parse(encode_line(records[1]));
    const auto refused = [](const nlohmann::json& j, const std::string& needle) {
        const auto r = decode_line(j.dump());
        if (r.has_value())
            return ::testing::AssertionFailure() << "accepted " << j.dump();
        if (r.error().detail.find(needle) == std::string::npos) {
            return ::testing::AssertionFailure() << r.error().detail;
        }
        return ::testing::AssertionSuccess();
    };
    auto d = deposit;
    d["amount"] = "0100";  // not canonical
    EXPECT_TRUE(refused(d, "amount"));
    d["amount"] = 100;  // a number, not a string
    EXPECT_TRUE(refused(d, "amount"));
    d["amount"] = "9223372036854775808";  // 2^63
    EXPECT_TRUE(refused(d, "amount"));
    d = deposit;
    auto from = d["from"].get<std::string>();
    from.back() = from.back() == 'a' ? 'b' : 'a';  // breaks the base58check checksum
    d["from"] = from;
    EXPECT_TRUE(refused(d, "from"));
    d = deposit;
    d["txid"] = std::string(62, 'a');
    EXPECT_TRUE(refused(d, "txid"));
    d = deposit;
    d.erase("block");
    EXPECT_TRUE(refused(d, "block"));
    d = deposit;
    d["outcome"] = "stolen";
    EXPECT_TRUE(refused(d, "outcome"));
    auto h = nlohmann::json::parse(encode_line(records[0]));
    h["schema"] = "btt-ledger/2";
    EXPECT_TRUE(refused(h, "schema"));
    EXPECT_FALSE(decode_line("not json").has_value());
    EXPECT_FALSE(decode_line("[1,2]").has_value());
}

TEST(LedgerJsonl, UnknownFieldsAreIgnoredAndUnknownTypesKept) {
    auto j = nlohmann::json::parse(encode_line(sample_ledger()[1]));
    j["added_later"] = "x";
    ASSERT_TRUE(decode_line(j.dump()).has_value());
    const auto unknown = decode_line(R"({"type":"rebate","amount":"5"})");
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(type_of(*unknown), "rebate");
}

TEST(LedgerCsv, QuotesAsRfc4180) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
}

TEST(LedgerCsv, OneRowPerMovementWithAColumnPerField) {
    CsvRenderer csv;
    std::vector<std::string> rows;
    for (const auto& r : sample_ledger()) {
        const auto text = csv.rows(r);
        std::size_t start = 0;
        while (start < text.size()) {
            // Rows end in CRLF (memos that are not printable ASCII are shown as hex).
            const auto end = text.find("\r\n", start);
            ASSERT_NE(end, std::string::npos);
            rows.push_back(text.substr(start, end - start));
            start = end + 2;
        }
    }
    EXPECT_EQ(csv_header_row(),
              "movement,time,block,txid,channel_id,batch,from,to,token_id,amount,cumulative,"
              "state,signature,memo,detail\r\n");
    // 4 deposits, 6 proofs, 3 split rows, 3 payouts.
    ASSERT_EQ(rows.size(), 16u);
    EXPECT_EQ(rows[0].rfind("deposit,", 0), 0u);
    // The stray transfer's memo holds a comma and quotes: quoted, quotes doubled.
    EXPECT_NE(rows[3].find(",\"hello, \"\"world\"\"\","), std::string::npos) << rows[3];
    // Alice's second proof (300 after 100) moves 200; cumulative 300.
    EXPECT_NE(rows[6].find(",200,300,"), std::string::npos) << rows[6];
    EXPECT_EQ(rows[10].rfind("fee,", 0), 0u);
    EXPECT_NE(rows[10].find(",7,700,"), std::string::npos) << rows[10];
    EXPECT_EQ(rows[11].rfind("payee_share,", 0), 0u);
    EXPECT_EQ(rows[12].rfind("payer_refund,", 0), 0u);
    EXPECT_EQ(rows[13].rfind("payout,", 0), 0u);
    EXPECT_NE(rows[13].find(testkit::bob().address().to_base58()), std::string::npos);
}

}  // namespace
}  // namespace btt::ledger::test
