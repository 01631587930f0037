#pragma once
// What every bttctl command shares: the output format and the way it fails.
// Exit codes (DESIGN.md §8): 0 ok, 1 invalid signature or mismatch, 2 bad usage or
// malformed input, 3 chain or network failure. The reason goes to stderr.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace btt::ctl {

enum class ExitCode : int { Ok = 0, Invalid = 1, Usage = 2, Network = 3 };

// Thrown by a command to stop with `code`; run() prints "bttctl: <what>" on stderr.
class CommandError : public std::runtime_error {
public:
    CommandError(ExitCode code, const std::string& what) : std::runtime_error(what), m_code(code) {}
    [[nodiscard]] ExitCode code() const noexcept { return m_code; }

private:
    ExitCode m_code;
};

[[noreturn]] inline void fail(ExitCode code, const std::string& why) { throw CommandError(code, why); }

// A command's result: ordered fields, printed as one JSON object with --json, else as
// "name: value" lines. Commands add fields, then run() prints them once at the end, so a
// command that fails half-way prints nothing on stdout.
class Output {
public:
    void add(const std::string& name, nlohmann::ordered_json value) {
        m_fields.emplace_back(name, std::move(value));
    }
    [[nodiscard]] std::string render(bool as_json) const;
    [[nodiscard]] bool empty() const noexcept { return m_fields.empty(); }

private:
    std::vector<std::pair<std::string, nlohmann::ordered_json>> m_fields;
};

struct Context {
    bool json = false;
    Output out;
    ExitCode exit_code = ExitCode::Ok;  // a command sets Invalid for "checked, not valid"
};

}  // namespace btt::ctl
