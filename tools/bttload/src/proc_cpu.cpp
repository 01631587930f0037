#include <btt/load/proc_cpu.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

namespace btt::load {

namespace {

std::optional<ProcStat> read_stat(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_proc_stat(text);
}

double ticks_to_seconds(long double ticks) {
    const long hz = ::sysconf(_SC_CLK_TCK);
    return static_cast<double>(ticks / static_cast<long double>(hz > 0 ? hz : 100));
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
    const auto close = text.rfind(')');
    if (close == std::string_view::npos)
        return std::nullopt;
    // After ')': state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10)
    // cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15) cutime(16) cstime(17).
    std::istringstream in{std::string(text.substr(close + 1))};
    std::string state;
    ProcStat s;
    long skip = 0;
    if (!(in >> state >> s.ppid))
        return std::nullopt;
    for (int field = 5; field <= 13; ++field) {
        if (!(in >> skip))
            return std::nullopt;
    }
    if (!(in >> s.utime >> s.stime >> s.cutime >> s.cstime))
        return std::nullopt;
    return s;
}

std::optional<double> process_cpu_seconds(long pid) {
    const auto s = read_stat("/proc/" + std::to_string(pid) + "/stat");
    if (!s)
        return std::nullopt;
    return ticks_to_seconds(static_cast<long double>(s->utime + s->stime));
}

std::optional<double> process_tree_cpu_seconds(const std::vector<long>& pids) {
    const std::set<long> roots(pids.begin(), pids.end());
    long double ticks = 0;
    bool any = false;
    for (const long pid : roots) {
        if (const auto s = read_stat("/proc/" + std::to_string(pid) + "/stat")) {
            ticks += static_cast<long double>(s->utime + s->stime) +
                     static_cast<long double>(s->cutime + s->cstime);
            any = true;
        }
    }
    if (!any)
        return std::nullopt;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const auto name = entry.path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        const long pid = std::strtol(name.c_str(), nullptr, 10);
        if (roots.count(pid) != 0)
            continue;
        const auto s = read_stat(entry.path().string() + "/stat");
        if (s && roots.count(s->ppid) != 0)
            ticks += static_cast<long double>(s->utime + s->stime);
    }
    return ticks_to_seconds(ticks);
}

std::optional<long long> parse_vm_rss(std::string_view text) {
    const auto at = text.find("\nVmRSS:");
    const auto start = text.substr(0, 6) == "VmRSS:" ? 0 : at == std::string_view::npos ? at : at + 1;
    if (start == std::string_view::npos)
        return std::nullopt;
    std::istringstream line(std::string(text.substr(start + 6, text.find('\n', start) - start - 6)));
    long long kib = -1;
    std::string unit;
    if (!(line >> kib >> unit) || kib < 0 || unit != "kB")
        return std::nullopt;
    return kib * 1024;
}

std::optional<long long> process_rss_bytes(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in)
        return std::nullopt;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_vm_rss(text);
}

}  // namespace btt::load
