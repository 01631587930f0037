#pragma once
// bttorrent's commands (README "Paying per piece: bttorrent"):
//   bttorrent make FILE -o F.torrent [--piece-size N]
//   bttorrent seed F.torrent --data FILE --price N --payee-key KEYFILE --node ADDR
//       [--free-pieces N] [--credit-pieces N] [--listen HOST:PORT] [--tron HOST:PORT] [--json]
//   bttorrent get F.torrent --out DIR --payer-key KEYFILE --node ADDR --tron HOST:PORT
//       [--deposit N] [--expiry-s N] [--max-price N] [--budget N] [--peer HOST:PORT ...]
//       [--channel HEX] [--listen HOST:PORT] [--timeout-s N] [--json]
// Exit codes: 0 ok (get: the file is complete), 1 incomplete or refused, 2 bad usage or
// input, 3 node or chain unreachable.

#include <iosfwd>
#include <string>
#include <vector>

namespace btt::torrent {

enum ExitCode : int { kExitOk = 0, kExitIncomplete = 1, kExitUsage = 2, kExitUnreachable = 3 };

// argv without the program name. Seed runs until SIGINT or SIGTERM.
[[nodiscard]] int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace btt::torrent
