// bttnode start-up and shutdown (see daemon.h).
#include <btt/node/app/daemon.h>

#include <malloc.h>

#include <iostream>
#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>
#include <tron/api/api.pb.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <btt/base/hex.h>
#include <btt/node/rpc/channel_service.h>
#include <btt/node/app/command_line.h>
#include <btt/node/app/config.h>
#include <btt/node/engine/intake.h>
#include <btt/node/store/ledger_export.h>
#include <btt/node/app/logging.h>
#include <btt/node/metrics.h>
#include <btt/node/store/migrator.h>
#include <btt/node/rpc/admin_service.h>
#include <btt/node/rpc/audit_service.h>
#include <btt/node/store/intake_pause.h>
#include <btt/node/store/ops_reads.h>
#include <btt/node/engine/settler.h>
#include <btt/node/store/store.h>
#include <btt/node/engine/watcher.h>
#include <btt/tron/client/tron_client.h>
#include <btt/tron/io/random.h>

namespace btt::node {

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitBadConfig = 2;

class StartupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The chain is named by its genesis block id: a database made against one chain (a
// testnet, a trondev run) must never settle against another.
std::string chain_id(tron::client::TronClient& client) {
    const auto genesis = client.block(0);
    if (!genesis)
        throw StartupError("full node: " + genesis.error().message);
    if (!*genesis || (*genesis)->blockid().size() != 32) {
        throw StartupError("full node has no genesis block");
    }
    return to_hex(as_bytes((*genesis)->blockid()));
}

void migrate_database(const std::string& url) {
    const auto result = migrate(url, embedded_migrations());
    if (!result.applied.empty()) {
        spdlog::info("database migrated to version {} ({} migration(s) applied)",
                     result.current_version, result.applied.size());
    }
}

// TLS when tls.cert_file is set; with tls.client_ca_file, clients must present a
// certificate that it signs (mutual TLS).
std::shared_ptr<grpc::ServerCredentials> listener_credentials(const NodeKeys& keys) {
    if (keys.tls_cert_pem.empty())
        return grpc::InsecureServerCredentials();
    grpc::SslServerCredentialsOptions options(
        keys.tls_client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = keys.tls_client_ca_pem;
    options.pem_key_cert_pairs.push_back({keys.tls_key_pem, keys.tls_cert_pem});
    return grpc::SslServerCredentials(options);
}

int serve(const Config& config, NodeKeys keys) {
    const auto rules = config.rules();
    const std::string receipt_address = keys.receipt_key.address().to_base58();

    migrate_database(config.database.url);

    tron::client::ClientOptions chain;
    chain.full_node.address = config.tron.full_node;
    chain.full_node.tls = config.tron.tls;
    chain.solidity.address = config.tron.solidity_node;
    chain.solidity.tls = config.tron.tls;
    chain.deadline = config.tron.deadline;
    tron::client::TronClient client(chain);

    Store store(config.database.url);
    const auto mismatch = store.check_identity(
        {config.escrow.address.to_base58(), config.channels.token_id, chain_id(client)});
    if (!mismatch)
        throw StartupError(mismatch.error().message());
    if (*mismatch)
        throw StartupError(**mismatch);
    auto channels = store.load_channels();
    if (!channels)
        throw StartupError(channels.error().message());

    Metrics metrics{std::string(node_version())};
    // Healthy until told otherwise: an alert on these must not fire at boot.
    metrics.store_available(true);
    metrics.conservation_ok(true);
    if (!config.node.metrics_listen.empty()) {
        metrics.serve(config.node.metrics_listen);
        spdlog::info("metrics on http://{}/metrics (port {})", config.node.metrics_listen,
                     metrics.port());
    }
    EventBus events;
    IntakeOptions intake_options;
    intake_options.database_url = config.database.url;
    intake_options.shards = config.limits.verify_threads != 0
                                ? config.limits.verify_threads
                                : std::max(1u, std::thread::hardware_concurrency());
    intake_options.queue_limit = config.limits.intake_queue;
    intake_options.request_queue_limit = config.limits.request_queue;
    intake_options.batch_max = config.limits.batch_max_proofs;
    intake_options.batch_delay = config.limits.batch_max_delay;
    intake_options.rules = rules;
    intake_options.events = &events;
    intake_options.metrics = &metrics;
    Intake intake(intake_options, std::move(keys.receipt_key), [] {
        return channels::UnixSeconds{std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()};
    });
    const std::size_t loaded = channels->size();
    intake.start(std::move(*channels));
    // Loading copied every channel through libpq's result and a vector, both freed now;
    // hand those pages back so the resident size is what intake keeps (about 100,000
    // channels' worth of freed heap otherwise stays counted against the node).
    ::malloc_trim(0);

    WatcherOptions watcher_options;
    watcher_options.database_url = config.database.url;
    watcher_options.rules = rules;
    watcher_options.poll = config.tron.poll;
    watcher_options.start_block = config.tron.start_block;
    watcher_options.metrics = &metrics;
    Watcher watcher(watcher_options, client, intake);
    watcher.on_block = [&events](const BlockChanges& b) {
        if (!events.anyone_watching())
            return;
        const auto now = unix_now();
        for (const auto& c : b.opened) {
            events.publish({c.id, "opened", channels::ChannelState::Open, c.deposit.value(),
                            c.id.bytes(), now});
        }
        for (const auto& up : b.topped_up) {
            events.publish({up.channel, "topped_up", channels::ChannelState::Open,
                            up.new_deposit.value(), std::nullopt, now});
        }
    };
    watcher.start();

    SettlerOptions settler_options;
    settler_options.database_url = config.database.url;
    settler_options.rules = rules;
    settler_options.payout_expiration = config.settlement.payout_expiration;
    settler_options.poll = config.tron.poll;
    settler_options.payout_memo = config.settlement.payout_memo;
    settler_options.events = &events;
    settler_options.metrics = &metrics;
    Settler settler(settler_options, client, intake, std::move(keys.escrow_key));
    settler.start();

    ServiceInfo info;
    info.rules = rules;
    info.receipt_address = receipt_address;
    info.version = std::string(node_version());
    info.inflight_per_stream = config.limits.inflight_per_stream;
    info.solid_block = [&watcher] { return watcher.applied_block(); };
    info.metrics = &metrics;
    info.peer_limits.max_connections = config.limits.max_connections;
    info.peer_limits.max_watchers = config.limits.max_watchers;
    info.peer_limits.max_malformed_per_minute = config.limits.max_malformed_per_minute;
    ChannelService service(info, intake, events);

    const Authorizer authorizer(keys.operator_token, keys.auditor_token);
    OpsReads ops_reads(config.database.url);
    const IntakePauseRecord pause_record(config.database.url);
    const HeldTransfers held_transfers(config.database.url);
    OpsContext ops;
    ops.auth = &authorizer;
    ops.reads = &ops_reads;
    ops.pause_record = &pause_record;
    ops.held = &held_transfers;
    ops.intake = &intake;
    ops.settler = &settler;
    ops.reconcile = [&config, &client](
                        const std::string& token_id) -> Expected<Reconciliation, ReconcileError> {
        try {
            SettlementStore books(config.database.url);
            // As `bttctl audit reconcile` does, but within a call's patience.
            ReconcileWait wait;
            wait.within = std::chrono::seconds(5);
            return reconcile(books, client, config.escrow.address,
                             token_id.empty() ? config.channels.token_id : token_id, wait);
        } catch (const DatabaseUnreachable& e) {
            return unexpected(ReconcileError{ReconcileError::Kind::Store,
                                             std::string("database unreachable: ") + e.what()});
        }
    };
    LedgerHeaderInfo ledger_header;
    ledger_header.escrow_address = config.escrow.address;
    ledger_header.receipt_address = tron::TronAddress::parse(receipt_address).value();
    ledger_header.token_id = config.channels.token_id;
    ledger_header.fee_bps = config.channels.fee_bps;
    ops.export_ledger = [&config, ledger_header](const auto& emit) {
        auto header = ledger_header;
        header.exported_at = unix_now();
        export_ledger(config.database.url, header, emit);
    };
    AdminService admin(ops);
    AuditService audit(ops);
    // An operator's pause outlives the restart (migration 0006).
    const auto pause = pause_record.read();
    if (!pause)
        throw StartupError("cannot read the recorded intake pause: " + pause.error().message());
    if (*pause)
        admin.restore_pause(**pause);

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int bound_port = 0;
    builder.AddListeningPort(config.node.listen, listener_credentials(keys), &bound_port);
    builder.SetMaxReceiveMessageSize(static_cast<int>(config.limits.max_message_bytes));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               static_cast<int>(config.limits.streams_per_connection));
    // DESIGN §10: connections without a call close after connection_idle_s; keepalive
    // pings find peers that vanished without a FIN (a minute, 20 s to answer).
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_IDLE_MS,
        static_cast<int>(std::chrono::milliseconds(config.limits.connection_idle).count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
    builder.RegisterService(&service);
    builder.RegisterService(&admin);
    builder.RegisterService(&audit);
    auto server = builder.BuildAndStart();
    if (!server || bound_port == 0)
        throw StartupError("cannot listen on " + config.node.listen);
    auto* health = server->GetHealthCheckService();
    const auto set_serving = [health](bool serving) { health->SetServingStatus(serving); };
    set_serving(false);
    // The line scripts and tests wait for: where the node listens.
    spdlog::info(
        "bttnode {} listening on {} (port {}) with {}; escrow {}, token {}, receipts by {}, "
        "{} channel(s); operator role {}, auditor role {}",
        node_version(), config.node.listen, bound_port,
        keys.tls_cert_pem.empty()        ? "plaintext"
        : keys.tls_client_ca_pem.empty() ? "TLS"
                                         : "mutual TLS",
        config.escrow.address.to_base58(), config.channels.token_id, receipt_address, loaded,
        keys.operator_token.empty() ? "off" : "on", keys.auditor_token.empty() ? "off" : "on");

    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer health_timer(io);
    bool serving = false;
    std::function<void()> check_health = [&] {
        // SERVING once migrations ran and the watcher has caught up (DESIGN §9).
        const bool now = watcher.caught_up() && !intake.is_store_down();
        if (now != serving) {
            serving = now;
            set_serving(now);
            spdlog::info("health: {}", now ? "SERVING" : "NOT_SERVING");
        }
        health_timer.expires_after(std::chrono::milliseconds(200));
        health_timer.async_wait([&](const boost::system::error_code& ec) {
            if (!ec)
                check_health();
        });
    };
    check_health();
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec)
            return;
        spdlog::info("signal {}: stopping (answering what is in flight)", signo);
        health_timer.cancel();
        io.stop();
    });
    io.run();

