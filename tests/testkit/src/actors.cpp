#include <btt/testkit/actors.h>

#include <map>
#include <mutex>
#include <string>

#include <btt/tron/hash.h>

namespace btt::testkit {

const tron::PrivateKey& actor_key(std::string_view name) {
    static std::mutex mutex;
    static std::map<std::string, tron::PrivateKey, std::less<>> keys;
    const std::lock_guard lock(mutex);
    if (auto it = keys.find(name); it != keys.end()) return it->second;
    const auto seed = tron::sha256(as_bytes("btt-test-actor:" + std::string(name)));
    // sha256 output is a valid scalar except with negligible probability.
    auto key = tron::PrivateKey::from_bytes(seed).value();
    return keys.emplace(std::string(name), std::move(key)).first->second;
}

}  // namespace btt::testkit
