// bttnode's command line through CLI11: --config, --check-config, --help, --version and one
// flag per configuration key, generated from config_keys() so the two cannot drift.
#include <btt/node/app/command_line.h>

#include <memory>
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#ifndef BTT_VERSION
#error "BTT_VERSION must be defined by the build (node/config.cmake)"
#endif

namespace btt::node {

namespace {

std::string_view type_name(ValueKind kind) {
    switch (kind) {
        case ValueKind::Integer:
            return "INT";
        case ValueKind::Boolean:
            return "true|false";
        case ValueKind::String:
            return "TEXT";
        case ValueKind::AddressList:
            return "ADDR,ADDR,...";
    }
    return "VALUE";
}

std::string usage_error(std::string_view what) {
    return fmt::format("bttnode: {} (see bttnode --help)\n", what);
}

// The first argument CLI11 did not expect, in the words of this program: a misspelt
// configuration key is the likely cause of an unknown dotted flag.
std::string unexpected_argument(const std::vector<std::string>& extras) {
    if (extras.empty())
        return "unexpected argument";
    const std::string& first = extras.front();
    if (first.rfind("--", 0) == 0) {
        const auto name = first.substr(2, first.find('=') - 2);
        if (name.find('.') != std::string::npos)
            return fmt::format("unknown key \"{}\"", name);
        return fmt::format("unknown flag --{}", name);
    }
    if (first.rfind('-', 0) == 0)
        return fmt::format("unknown flag {}", first);
    return fmt::format("unexpected argument \"{}\"", first);
}

}  // namespace

std::string_view node_version() {
    return BTT_VERSION;
}

Expected<CommandLine, CommandLineExit> parse_command_line(int argc, const char* const* argv) {
    CLI::App app{
        "bttnode: BTT payment-channel settlement node (Tron TRC-10, PostgreSQL).\n"
        "Every configuration key may also be given as a flag of the same dotted name; a flag\n"
        "wins over the file. Exit codes: 0 ok, 2 bad command line or configuration.",
        "bttnode"};
    app.get_formatter()->column_width(44);
    app.set_version_flag("--version", fmt::format("bttnode {}", node_version()),
                         "Print \"bttnode <version>\" and exit");

    CommandLine result;
    app.add_option("--config", result.config_path, "The configuration file (TOML)")
        ->required()
        ->type_name("FILE.toml");
    app.add_flag("--check-config", result.check_config,
                 "Check the configuration and the key files, print a summary, exit (0 ok, 2 bad)");

    const auto& keys = config_keys();
    const Config defaults;
    std::vector<std::string> values(keys.size());
    std::vector<CLI::Option*> options(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& k = keys[i];
        const std::string fallback =
            k.required ? std::string("required") : "default: " + *value_text(defaults, k.key);
        options[i] =
            app.add_option(fmt::format("--{}", k.key), values[i],
                           fmt::format("{} ({})", k.meaning, fallback))
                ->type_name(std::string(type_name(k.kind)))
                ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
                ->group(fmt::format("Configuration [{}]", k.key.substr(0, k.key.find('.'))));
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        return unexpected(CommandLineExit{0, app.help()});
    } catch (const CLI::CallForAllHelp&) {
        return unexpected(CommandLineExit{0, app.help()});
    } catch (const CLI::CallForVersion& e) {
        return unexpected(CommandLineExit{0, fmt::format("{}\n", e.what())});
    } catch (const CLI::ExtrasError&) {
        return unexpected(CommandLineExit{2, usage_error(unexpected_argument(app.remaining()))});
    } catch (const CLI::ParseError& e) {
        return unexpected(CommandLineExit{2, usage_error(e.what())});
    }

    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (options[i]->count() > 0)
            result.overrides.push_back({std::string(keys[i].key), values[i]});
    }
    return result;
}

int run_check_config(const CommandLine& command_line, std::ostream& out, std::ostream& err) {
    const auto config = load_config_file(command_line.config_path, command_line.overrides);
    if (!config) {
        err << "bttnode: " << config.error().message() << "\n";
        return 2;
    }
    const auto keys = load_keys(*config);
    if (!keys) {
        err << "bttnode: " << keys.error().message() << "\n";
        return 2;
    }
    out << fmt::format("config ok: escrow {}, token {}, database {}\n",
                       config->escrow.address.to_base58(), config->channels.token_id,
                       redact_database_url(config->database.url));
    return 0;
}

}  // namespace btt::node