    set_serving(false);
    client.cancel();  // no chain call waits out a backoff from here on
    settler.stop();   // between two steps of the outbox: nothing half-done
    intake.close();   // new proofs: store_unavailable; nothing queued is dropped
    intake.stop();    // judged, committed and answered
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    watcher.stop();
    spdlog::info("bttnode stopped cleanly");
    return 0;
}

}  // namespace

int run_daemon(int argc, const char* const* argv) {
    auto command_line = parse_command_line(argc, argv);
    if (!command_line) {
        (command_line.error().code == 0 ? std::cout : std::cerr) << command_line.error().text;
        return command_line.error().code;
    }
    if (command_line->check_config)
        return run_check_config(*command_line, std::cout, std::cerr);

    auto config = load_config_file(command_line->config_path, command_line->overrides);
    if (!config) {
        std::cerr << "bttnode: " << config.error().message() << "\n";
        return kExitBadConfig;
    }
    auto keys = load_keys(*config);
    if (!keys) {
        std::cerr << "bttnode: " << keys.error().message() << "\n";
        return kExitBadConfig;
    }
    configure_logging(config->log.level, config->log.format);
    tron::io::randomize_signing_context();
    try {
        return serve(*config, std::move(*keys));
    } catch (const MigrationError& e) {
        spdlog::critical("bttnode: {}", e.what());
    } catch (const StartupError& e) {
        spdlog::critical("bttnode: {}", e.what());
    } catch (const DatabaseUnreachable& e) {
        spdlog::critical("bttnode: database unreachable: {}", e.what());
    } catch (const std::exception& e) {
        spdlog::critical("bttnode: {}", e.what());
    }
    return kExitFailure;
}

}  // namespace btt::node
