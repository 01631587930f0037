// bttnode: the BTT payment-channel settlement node. Everything is in btt::node::run_daemon
// so tests link the logic.
#include <btt/node/app/daemon.h>

int main(int argc, char** argv) { return btt::node::run_daemon(argc, argv); }
