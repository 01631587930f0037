#include <btt/testkit/pg_cluster.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

namespace btt::testkit {

namespace fs = std::filesystem;

namespace {

constexpr auto kCommandTimeout = std::chrono::seconds(120);
constexpr const char* kFolderPrefix = "btt-pg-";

// The live cluster's postmaster.pid path and folder, for the signal handler, which may
// only use async-signal-safe calls (open, read, kill, nanosleep, fork, execv, waitpid).
char g_pid_file[1024] = {0};
char g_folder[1024] = {0};

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string temp_root() {
    const char* tmp = std::getenv("TMPDIR");
    return (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
}

// Debian puts the server binaries outside PATH; BTT_PG_BINDIR overrides.
std::string find_bindir() {
    if (const char* dir = std::getenv("BTT_PG_BINDIR"); dir != nullptr && *dir != '\0') return dir;
    for (const char* dir : {"/usr/lib/postgresql/15/bin", "/usr/local/pgsql/bin"}) {
        if (fs::exists(fs::path(dir) / "initdb")) return dir;
    }
    throw std::runtime_error(
        "PostgreSQL 15 server binaries not found (install postgresql-15 with tools/install-deps, "
        "or set BTT_PG_BINDIR)");
}

const passwd* postgres_user_if_root() {
    if (geteuid() != 0) return nullptr;
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("running as root but there is no postgres user");
    return pw;
}

// Runs argv (as the postgres user when we are root), output appended to `log`; returns the
// exit status. Bounded by kCommandTimeout.
int run_command(const std::vector<std::string>& argv, const fs::path& log) {
    const passwd* pw = postgres_user_if_root();
    const pid_t child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        if (pw != nullptr && (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)) _exit(126);
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + kCommandTimeout;
    for (;;) {
        int status = 0;
        const pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        if (std::chrono::steady_clock::now() > deadline) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            throw std::runtime_error(fmt::format("{} took longer than {} s", argv[0],
                                                 kCommandTimeout.count()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

int free_loopback_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        close(fd);
        throw std::runtime_error("cannot find a free loopback port");
    }
    close(fd);
    return ntohs(addr.sin_port);
}

pid_t read_postmaster_pid(const fs::path& data) {
    std::ifstream in(data / "postmaster.pid");
    long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid);
}

// A zombie counts as dead: PID 1 of some sandboxes never reaps orphans.
bool process_is_alive(pid_t pid) {
    if (kill(pid, 0) != 0 && errno == ESRCH) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close_paren = text.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= text.size()) return true;
    return text[close_paren + 2] != 'Z';
}

// Clusters whose test process is gone (it was SIGKILLed, e.g. by a CTest timeout).
void sweep_abandoned_clusters() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(temp_root(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(kFolderPrefix, 0) != 0) continue;
        std::ifstream owner_file(entry.path() / "owner.pid");
        long owner = 0;
        if (!(owner_file >> owner) || owner <= 0) continue;
        if (process_is_alive(static_cast<pid_t>(owner))) continue;
        const pid_t postmaster = read_postmaster_pid(entry.path() / "data");
        if (postmaster > 0 && kill(postmaster, SIGQUIT) == 0) {
            // Let it exit before its folder goes (bounded: 5 s).
            for (int i = 0; i < 250 && process_is_alive(postmaster); ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        fs::remove_all(entry.path(), ec);
    }
}

void chown_to_postgres(const fs::path& path) {
    if (const passwd* pw = postgres_user_if_root()) {
        if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            throw std::runtime_error("cannot hand " + path.string() + " to the postgres user");
        }
    }
}

PgCluster* g_cluster = nullptr;

void sleep_ms_signal_safe(long ms) {
    timespec t{0, ms * 1'000'000};
    nanosleep(&t, nullptr);
}

// An interrupted or crashing run stops its server at once and removes its folder, so
// nothing outlives the test process (a SIGKILLed one is swept by the next run instead).
void on_fatal_signal(int sig) {
    const int fd = g_pid_file[0] != '\0' ? ::open(g_pid_file, O_RDONLY) : -1;
    if (fd >= 0) {
        char digits[32] = {0};
        const ssize_t n = ::read(fd, digits, sizeof(digits) - 1);
        ::close(fd);
        long pid = 0;
        for (ssize_t i = 0; i < n && digits[i] >= '0' && digits[i] <= '9'; ++i) {
            pid = pid * 10 + (digits[i] - '0');
        }
        if (pid > 0 && kill(static_cast<pid_t>(pid), SIGQUIT) == 0) {  // immediate shutdown
            for (int i = 0; i < 100 && kill(static_cast<pid_t>(pid), 0) == 0; ++i) sleep_ms_signal_safe(20);
        }
    }
    if (g_folder[0] != '\0') {
        const pid_t rm = fork();
        if (rm == 0) {
            char* const argv[] = {const_cast<char*>("/bin/rm"), const_cast<char*>("-rf"), g_folder, nullptr};
            execv("/bin/rm", argv);
            _exit(127);
        }
        for (int i = 0; rm > 0 && i < 250 && waitpid(rm, nullptr, WNOHANG) == 0; ++i) sleep_ms_signal_safe(20);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

class PgEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        m_cluster = PgCluster::start();
        g_cluster = m_cluster.get();
    }
    void TearDown() override {
        g_cluster = nullptr;
        m_cluster.reset();
    }

private:
    std::unique_ptr<PgCluster> m_cluster;
};

}  // namespace

std::unique_ptr<PgCluster> PgCluster::start() {
    sweep_abandoned_clusters();
    std::unique_ptr<PgCluster> cluster(new PgCluster());
    cluster->m_bindir = find_bindir();
    std::string pattern = (fs::path(temp_root()) / (std::string(kFolderPrefix) + "XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    cluster->m_folder = pattern;
    std::ofstream(fs::path(cluster->m_folder) / "owner.pid") << getpid() << "\n";
    chown_to_postgres(cluster->m_folder);
    const std::string pid_file = cluster->m_folder + "/data/postmaster.pid";
    if (pid_file.size() < sizeof(g_pid_file)) {
        std::copy(pid_file.begin(), pid_file.end(), g_pid_file);
        g_pid_file[pid_file.size()] = '\0';
        std::copy(cluster->m_folder.begin(), cluster->m_folder.end(), g_folder);
        g_folder[cluster->m_folder.size()] = '\0';
    }
    cluster->initdb();
    cluster->pg_ctl_start();
    return cluster;
}

void PgCluster::initdb() {
    const fs::path log = fs::path(m_folder) / "initdb.log";
    const int status = run_command({m_bindir + "/initdb", "-D", m_folder + "/data", "-U", "postgres",
                                    "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"},
                                   log);
    if (status != 0) {
        throw std::runtime_error(fmt::format("initdb failed ({}):\n{}", status, read_file(log)));
    }
}

void PgCluster::pg_ctl_start() {
    const fs::path log = fs::path(m_folder) / "server.log";
    const fs::path ctl_log = fs::path(m_folder) / "pg_ctl.log";
    // A port found free can be taken before the server binds it: try a few.
    const bool keep_port = m_port != 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (!keep_port) m_port = free_loopback_port();
        const std::string options = fmt::format(
            "-c port={} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{}' "
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200",
            m_port, m_folder);
        const int status = run_command({m_bindir + "/pg_ctl", "-D", m_folder + "/data", "-l",
                                         log.string(), "-w", "-t", "60", "-o", options, "start"},
                                        ctl_log);
        if (status == 0) {
            m_running = true;
            return;
        }
    }
    throw std::runtime_error(fmt::format("PostgreSQL did not start:\n{}\n{}", read_file(ctl_log),
                                         read_file(log)));
}

PgCluster::~PgCluster() {
    try {
        if (m_running) stop_immediately();
    } catch (const std::exception&) {
        const pid_t pid = read_postmaster_pid(fs::path(m_folder) / "data");
        if (pid > 0) kill(pid, SIGQUIT);
    }
    g_pid_file[0] = '\0';
    g_folder[0] = '\0';
    std::error_code ec;
    fs::remove_all(m_folder, ec);
}

std::string PgCluster::connection_string(const std::string& dbname) const {
    return fmt::format("host=127.0.0.1 port={} user=postgres dbname={} connect_timeout=10", m_port,
                       dbname);
}

std::string PgCluster::fresh_database() {
    const std::string name = fmt::format("test_{}", ++m_database_count);
    pqxx::connection admin(connection_string());
    pqxx::nontransaction txn(admin);
    txn.exec("CREATE DATABASE " + name + " TEMPLATE template0");
    return connection_string(name);
}

void PgCluster::stop_immediately() {
    const fs::path log = fs::path(m_folder) / "pg_ctl.log";
    const int status = run_command(
        {m_bindir + "/pg_ctl", "-D", m_folder + "/data", "-m", "immediate", "-w", "stop"}, log);
    m_running = false;
    if (status != 0) throw std::runtime_error("pg_ctl stop failed:\n" + read_file(log));
}

void PgCluster::restart() { pg_ctl_start(); }

PgCluster& pg() {
    if (g_cluster == nullptr) throw std::logic_error("no PostgreSQL cluster: not a pg_tests run");
    return *g_cluster;
}

void install_pg_environment() {
    for (int sig : {SIGINT, SIGTERM, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGHUP}) {
        std::signal(sig, on_fatal_signal);
    }
    ::testing::AddGlobalTestEnvironment(new PgEnvironment);
}

}  // namespace btt::testkit
