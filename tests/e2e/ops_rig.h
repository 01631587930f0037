#pragma once
// What the operators' e2e tests share: token files (0600), a node configured with both
// roles and short settlement windows, bearer metadata, and bttctl runs.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "node_rig.h"

namespace btt::e2e {

inline constexpr const char* kOperatorToken = "operator-token-0123456789abcdef";
inline constexpr const char* kAuditorToken = "auditor-token-fedcba9876543210";

// A folder with the two token files (0600), removed at the end.
struct TokenFiles {
    TokenFiles() {
        char tmpl[] = "/tmp/btt-ops-XXXXXX";
        folder = mkdtemp(tmpl);
        write(operator_file(), kOperatorToken);
        write(auditor_file(), kAuditorToken);
        write(wrong_file(), "not-a-token-of-this-node-000000");
    }
    ~TokenFiles() { std::filesystem::remove_all(folder); }
    static void write(const std::string& path, const std::string& text) {
        std::ofstream(path) << text << "\n";
        ::chmod(path.c_str(), 0600);
    }
    [[nodiscard]] std::string operator_file() const { return folder + "/operator.token"; }
    [[nodiscard]] std::string auditor_file() const { return folder + "/auditor.token"; }
    [[nodiscard]] std::string wrong_file() const { return folder + "/wrong.token"; }
    [[nodiscard]] std::string config() const {
        return "[auth]\noperator_token_file = \"" + operator_file() +
               "\"\nauditor_token_file = \"" + auditor_file() + "\"\n";
    }
    std::string folder;
};

inline RigOptions ops_rig(const TokenFiles& tokens, const std::string& log_format = "text") {
    RigOptions o;
    o.extra_config =
        "settle_delay_s = 2\nfee_bps = 100\n[settlement]\nwindow_s = 1\npayout_expiration_s = 3\n"
        "[log]\nformat = \"" +
        log_format + "\"\n" + tokens.config();
    return o;
}

inline void bearer(grpc::ClientContext& ctx, const char* token) {
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (token != nullptr)
        ctx.AddMetadata("authorization", std::string("Bearer ") + token);
}

// bttctl ARGS...: exit code, stdout and stderr together.
inline std::pair<int, std::string> bttctl(const std::string& args) {
    return run_command(std::string(BTTCTL_EXE) + " " + args + " 2>&1");
}

inline nlohmann::json json_of(const std::pair<int, std::string>& r) {
    EXPECT_EQ(r.first, 0) << r.second;
    auto j = nlohmann::json::parse(r.second, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.second;
    return j;
}

}  // namespace btt::e2e
