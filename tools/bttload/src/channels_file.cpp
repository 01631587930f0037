#include <btt/load/channels_file.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace btt::load {

namespace {

std::string where(const std::string& path, std::size_t line) {
    return fmt::format("{}:{}", path, line);
}

}  // namespace

Expected<Fleet, std::string> read_channels_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return unexpected(fmt::format("{}: cannot open ({})", path, std::strerror(errno)));
    }
    if ((st.st_mode & 077) != 0) {
        return unexpected(
            fmt::format("{}: holds private keys but is readable by group or others "
                        "(mode {:o}); chmod 600 it",
                        path, st.st_mode & 0777));
    }
    std::ifstream in(path);
    if (!in)
        return unexpected(fmt::format("{}: cannot open", path));

    Fleet fleet;
    std::map<tron::TronAddress, std::size_t> payer_index;
    std::set<channels::ChannelId> seen;
    std::string line;
    std::size_t number = 0;
    bool header = false;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!header) {
            if (line != kChannelsFileHeader) {
                return unexpected(
                    fmt::format("{}: not a bttload channels file (first line is not '{}')",
                                where(path, number), kChannelsFileHeader));
            }
            header = true;
            continue;
        }
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream fields(line);
        std::string id_hex, key_hex, amount_text, extra;
        if (!(fields >> id_hex >> key_hex >> amount_text) || (fields >> extra)) {
            return unexpected(fmt::format("{}: expected '<channel id> <payer key> <last amount>'",
                                          where(path, number)));
        }
        const auto id = channels::ChannelId::from_lower_hex(id_hex);
        if (!id)
            return unexpected(
                fmt::format("{}: channel id is not 64 lowercase hex digits", where(path, number)));
        auto key = tron::PrivateKey::from_hex(key_hex);
        if (!key)
            return unexpected(
                fmt::format("{}: payer key: {}", where(path, number), key.error().message()));
        std::uint64_t last = 0;
        const auto [end, ec] =
            std::from_chars(amount_text.data(), amount_text.data() + amount_text.size(), last);
        if (ec != std::errc() || end != amount_text.data() + amount_text.size() ||
            last > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return unexpected(fmt::format("{}: last amount '{}' is not a decimal 0..2^63-1",
                                          where(path, number), amount_text));
        }
        if (!seen.insert(*id).second) {
            return unexpected(
                fmt::format("{}: channel {} is listed twice", where(path, number), id_hex));
        }
        const auto address = key->address();
        auto [it, is_new] = payer_index.try_emplace(address, fleet.payers.size());
        if (is_new)
            fleet.payers.push_back(std::move(key).value());
        fleet.channels.push_back(LoadChannel{*id, it->second, 0, last});
    }
    if (!header)
        return unexpected(fmt::format("{}: empty file", path));
    if (fleet.channels.empty())
        return unexpected(fmt::format("{}: lists no channel", path));
    return fleet;
}

Expected<void, std::string> write_channels_file(const std::string& path, const Fleet& fleet) {
    std::string text = std::string(kChannelsFileHeader) + "\n";
    for (const auto& c : fleet.channels) {
        text += fmt::format("{} {} {}\n", c.id.to_hex(), fleet.payers.at(c.payer).to_hex(),
                            c.last_sent);
    }
    const std::string tmp = fmt::format("{}.tmp-{}", path, ::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return unexpected(fmt::format("{}: cannot create ({})", tmp, std::strerror(errno)));
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return unexpected(fmt::format("{}: cannot write ({})", tmp, why));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return unexpected(fmt::format("{}: cannot write ({})", tmp, std::strerror(errno)));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(tmp.c_str());
        return unexpected(fmt::format("{}: cannot replace ({})", path, why));
    }
    return {};
}

}  // namespace btt::load
