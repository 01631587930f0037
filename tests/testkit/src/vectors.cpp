#include <btt/testkit/vectors.h>

#include <fstream>
#include <stdexcept>

namespace btt::testkit {

const nlohmann::json& tron_vectors() {
    static const nlohmann::json vectors = [] {
        const std::string path = std::string(BTT_VECTORS_DIR) + "/tron-vectors.json";
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open test vectors " + path);
        nlohmann::json parsed = nlohmann::json::parse(in);
        if (!parsed.contains("keys") || parsed["keys"].empty()) {
            throw std::runtime_error("test vectors have no keys: " + path);
        }
        return parsed;
    }();
    return vectors;
}

}  // namespace btt::testkit
