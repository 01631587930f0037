// `bttctl audit verify FILE` (issue 12) on files written here: exit 0 with the books when
// every check holds, 1 naming the first offending record, 2 for unreadable or malformed
// input. Run in-process through btt::ctl::run, the executable's code.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <btt/ledger/jsonl.h>

#include "../tools/bttctl_runner.h"
#include "sample_ledger.h"

namespace btt::ledger::test {
namespace {

using btt::testing::run_ctl;

class AuditVerifyFile : public ::testing::Test {
protected:
    void SetUp() override {
        m_path = std::filesystem::temp_directory_path() /
                 ("btt-ledger-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl");
    }
    void TearDown() override { std::filesystem::remove(m_path); }

    std::string write(const std::vector<Record>& records, const std::string& extra = "") {
        std::ofstream f(m_path, std::ios::binary | std::ios::trunc);
        for (const auto& r : records)
            f << encode_line(r) << "\n";
        f << extra;
        return m_path.string();
    }

    std::filesystem::path m_path;
};

TEST_F(AuditVerifyFile, ExitsZeroWithTheBooksWhenEveryCheckHolds) {
    const auto r = run_ctl({"--json", "audit", "verify", write(sample_ledger())});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    EXPECT_TRUE(j["ok"].get<bool>());
    EXPECT_EQ(j["records"]["proof"], 6);
    EXPECT_EQ(j["books"]["1002000"]["fees"], "7");
    EXPECT_EQ(j["books"]["1002000"]["still_held"], "2000000");
}

TEST_F(AuditVerifyFile, ExitsOneNamingTheFirstOffendingRecord) {
    auto ledger = sample_ledger();
    std::get<PayoutRecord>(ledger.at(18)).amount = amt(694);  // line 19
    const auto r = run_ctl({"--json", "audit", "verify", write(ledger)});
    EXPECT_EQ(r.code, 1) << r.err;
    const auto j = r.json();
    EXPECT_FALSE(j["ok"].get<bool>());
    EXPECT_EQ(j["line"], 19);
    EXPECT_EQ(j["record_type"], "payout");
    EXPECT_EQ(j["record_id"], "1");
    EXPECT_EQ(j["check"], "payout_sum_mismatch");
    EXPECT_NE(r.err.find("line 19: payout 1: payout_sum_mismatch"), std::string::npos) << r.err;
}

TEST_F(AuditVerifyFile, ExitsOneForALedgerCutShort) {
    auto ledger = sample_ledger();
    ledger.resize(19);  // alice's refund and carol's are gone: the file ends early
    const auto r = run_ctl({"--json", "audit", "verify", write(ledger)});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(r.json()["check"], "share_unpaid");
    EXPECT_EQ(r.json()["line"], 18);  // the settlement whose payer refund no payout carries
}

TEST_F(AuditVerifyFile, ExitsTwoForMalformedOrUnreadableInput) {
    const auto bad = run_ctl({"audit", "verify", write(sample_ledger(), "{\"type\":\"proof\"\n")});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("line 22"), std::string::npos) << bad.err;
    const auto missing = run_ctl({"audit", "verify", (m_path.string() + ".absent")});
    EXPECT_EQ(missing.code, 2);
    EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace btt::ledger::test
