// bttnode: the settlement node (the node issues fill this in).
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    CLI::App app{"bttnode: BTT payment-channel settlement node (Tron TRC-10, PostgreSQL)"};
    CLI11_PARSE(app, argc, argv);
    return 0;
}
