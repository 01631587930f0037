#pragma once
// bttnode's log lines on stderr: `log.level` and `log.format` (text for people, json for
// collectors: one object per line with ts (UTC, RFC 3339), level and msg). Nothing a log
// line carries is a secret: keys and tokens are never passed to the logger.
#include <string>
#include <string_view>

#include <btt/node/app/config.h>

namespace btt::node {

void configure_logging(LogLevel level, LogFormat format);

// `text` escaped for a JSON string's inside (quotes, backslashes, control characters;
// bytes that are not UTF-8 become U+FFFD, so a line always parses).
[[nodiscard]] std::string json_escape(std::string_view text);

}  // namespace btt::node
