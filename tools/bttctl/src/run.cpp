#include <iostream>

#include <btt/ctl/commands.h>
#include <btt/tron/io/random.h>

namespace btt::ctl {

int run(int argc, const char* const* argv) {
    CLI::App app{
        "bttctl: client, operator and auditor tool for bttnode (BTT payment channels on Tron).\n"
        "Exit codes: 0 ok, 1 invalid signature or mismatch, 2 bad usage or malformed input,\n"
        "3 chain or network failure."};
    app.set_help_all_flag("--help-all", "Show help for every command");
    app.require_subcommand(1);
    Context ctx;
    // Blind libsecp256k1's context once per process, before anything signs (issue 3).
    static const bool randomized = [] {
        tron::io::randomize_signing_context();
        return true;
    }();
    (void)randomized;
    app.add_flag("--json", ctx.json, "Print results as one JSON object (anywhere on the line)");
    // Subcommands inherit this: an option they do not know (--json after the command
    // name) is handed to the parent, so `bttctl key new --json` works as users type it.
    app.fallthrough();

    add_key_commands(app, ctx);
    add_tx_commands(app, ctx);
    add_message_commands(app, ctx);
    add_proof_commands(app, ctx);
    add_chain_commands(app, ctx);
    add_db_commands(app, ctx);
    add_channel_commands(app, ctx);
    add_audit_commands(app, ctx);
    add_admin_commands(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "bttctl: " << e.what() << "\n(see bttctl --help)\n";
        return static_cast<int>(ExitCode::Usage);
    } catch (const CommandError& e) {
        std::cerr << "bttctl: " << e.what() << "\n";
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        std::cerr << "bttctl: " << e.what() << "\n";
        return static_cast<int>(ExitCode::Network);
    }
    if (!ctx.out.empty())
        std::cout << ctx.out.render(ctx.json);
    return static_cast<int>(ctx.exit_code);
}

}  // namespace btt::ctl
