// bttload: load generator for bttnode (issue 10). Everything is in btt_load.
#include <btt/load/run.h>

int main(int argc, char** argv) {
    return btt::load::run(argc, argv);
}
