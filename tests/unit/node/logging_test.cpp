// JSON log lines (log.format = json): any message, even with quotes, control characters or
// broken UTF-8, must come out as a string JSON parsers accept.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <btt/node/app/logging.h>

namespace {

TEST(JsonLog, EscapesWhatJsonForbidsAndKeepsUtf8) {
    using btt::node::json_escape;
    EXPECT_EQ(json_escape("plain"), "plain");
    EXPECT_EQ(json_escape("a \"b\" \\ c"), "a \\\"b\\\" \\\\ c");
    EXPECT_EQ(json_escape("l1\nl2\tx\r"), "l1\\nl2\\tx\\r");
    EXPECT_EQ(json_escape(std::string("\x01\x1f", 2)), "\\u0001\\u001f");
    EXPECT_EQ(json_escape("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(json_escape("bad \xff byte"), "bad \xef\xbf\xbd byte");
    EXPECT_EQ(json_escape("cut \xe2\x82"), "cut \xef\xbf\xbd\xef\xbf\xbd");
    for (const std::string& message :
         {std::string("x\0y", 3), std::string("\xc0\xaf"), std::string("\xf5\x80\x80\x80"),
          std::string("\xed\xa0\x80"), std::string("\xe0\x80\x80"), std::string("\xf4\x90\x80\x80"),
          std::string("q\"\\\b\f")}) {
        const auto line = "{\"msg\":\"" + json_escape(message) + "\"}";
        EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
    }
}

}  // namespace
