#pragma once
// CPU time and memory of other processes, from /proc (Linux). CPU: utime + stime of /proc/PID/stat, in
// clock ticks, divided by sysconf(_SC_CLK_TCK). PostgreSQL serves each connection from a
// child of the postmaster, so a process group is the given pids, their live children
// (found through the ppid field of every /proc/*/stat) and, through cutime + cstime, the
// children that already exited and were waited for.

#include <optional>
#include <string_view>
#include <vector>

namespace btt::load {

struct ProcStat {
    long ppid = 0;
    unsigned long long utime = 0, stime = 0;  // ticks, this process (all its threads)
    long long cutime = 0, cstime = 0;         // ticks, its waited-for children
};

// Parses the text of /proc/PID/stat (the command name may hold spaces and parentheses:
// fields are counted after the last ')'). Nullopt when malformed.
[[nodiscard]] std::optional<ProcStat> parse_proc_stat(std::string_view text);

// CPU seconds of `pid` alone; nullopt when it cannot be read (gone, or not Linux).
[[nodiscard]] std::optional<double> process_cpu_seconds(long pid);

// CPU seconds of `pids` with their children as above; nullopt when none can be read.
[[nodiscard]] std::optional<double> process_tree_cpu_seconds(const std::vector<long>& pids);

// Resident memory of `pid` in bytes (VmRSS of /proc/PID/status); nullopt when unreadable.
[[nodiscard]] std::optional<long long> process_rss_bytes(long pid);
// The VmRSS line's value in bytes, from the text of /proc/PID/status; nullopt without one.
[[nodiscard]] std::optional<long long> parse_vm_rss(std::string_view status_text);

}  // namespace btt::load
