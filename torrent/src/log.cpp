#include <btt/torrent/log.h>

#include <mutex>

namespace btt::torrent {

void log_line(std::ostream& out, std::string_view line) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    out << "bttorrent: " << line << '\n' << std::flush;
}

}  // namespace btt::torrent
