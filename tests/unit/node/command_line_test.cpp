// bttnode's command line (DESIGN §9): --config, --check-config, --help, --version, and one
// flag per configuration key.
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <btt/node/app/command_line.h>
#include <btt/testkit/actors.h>
#include <btt/tron/io/key_file.h>

namespace {

namespace fs = std::filesystem;
using btt::node::parse_command_line;

auto parse(std::vector<std::string> args) {
    args.insert(args.begin(), "bttnode");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(CommandLine, ReadsConfigCheckAndOverrides) {
    const auto r = parse({"--config", "/etc/bttnode.toml", "--check-config", "--channels.fee_bps",
                          "25", "--node.listen=0.0.0.0:1", "--tron.start_block", "-1",
                          "--node.metrics_listen", ""});
    ASSERT_TRUE(r) << r.error().text;
    EXPECT_EQ(r->config_path, "/etc/bttnode.toml");
    EXPECT_TRUE(r->check_config);
    ASSERT_EQ(r->overrides.size(), 4u);
    // In config_keys() order, whatever the order on the line.
    EXPECT_EQ(r->overrides[0].key, "node.listen");
    EXPECT_EQ(r->overrides[0].value, "0.0.0.0:1");
    EXPECT_EQ(r->overrides[1].key, "node.metrics_listen");
    EXPECT_EQ(r->overrides[1].value, "");
    EXPECT_EQ(r->overrides[2].key, "channels.fee_bps");
    EXPECT_EQ(r->overrides[2].value, "25");
    EXPECT_EQ(r->overrides[3].key, "tron.start_block");
    EXPECT_EQ(r->overrides[3].value, "-1");

    const auto plain = parse({"--config=/x.toml"});
    ASSERT_TRUE(plain) << plain.error().text;
    EXPECT_FALSE(plain->check_config);
    EXPECT_TRUE(plain->overrides.empty());
}

TEST(CommandLine, AcceptsEveryConfigKeyAsAFlag) {
    std::vector<std::string> args = {"--config", "c.toml"};
    for (const auto& k : btt::node::config_keys()) {
        args.push_back("--" + std::string(k.key));
        args.push_back("v-" + std::string(k.key));
    }
    const auto r = parse(args);
    ASSERT_TRUE(r) << r.error().text;
    ASSERT_EQ(r->overrides.size(), btt::node::config_keys().size());
    for (std::size_t i = 0; i < r->overrides.size(); ++i) {
        const auto key = std::string(btt::node::config_keys()[i].key);
        EXPECT_EQ(r->overrides[i].key, key);
        EXPECT_EQ(r->overrides[i].value, "v-" + key);
    }
}

TEST(CommandLine, TheLaterOfTwoFlagsWins) {
    const auto r = parse({"--config", "c", "--channels.fee_bps", "1", "--channels.fee_bps", "2"});
    ASSERT_TRUE(r) << r.error().text;
    ASSERT_EQ(r->overrides.size(), 1u);
    EXPECT_EQ(r->overrides[0].value, "2");
}

TEST(CommandLine, HelpListsEveryKeyWithItsDefaultAndMeaning) {
    const auto r = parse({"--help"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 0);
    const auto& help = r.error().text;
    EXPECT_NE(help.find("bttnode"), std::string::npos);
    EXPECT_NE(help.find("--config"), std::string::npos);
    EXPECT_NE(help.find("--check-config"), std::string::npos);
    EXPECT_NE(help.find("--version"), std::string::npos);
    const btt::node::Config defaults;
    for (const auto& k : btt::node::config_keys()) {
        EXPECT_NE(help.find("--" + std::string(k.key)), std::string::npos) << k.key;
        const auto fallback = k.required ? std::string("(required)")
                                         : "(default: " + *value_text(defaults, k.key) + ")";
        EXPECT_NE(help.find(fallback), std::string::npos) << k.key;
        // The meaning's first words (the formatter may wrap the rest).
        const auto start = std::string(k.meaning.substr(0, 12));
        EXPECT_NE(help.find(start), std::string::npos) << k.key;
    }
    // --help needs no --config, even with other flags.
    const auto with_flags = parse({"--channels.fee_bps", "3", "--help"});
    ASSERT_FALSE(with_flags);
    EXPECT_EQ(with_flags.error().code, 0);
}

TEST(CommandLine, VersionPrintsTheProjectVersion) {
    const auto r = parse({"--version"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, 0);
    EXPECT_EQ(r.error().text, std::string("bttnode ") + BTT_VERSION + "\n");
    EXPECT_EQ(btt::node::node_version(), BTT_VERSION);
    EXPECT_FALSE(btt::node::node_version().empty());
}

TEST(CommandLine, UsageErrorsExitTwoWithOneMessage) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {},                                          // no --config
             {"--check-config"},                          // still no --config
             {"--config"},                                // no value
             {"--config", "c", "--channels.feebps", "1"}, // unknown key
             {"--config", "c", "--verbose"},              // unknown flag
             {"--config", "c", "extra"},                  // a positional argument
             {"--config", "c", "--channels.fee_bps"},     // no value
         }) {
        const auto r = parse(args);
        ASSERT_FALSE(r) << ::testing::PrintToString(args);
        EXPECT_EQ(r.error().code, 2) << ::testing::PrintToString(args);
        EXPECT_EQ(r.error().text.rfind("bttnode: ", 0), 0u) << r.error().text;
        EXPECT_EQ(r.error().text.find('\n'), r.error().text.size() - 1) << r.error().text;
    }
    EXPECT_EQ(parse({}).error().text, "bttnode: --config is required (see bttnode --help)\n");
    EXPECT_EQ(parse({"--config", "c", "--channels.feebps", "1"}).error().text,
              "bttnode: unknown key \"channels.feebps\" (see bttnode --help)\n");
    EXPECT_EQ(parse({"--config", "c", "--channels.feebps=1"}).error().text,
              "bttnode: unknown key \"channels.feebps\" (see bttnode --help)\n");
    EXPECT_EQ(parse({"--config", "c", "--verbose"}).error().text,
              "bttnode: unknown flag --verbose (see bttnode --help)\n");
    EXPECT_EQ(parse({"--config", "c", "extra"}).error().text,
              "bttnode: unexpected argument \"extra\" (see bttnode --help)\n");
}

class CommandLineCheckConfig : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "btt-cli-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
        ASSERT_TRUE(btt::tron::io::write_private_key_file(path("receipt.key"),
                                                          btt::testkit::node_key()));
        ASSERT_TRUE(btt::tron::io::write_private_key_file(path("escrow.key"),
                                                          btt::testkit::escrow()));
        std::ofstream(path("bttnode.toml"))
            << "[node]\nreceipt_key_file = \"" << path("receipt.key") << "\"\n"
            << "[escrow]\naddress = \"" << btt::testkit::escrow().address().to_base58() << "\"\n"
            << "key_file = \"" << path("escrow.key") << "\"\n"
            << "[database]\nurl = \"postgresql://btt:hunter2@127.0.0.1:5432/btt\"\n";
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }

    int check(std::vector<std::string> args) {
        m_out.str("");
        m_err.str("");
        const auto cl = parse(std::move(args));
        EXPECT_TRUE(cl) << cl.error().text;
        if (!cl) return -1;
        EXPECT_TRUE(cl->check_config);
        return btt::node::run_check_config(*cl, m_out, m_err);
    }

    fs::path m_dir;
    std::ostringstream m_out;
    std::ostringstream m_err;
};

