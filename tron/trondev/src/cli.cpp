#include <btt/trondev/cli.h>

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include <btt/trondev/genesis_file.h>
#include <btt/trondev/node.h>

namespace btt::trondev {

namespace {

struct RunFlags {
    std::string listen = "127.0.0.1:50051";
    std::string solidity_listen = "127.0.0.1:50061";
    std::string genesis;
    std::string data_dir;
    std::int64_t block_ms = 3000;
    std::int64_t solid_lag = 18;
    double busy_rate = 0, unavailable_rate = 0, drop_rate = 0, internal_rate = 0, unknown_rate = 0;
    int latency_ms = 0;
    std::int64_t pause_at_block = -1;
    int pause_ms = 0;
};

Genesis resolve_genesis(const RunFlags& f) {
    namespace fs = std::filesystem;
    // With a data folder, the genesis is pinned there at first start: replaying the chain
    // log needs exactly the same genesis, time and block interval.
    const std::string pinned = f.data_dir.empty() ? "" : f.data_dir + "/genesis.json";
    if (!pinned.empty() && fs::exists(pinned)) {
        Genesis g = load_genesis(pinned);
        if (g.params.block_interval_ms != f.block_ms || g.params.solid_lag != f.solid_lag) {
            std::cerr << "trondev: using the block interval and solid lag pinned in " << pinned << "\n";
        }
        return g;
    }
    if (f.genesis.empty()) throw CLI::ValidationError("--genesis", "required (no data folder with a genesis yet)");
    Genesis g = load_genesis(f.genesis);
    g.params.block_interval_ms = f.block_ms;
    g.params.solid_lag = f.solid_lag;
    if (g.timestamp_ms == 0) {
        g.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    }
    if (!pinned.empty()) {
        fs::create_directories(f.data_dir);
        save_genesis(g, pinned);
    }
    return g;
}

int serve(const RunFlags& f) {
    // Signals go to one waiting thread, never to gRPC's.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Node node(resolve_genesis(f), NodeOptions{f.listen, f.solidity_listen, true, f.data_dir});
    node.faults().busy_rate = f.busy_rate;
    node.faults().unavailable_rate = f.unavailable_rate;
    node.faults().drop_rate = f.drop_rate;
    node.faults().latency_ms = f.latency_ms;
    node.faults().internal_after_accept_rate = f.internal_rate;
    node.faults().unknown_after_accept_rate = f.unknown_rate;
    std::int64_t head = 0;
    node.with_chain([&](Chain& c) { head = c.head_number(); });
    std::cout << "trondev: full node 127.0.0.1:" << node.wallet_port() << ", solidity 127.0.0.1:"
              << node.solidity_port() << ", head " << head << std::endl;

    std::thread waiter([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        node.shutdown();
    });
    std::thread pauser;
    if (f.pause_at_block >= 0) {
        pauser = std::thread([&] {
            for (;;) {
                std::int64_t h = 0;
                node.with_chain([&](Chain& c) { h = c.head_number(); });
                if (h >= f.pause_at_block) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            node.faults().paused = true;
            if (f.pause_ms > 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(f.pause_ms));
                node.faults().paused = false;
            }
        });
        pauser.detach();  // ends with the process
    }
    node.wait();
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return 0;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"trondev: a local Tron-compatible chain speaking java-tron's gRPC wire "
                 "(protocol.Wallet, WalletSolidity, Database) for tests and demos"};
    RunFlags f;
    app.add_option("--listen", f.listen, "full-node gRPC address (Wallet + Database)")->capture_default_str();
    app.add_option("--solidity-listen", f.solidity_listen, "solidity gRPC address (WalletSolidity + Database)")
        ->capture_default_str();
    app.add_option("--genesis", f.genesis, "genesis JSON (see `trondev genesis`)");
    app.add_option("--data-dir", f.data_dir, "keep the chain here (log replayed at start)");
    app.add_option("--block-ms", f.block_ms, "block interval in ms")->capture_default_str()->check(CLI::Range(1, 60'000));
    app.add_option("--solid-lag", f.solid_lag, "blocks between head and solidified head")
        ->capture_default_str()->check(CLI::Range(0, 10'000));
    app.add_option("--fault-busy-rate", f.busy_rate, "share of broadcasts answered SERVER_BUSY")->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-unavailable-rate", f.unavailable_rate, "share of calls failed with UNAVAILABLE")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-drop-rate", f.drop_rate, "share of broadcasts answered SUCCESS and dropped")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-internal-rate", f.internal_rate,
                   "share of broadcasts processed (accepted ones kept) then failed with gRPC INTERNAL")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-unknown-rate", f.unknown_rate,
                   "share of broadcasts processed (accepted ones kept) then failed with gRPC UNKNOWN")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-latency-ms", f.latency_ms, "latency added to every call")->check(CLI::Range(0, 60'000));
    app.add_option("--fault-pause-at-block", f.pause_at_block, "stop producing blocks at this height");
    app.add_option("--fault-pause-ms", f.pause_ms, "resume after this long (0: never)")->check(CLI::Range(0, 86'400'000));

    GenesisSpec spec;
    std::string out;
    auto* genesis = app.add_subcommand("genesis", "Write a genesis with generated accounts (keys in OUT.keys.json)");
    genesis->add_option("--accounts", spec.accounts, "number of funded accounts")->capture_default_str()->check(CLI::Range(1, 10'000));
    genesis->add_option("--trx-each", spec.trx_each, "TRX per account, in sun")->capture_default_str()->check(CLI::NonNegativeNumber);
    genesis->add_option("--token", spec.token, "TRC-10 token id to create")->capture_default_str();
    genesis->add_option("--token-each", spec.token_each, "token base units per account")->capture_default_str()->check(CLI::NonNegativeNumber);
    genesis->add_option("--out", out, "genesis file to write")->required();

    try {
        app.parse(argc, argv);
        if (genesis->parsed()) {
            write_generated_genesis(spec, out);
            std::cout << "wrote " << out << " and " << out << ".keys.json\n";
            return 0;
        }
        return serve(f);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        std::cerr << "trondev: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace btt::trondev
