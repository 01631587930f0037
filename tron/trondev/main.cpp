// trondev: a local chain speaking java-tron's gRPC wire (issue 4 fills this in).
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    CLI::App app{"trondev: a local Tron-compatible chain (java-tron's gRPC wire) for tests and demos"};
    app.require_subcommand(0);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
