#pragma once
// The recorded pause of intake (migration 0006): written by AdminService.PauseIntake before
// it answers, removed by ResumeIntake, read at start so a restart keeps intake paused.
// Each function throws libpqxx's errors (the caller decides what an outage means).
#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace btt::node {

struct IntakePause {
    std::string reason;
    std::int64_t since = 0;  // Unix seconds
};

[[nodiscard]] std::optional<IntakePause> read_intake_pause(pqxx::connection& db);
void record_intake_pause(pqxx::connection& db, const IntakePause& pause);
void clear_intake_pause(pqxx::connection& db);

}  // namespace btt::node
