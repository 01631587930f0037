#pragma once
// The recorded pause of intake (migration 0006): written by AdminService.PauseIntake before
// it answers, removed by ResumeIntake, read at start so a restart keeps intake paused.
// Each call is one transaction on a connection of its own (they are rare); the errors are
// StoreError's (store.h): the caller decides what an outage means.
#include <cstdint>
#include <optional>
#include <string>

#include <btt/node/store/store.h>

namespace btt::node {

struct IntakePause {
    std::string reason;
    std::int64_t since = 0;  // Unix seconds
};

class IntakePauseRecord {
public:
    explicit IntakePauseRecord(std::string database_url) : m_url(std::move(database_url)) {}

    [[nodiscard]] StoreResult<std::optional<IntakePause>> read() const;
    // A second pause keeps the first one's reason and time.
    [[nodiscard]] StoreResult<void> record(const IntakePause& pause) const;
    [[nodiscard]] StoreResult<void> clear() const;

private:
    std::string m_url;
};

}  // namespace btt::node
