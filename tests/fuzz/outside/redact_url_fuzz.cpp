// redact_database_url (DESIGN §10 "no secret reaches a log"): never crashes on any string,
// and a password planted in any of libpq's spellings (URI user:password@, password= and
// sslpassword= parameters in either form, any case, percent-encoded keys) never comes out.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <btt/node/app/config.h>

using btt::node::redact_database_url;

namespace {

// The fuzzer's bytes as URL-safe text: what surrounds the secret.
std::string tame(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += (std::isalnum(u) || c == '.' || c == '_' || c == '-') ? c : 'x';
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    (void)redact_database_url(raw);
    if (size < 2)
        return 0;
    const auto form = data[0] % 8;
    const auto half = (size - 1) / 2;
    const std::string around = tame(raw.substr(1, half));
    const std::string secret = "Zq9" + tame(raw.substr(1 + half)) + "Zq9";
    std::string url;
    switch (form) {
        case 0: url = "postgresql://u" + around + ":" + secret + "@h/db"; break;
        case 1: url = "postgres://h" + around + "/db?password=" + secret; break;
        case 2: url = "postgresql://h/db?application_name=" + around + "&sslpassword=" + secret; break;
        case 3: url = "postgresql://h/db?pass%77ord=" + secret + "&x=" + around; break;
        case 4: url = "host=h" + around + " password=" + secret; break;
        case 5: url = "host=h sslpassword = '" + secret + "' dbname=" + around; break;
        case 6: url = "host=h PassWord=" + secret + " user=" + around; break;
        default: url = "postgresql://h/db?%73slpassword=" + secret; break;
    }
    if (redact_database_url(url).find(secret) != std::string::npos)
        std::abort();
    return 0;
}
