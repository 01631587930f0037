#pragma once
// One log line at a time from every thread of bttorrent (network, node link, main).
#include <ostream>
#include <string_view>

namespace btt::torrent {

void log_line(std::ostream& out, std::string_view line);

}  // namespace btt::torrent
