#include <btt/torrent/bencode.h>

#include <limits>

namespace btt::torrent {

std::string_view to_token(BencodeError e) {
    switch (e) {
        case BencodeError::TooLong:
            return "too_long";
        case BencodeError::NotADict:
            return "not_a_dict";
        case BencodeError::Truncated:
            return "truncated";
        case BencodeError::BadInteger:
            return "bad_integer";
        case BencodeError::BadLength:
            return "bad_length";
        case BencodeError::UnsortedKeys:
            return "unsorted_keys";
        case BencodeError::NestedValue:
            return "nested_value";
        case BencodeError::TrailingBytes:
            return "trailing_bytes";
    }
    return "unknown";
}

std::string bencode(const BDict& dict) {
    std::string out = "d";
    const auto put_string = [&](const std::string& s) {
        out += std::to_string(s.size());
        out += ':';
        out += s;
    };
    for (const auto& [key, value] : dict) {
        put_string(key);
        if (const auto* i = std::get_if<std::int64_t>(&value)) {
            out += 'i';
            out += std::to_string(*i);
            out += 'e';
        } else {
            put_string(std::get<std::string>(value));
        }
    }
    out += 'e';
    return out;
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

class Reader {
public:
    explicit Reader(std::string_view in) : m_in(in) {}

    [[nodiscard]] bool at_end() const { return m_pos >= m_in.size(); }
    [[nodiscard]] char peek() const { return m_in[m_pos]; }
    void skip() { ++m_pos; }
    [[nodiscard]] std::size_t left() const { return m_in.size() - m_pos; }

    // "<len>:<bytes>": BEP 3 lengths have no sign and no leading zero (except "0").
    Expected<std::string, BencodeError> string() {
        const std::size_t start = m_pos;
        std::uint64_t len = 0;
        while (!at_end() && is_digit(peek())) {
            len = len * 10 + static_cast<std::uint64_t>(peek() - '0');
            if (len > kMaxBencodedSize)
                return unexpected(BencodeError::BadLength);
            skip();
        }
        if (at_end())
            return unexpected(BencodeError::Truncated);
        const std::size_t digits = m_pos - start;
        if (digits == 0 || peek() != ':' || (digits > 1 && m_in[start] == '0'))
            return unexpected(BencodeError::BadLength);
        skip();
        if (len > left())
            return unexpected(BencodeError::BadLength);
        std::string s(m_in.substr(m_pos, len));
        m_pos += len;
        return s;
    }

    // "i<decimal>e": no leading zeros, no "-0", within int64.
    Expected<std::int64_t, BencodeError> integer() {
        skip();  // 'i'
        bool negative = false;
        if (!at_end() && peek() == '-') {
            negative = true;
            skip();
        }
        const std::size_t start = m_pos;
        std::uint64_t magnitude = 0;
        constexpr auto kLimit =
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        while (!at_end() && is_digit(peek())) {
            const auto digit = static_cast<std::uint64_t>(peek() - '0');
            if (magnitude > (kLimit + 1 - digit) / 10)
                return unexpected(BencodeError::BadInteger);
            magnitude = magnitude * 10 + digit;
            skip();
        }
        if (at_end())
            return unexpected(BencodeError::Truncated);
        const std::size_t digits = m_pos - start;
        if (digits == 0 || peek() != 'e' || (digits > 1 && m_in[start] == '0') ||
            (negative && magnitude == 0)) {
            return unexpected(BencodeError::BadInteger);
        }
        skip();
        if (!negative && magnitude > kLimit)
            return unexpected(BencodeError::BadInteger);
        if (negative)
            return magnitude == kLimit + 1 ? std::numeric_limits<std::int64_t>::min()
                                           : -static_cast<std::int64_t>(magnitude);
        return static_cast<std::int64_t>(magnitude);
    }

private:
    std::string_view m_in;
    std::size_t m_pos = 0;
};

}  // namespace

Expected<BDict, BencodeError> bdecode_flat_dict(std::string_view input) {
    if (input.size() > kMaxBencodedSize)
        return unexpected(BencodeError::TooLong);
    Reader r(input);
    if (r.at_end() || r.peek() != 'd')
        return unexpected(BencodeError::NotADict);
    r.skip();
    BDict out;
    std::string last_key;
    bool first = true;
    for (;;) {
        if (r.at_end())
            return unexpected(BencodeError::Truncated);
        if (r.peek() == 'e') {
            r.skip();
            break;
        }
        auto key = r.string();
        if (!key)
            return unexpected(key.error());
        if (!first && !(last_key < *key))
            return unexpected(BencodeError::UnsortedKeys);
        first = false;
        last_key = *key;
        if (r.at_end())
            return unexpected(BencodeError::Truncated);
        const char c = r.peek();
        if (c == 'i') {
            auto v = r.integer();
            if (!v)
                return unexpected(v.error());
            out.emplace(std::move(key).value(), *v);
        } else if (is_digit(c)) {
            auto v = r.string();
            if (!v)
                return unexpected(v.error());
            out.emplace(std::move(key).value(), std::move(v).value());
        } else if (c == 'l' || c == 'd') {
            return unexpected(BencodeError::NestedValue);
        } else {
            return unexpected(BencodeError::BadLength);
        }
    }
    if (!r.at_end())
        return unexpected(BencodeError::TrailingBytes);
    return out;
}

}  // namespace btt::torrent
