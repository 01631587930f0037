// bttload: load generator for bttnode (filled in by the load-testing issue).
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    CLI::App app{"bttload: opens channels on a bttnode and streams signed balance proofs at a set rate"};
    CLI11_PARSE(app, argc, argv);
    return 0;
}
