// The profile's appearance: section and the locator's matching keys: parsing, defaults,
// positions in errors, and the to_yaml round trip.
#include "neac/profile/profile.hpp"
#include "neac/util/error.hpp"

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::profile;

namespace {

const std::string kBase = R"(name: an
display-name: NGUYỄN VĂN A
phone: "0912345678"
signatures:
  - account: "001099012345"
    provider: sandbox
)";

Error error_for(const std::string& text) {
    try {
        parse_profile(text, "/p/an.yaml");
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        return e;
    }
    ADD_FAILURE() << "expected an error for:\n" << text;
    return input_error("none");
}

} // namespace

TEST(AppearanceProfile, ParsesEveryKey) {
    Profile p = parse_profile(kBase + R"(appearance:
  layout: image-above
  lines:
    - "Ký bởi: {name}"
    - "CCCD: {cccd}"
    - "Thời gian: {time:%H:%M %d/%m/%Y}"
  font: fonts/NotoSans-Regular.ttf
  font-size: 9.5
  border: false
  color: "#B22222"
locator:
  keyword: "Người làm đơn"
  ignore-diacritics: true
  avoid-text: false
)",
                              "/home/u/profiles/an.yaml");
    ASSERT_TRUE(p.appearance.has_value());
    const pdf::AppearanceStyle& a = *p.appearance;
    EXPECT_EQ(a.layout, pdf::AppearanceLayout::ImageAbove);
    ASSERT_EQ(a.lines.size(), 3u);
    EXPECT_EQ(a.lines[0], "Ký bởi: {name}");
    EXPECT_EQ(a.font, "/home/u/profiles/fonts/NotoSans-Regular.ttf"); // relative to the profile
    EXPECT_DOUBLE_EQ(a.font_size, 9.5);
    EXPECT_FALSE(a.border);
    EXPECT_EQ(a.color, "#B22222");
    ASSERT_TRUE(p.locator.has_value());
    EXPECT_TRUE(p.locator->ignore_diacritics);
    EXPECT_FALSE(p.locator->avoid_text);

    Profile again = parse_profile(to_yaml(p), p.source.string());
    EXPECT_EQ(again.appearance, p.appearance);
    EXPECT_EQ(again.locator, p.locator);
    EXPECT_NE(to_yaml(p).find("appearance:"), std::string::npos);
}

TEST(AppearanceProfile, DefaultsWhenKeysAreLeftOut) {
    Profile none = parse_profile(kBase, "/p/an.yaml");
    EXPECT_FALSE(none.appearance.has_value());
    EXPECT_EQ(to_yaml(none).find("appearance:"), std::string::npos);

    Profile p = parse_profile(kBase + "appearance:\n  layout: text-only\n", "/p/an.yaml");
    ASSERT_TRUE(p.appearance.has_value());
    EXPECT_TRUE(p.appearance->lines.empty()); // = the default lines
    EXPECT_TRUE(p.appearance->border);
    EXPECT_EQ(p.appearance->color, "#1a3c8c");
    EXPECT_DOUBLE_EQ(p.appearance->font_size, 0);
    EXPECT_EQ(parse_profile(to_yaml(p), "/p/an.yaml").appearance, p.appearance);
}

TEST(AppearanceProfile, ErrorsNameTheKeyAndPosition) {
    Error unknown = error_for(kBase + "appearance:\n  layout: auto\n  colour: \"#000000\"\n");
    EXPECT_NE(std::string(unknown.what()).find("appearance.colour"), std::string::npos);
    EXPECT_EQ(unknown.line(), 9);
    EXPECT_EQ(unknown.column(), 3);
    EXPECT_NE(unknown.hint().find("color"), std::string::npos);

    Error layout = error_for(kBase + "appearance:\n  layout: sideways\n");
    EXPECT_NE(std::string(layout.what()).find("image-left"), std::string::npos);
    EXPECT_EQ(layout.line(), 8);
    EXPECT_EQ(layout.column(), 11);

    Error placeholder =
        error_for(kBase + "appearance:\n  lines:\n    - \"Ký bởi: {name}\"\n    - \"{phone}\"\n");
    EXPECT_NE(std::string(placeholder.what()).find("{phone}"), std::string::npos);
    EXPECT_EQ(placeholder.line(), 10);
    EXPECT_NE(placeholder.hint().find("{cccd}"), std::string::npos);

    EXPECT_NE(std::string(error_for(kBase + "appearance:\n  lines: \"{name}\"\n").what())
                  .find("list of 1 to 12"),
              std::string::npos);
    EXPECT_NE(std::string(error_for(kBase + "appearance:\n  color: blue\n").what()).find("#RRGGBB"),
              std::string::npos);
    EXPECT_NE(
        std::string(error_for(kBase + "appearance:\n  font-size: 2\n").what()).find("font-size"),
        std::string::npos);
    EXPECT_NE(std::string(error_for(kBase + "appearance:\n  border: maybe\n").what())
                  .find("true or false"),
              std::string::npos);
    EXPECT_NE(std::string(error_for(kBase + "appearance:\n  lines:\n    - \"{time:}\"\n").what())
                  .find("time format"),
              std::string::npos);
    EXPECT_NE(std::string(error_for(kBase + "locator:\n  keyword: x\n  avoid-text: 3\n").what())
                  .find("locator.avoid-text"),
              std::string::npos);
}