TEST_F(CommandLineCheckConfig, PrintsASummaryWithoutThePassword) {
    ASSERT_EQ(check({"--config", path("bttnode.toml"), "--check-config"}), 0) << m_err.str();
    EXPECT_EQ(m_out.str(), "config ok: escrow " + btt::testkit::escrow().address().to_base58() +
                               ", token 1002000, database postgresql://btt@127.0.0.1:5432/btt\n");
    EXPECT_EQ(m_err.str(), "");
    ASSERT_EQ(check({"--config", path("bttnode.toml"), "--check-config", "--channels.token_id",
                     "1000001"}),
              0)
        << m_err.str();
    EXPECT_NE(m_out.str().find("token 1000001,"), std::string::npos) << m_out.str();
}

TEST_F(CommandLineCheckConfig, ExitsTwoWithOneLineOnABadConfig) {
    ASSERT_EQ(check({"--config", path("bttnode.toml"), "--check-config", "--channels.fee_bps",
                     "20000"}),
              2);
    EXPECT_EQ(m_out.str(), "");
    EXPECT_EQ(m_err.str(),
              "bttnode: channels.fee_bps: must be 0..10000, got 20000 (command line)\n");

    ASSERT_EQ(check({"--config", path("absent.toml"), "--check-config"}), 2);
    EXPECT_NE(m_err.str().find("absent.toml"), std::string::npos);
}

TEST_F(CommandLineCheckConfig, ChecksTheKeyFilesToo) {
    ASSERT_EQ(chmod(path("receipt.key").c_str(), 0644), 0);
    ASSERT_EQ(check({"--config", path("bttnode.toml"), "--check-config"}), 2);
    EXPECT_EQ(m_out.str(), "");
    const auto err = m_err.str();
    EXPECT_EQ(err.rfind("bttnode: node.receipt_key_file: ", 0), 0u) << err;
    EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
    EXPECT_EQ(err.find(btt::testkit::node_key().to_hex()), std::string::npos) << err;

    ASSERT_EQ(chmod(path("receipt.key").c_str(), 0600), 0);
    ASSERT_EQ(check({"--config", path("bttnode.toml"), "--check-config", "--escrow.address",
                     btt::testkit::bob().address().to_base58()}),
              2);
    EXPECT_NE(m_err.str().find("escrow.key_file"), std::string::npos) << m_err.str();
    EXPECT_EQ(m_err.str().find(btt::testkit::escrow().to_hex()), std::string::npos);
}

}  // namespace
