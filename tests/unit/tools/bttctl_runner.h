#pragma once
// Runs bttctl in-process (btt::ctl::run, the same code as the executable) and captures its
// exit code, stdout and stderr.
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <btt/ctl/commands.h>

namespace btt::testing {

struct CtlResult {
    int code = -1;
    std::string out;
    std::string err;
    [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(out); }
};

inline CtlResult run_ctl(std::vector<std::string> args) {
    args.insert(args.begin(), "bttctl");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    CtlResult r;
    r.code = btt::ctl::run(static_cast<int>(argv.size()), argv.data());
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

}  // namespace btt::testing
