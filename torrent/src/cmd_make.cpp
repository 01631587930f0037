// bttorrent make: a v1 .torrent for one file.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <fmt/format.h>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>

#include <btt/torrent/log.h>
#include <btt/torrent/run.h>

#include "commands.h"

namespace btt::torrent {

namespace lt = libtorrent;
namespace fs = std::filesystem;
namespace v1 = btt::channel::v1;
using Clock = std::chrono::steady_clock;

int cmd_make(const std::string& file, const std::string& out_path, int piece_size,
             std::ostream& out, std::ostream& err) {
    lt::file_storage files;
    lt::add_files(files, file);
    if (files.num_files() == 0) {
        log_line(err, file + ": no such file");
        return kExitUsage;
    }
    try {
        lt::create_torrent t(files, piece_size, lt::create_torrent::v1_only);
        t.set_creator("bttorrent");
        lt::set_piece_hashes(t, fs::absolute(file).parent_path().string());
        std::vector<char> buf;
        lt::bencode(std::back_inserter(buf), t.generate());
        std::ofstream f(out_path, std::ios::binary);
        f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (!f) {
            log_line(err, out_path + ": cannot write");
            return kExitUsage;
        }
        out << fmt::format("{}: {} pieces of {} bytes\n", out_path, t.num_pieces(),
                           t.piece_length());
    } catch (const std::exception& e) {
        log_line(err, std::string("make: ") + e.what());
        return kExitUsage;
    }
    return kExitOk;
}

}  // namespace btt::torrent
