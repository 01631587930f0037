#pragma once
// The channels file: lets a later run reuse the channels a run opened. Text, one channel a
// line after a header line:
//   # btt-load-channels/1
//   <channel id, 64 lowercase hex> <payer private key, 64 hex> <last amount sent, decimal>
// It holds private keys, so it is written only on request (--write-channels), mode 0600,
// atomically (a temporary file renamed over the target), and a file readable by group or
// others is refused on reading, as key files are (DESIGN §8).

#include <string>

#include <btt/base/expected.h>
#include <btt/load/fleet.h>

namespace btt::load {

inline constexpr const char* kChannelsFileHeader = "# btt-load-channels/1";

// The fleet (payers deduplicated by address, deposits 0: the node tells them), or one
// sentence naming the file, the line and what is wrong: missing or unreadable file, mode
// wider than 0600, no header, a malformed id, key or amount, a channel listed twice, no
// channel at all.
[[nodiscard]] Expected<Fleet, std::string> read_channels_file(const std::string& path);

// Writes every channel of `fleet` with its payer's key; replaces `path` atomically.
// Returns why not on any I/O error.
[[nodiscard]] Expected<void, std::string> write_channels_file(const std::string& path,
                                                              const Fleet& fleet);

}  // namespace btt::load
