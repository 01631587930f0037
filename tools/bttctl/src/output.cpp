#include <btt/ctl/context.h>

namespace btt::ctl {

std::string Output::render(bool as_json) const {
    if (as_json) {
        nlohmann::ordered_json object = nlohmann::ordered_json::object();
        for (const auto& [name, value] : m_fields) object[name] = value;
        return object.dump(2) + "\n";
    }
    std::string text;
    for (const auto& [name, value] : m_fields) {
        text += name;
        text += ": ";
        text += value.is_string() ? value.get<std::string>() : value.dump();
        text += '\n';
    }
    return text;
}

}  // namespace btt::ctl
