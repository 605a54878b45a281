// Helpers that stand between neac and hostile input: JSON nested without end, YAML that expands
// through aliases, and text that would drive a terminal.
#include "neac/util/error.hpp"
#include "neac/util/json.hpp"
#include "neac/util/limits.hpp"
#include "neac/util/text.hpp"
#include "util/yaml_reader.hpp"

#include <gtest/gtest.h>

namespace neac {
namespace {

TEST(UntrustedJson, NestingBeyondTheLimitIsRefusedWhileReading) {
    std::string deep(200000, '[');
    EXPECT_TRUE(parse_untrusted_json(deep).is_discarded());
    std::string closed = std::string(200000, '[') + std::string(200000, ']');
    EXPECT_TRUE(parse_untrusted_json(closed).is_discarded());
    std::string fine =
        std::string(limits::kJsonDepth - 1, '[') + std::string(limits::kJsonDepth - 1, ']');
    EXPECT_FALSE(parse_untrusted_json(fine).is_discarded());
    std::string over =
        std::string(limits::kJsonDepth + 1, '[') + std::string(limits::kJsonDepth + 1, ']');
    EXPECT_TRUE(parse_untrusted_json(over).is_discarded());
    nlohmann::json ok = parse_untrusted_json(R"({"status": 0, "data": {"list": [1, 2]}})");
    ASSERT_FALSE(ok.is_discarded());
    EXPECT_EQ(ok["data"]["list"][1], 2);
    EXPECT_TRUE(parse_untrusted_json("{not json").is_discarded());
}

Error yaml_error(const std::string& text) {
    try {
        yaml::check_plain(text, "/p/x.yaml");
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error for: " << text;
    return Error(ErrorKind::Internal, "none");
}

TEST(PlainYaml, AnchorsAliasesAndDepthAreRefusedAtTheirPosition) {
    Error anchor = yaml_error("a: 1\nb: &x [1, 2]\n");
    EXPECT_NE(std::string(anchor.what()).find("anchors"), std::string::npos);
    EXPECT_EQ(anchor.line(), 2);
    // An alias of an anchor never defined is a syntax error to yaml-cpp; either way it stops here.
    Error alias = yaml_error("a: 1\nb: *x\n");
    EXPECT_NE(std::string(alias.what()).find("anchor"), std::string::npos) << alias.what();
    EXPECT_EQ(alias.line(), 2);
    std::string deep;
    for (int i = 0; i <= limits::kYamlDepth; ++i)
        deep += std::string(static_cast<std::size_t>(2 * i), ' ') + "k:\n";
    deep += std::string(static_cast<std::size_t>(2 * limits::kYamlDepth + 2), ' ') + "v: 1\n";
    EXPECT_NE(std::string(yaml_error(deep).what()).find("nested deeper"), std::string::npos);
    EXPECT_NO_THROW(yaml::check_plain("name: \"R&D *team*\"\nlist: [a, b]\n", "x.yaml"));
}

TEST(TerminalSafe, ControlsAndBidiOverridesBecomeVisibleVietnameseStays) {
    EXPECT_EQ(terminal_safe("NGUYỄN VĂN A"), "NGUYỄN VĂN A");
    EXPECT_EQ(terminal_safe("\x1b]0;owned\x07X"), "\\x1B]0;owned\\x07X");
    EXPECT_EQ(terminal_safe("A\r\nPASSED"), "A\\x0D\\x0APASSED");
    EXPECT_EQ(terminal_safe("a\u202Eb"), "a\\u202Eb");
    EXPECT_EQ(terminal_safe("\xc2\x9b"
                            "2J"),
              "\\x9B2J");
    EXPECT_EQ(terminal_safe("bad\xff"), "bad\xef\xbf\xbd");
}

} // namespace
} // namespace neac
