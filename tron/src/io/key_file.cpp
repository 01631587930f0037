#include <btt/tron/io/key_file.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <openssl/crypto.h>

namespace btt::tron::io {

std::string KeyFileError::message() const {
    switch (kind) {
        case Kind::CannotOpen:
            return fmt::format("cannot read key file {}: {}", path, detail);
        case Kind::TooOpen:
            return fmt::format("key file {} is readable by others ({}); run chmod 600 {}", path,
                               detail, path);
        case Kind::BadContent:
            return fmt::format("key file {}: {}", path, detail);
        case Kind::CannotWrite:
            return fmt::format("cannot write key file {}: {}", path, detail);
    }
    return "bad key file";
}

Expected<std::string, KeyFileError> read_secret_file(const std::string& path,
                                                     std::size_t max_bytes) {
    using K = KeyFileError::Kind;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return unexpected(KeyFileError{K::CannotOpen, path, std::strerror(errno)});
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return unexpected(KeyFileError{K::CannotOpen, path, "not a regular file"});
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return unexpected(
            KeyFileError{K::TooOpen, path, fmt::format("mode {:o}", st.st_mode & 0777)});
    }
    std::string content(max_bytes + 1, '\0');
    std::size_t length = 0;
    while (length < content.size()) {
        const ssize_t n = ::read(fd, content.data() + length, content.size() - length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            OPENSSL_cleanse(content.data(), content.size());
            return unexpected(KeyFileError{K::CannotOpen, path, std::strerror(error)});
        }
        if (n == 0)
            break;
        length += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (length > max_bytes) {
        OPENSSL_cleanse(content.data(), content.size());
        return unexpected(
            KeyFileError{K::BadContent, path, fmt::format("larger than {} bytes", max_bytes)});
    }
    if (length > 0 && content[length - 1] == '\n')
        --length;
    if (length == 0)
        return unexpected(KeyFileError{K::BadContent, path, "empty"});
    // Shrinking in place keeps the one buffer, so nothing unwiped is left behind.
    OPENSSL_cleanse(content.data() + length, content.size() - length);
    content.resize(length);
    return content;
}

Expected<PrivateKey, KeyFileError> read_private_key_file(const std::string& path) {
    using K = KeyFileError::Kind;
    auto text = read_secret_file(path, 128);
    if (!text)
        return unexpected(std::move(text).error());
    std::string& hex = *text;
    if (hex.size() != 64) {
        OPENSSL_cleanse(hex.data(), hex.size());
        return unexpected(KeyFileError{K::BadContent, path,
                                       "expected 64 hex characters and an optional newline"});
    }
    auto key = PrivateKey::from_hex(hex);
    OPENSSL_cleanse(hex.data(), hex.size());
    if (!key)
        return unexpected(KeyFileError{K::BadContent, path, key.error().message()});
    return std::move(key).value();
}

Expected<void, KeyFileError> write_private_key_file(const std::string& path,
                                                    const PrivateKey& key) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return unexpected(
            KeyFileError{KeyFileError::Kind::CannotWrite, path, std::strerror(errno)});
    }
    std::string text = key.to_hex() + "\n";
    const ssize_t written = ::write(fd, text.data(), text.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    OPENSSL_cleanse(text.data(), text.size());
    if (written != static_cast<ssize_t>(text.size()) || !synced) {
        ::unlink(path.c_str());
        return unexpected(KeyFileError{KeyFileError::Kind::CannotWrite, path, "short write"});
    }
    return {};
}

}  // namespace btt::tron::io
