#include <btt/ctl/commands.h>

int main(int argc, char** argv) { return btt::ctl::run(argc, argv); }
