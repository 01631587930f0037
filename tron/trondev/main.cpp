// trondev: a local chain speaking java-tron's gRPC wire.
#include <btt/trondev/cli.h>

int main(int argc, char** argv) { return btt::trondev::run(argc, argv); }
