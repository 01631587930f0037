#pragma once
// Private key files (DESIGN §8): 64 hex characters and an optional newline, mode 0600 or
// stricter. A file readable by group or others is refused: a leaked escrow key is the
// one loss no audit can undo.

#include <cstddef>
#include <string>

#include <btt/base/expected.h>
#include <btt/tron/keys.h>

namespace btt::tron::io {

struct KeyFileError {
    enum class Kind { CannotOpen, TooOpen, BadContent, CannotWrite };
    Kind kind;
    std::string path;
    std::string detail;
    [[nodiscard]] std::string message() const;
};

// A small secret file (a key, a bearer token): its content without one trailing newline.
// CannotOpen (missing, unreadable, not a regular file), TooOpen (any group or other
// permission bit), BadContent (empty, or larger than `max_bytes`).
[[nodiscard]] Expected<std::string, KeyFileError> read_secret_file(const std::string& path,
                                                                   std::size_t max_bytes);

// The key, or CannotOpen (missing, unreadable, not a regular file), TooOpen (any group or
// other permission bit), BadContent (not 64 hex digits + optional newline, or out of range).
[[nodiscard]] Expected<PrivateKey, KeyFileError> read_private_key_file(const std::string& path);

// Creates `path` with mode 0600 holding the key's hex and a newline. Refuses to overwrite.
[[nodiscard]] Expected<void, KeyFileError> write_private_key_file(const std::string& path,
                                                                  const PrivateKey& key);

}  // namespace btt::tron::io
