#pragma once
// bttnode's main: command line, configuration, start-up checks, the services, and a clean
// shutdown on SIGTERM/SIGINT (stop reading proofs, commit and answer what is in flight,
// exit 0). Exit codes: 0 clean stop (or --help, --version, a good --check-config), 1 a
// failure while starting or running (database or chain unreachable, database of another
// node), 2 bad command line, configuration or key file.
namespace btt::node {

[[nodiscard]] int run_daemon(int argc, const char* const* argv);

}  // namespace btt::node
