// bttorrent: make, seed and get torrents whose downloaders pay per piece (issue 14).
#include <iostream>
#include <string>
#include <vector>

#include <btt/torrent/run.h>
#include <btt/tron/io/random.h>

int main(int argc, char** argv) {
    btt::tron::io::randomize_signing_context();
    std::vector<std::string> args(argv + 1, argv + argc);
    return btt::torrent::run(args, std::cout, std::cerr);
}
