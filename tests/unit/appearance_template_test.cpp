// Appearance line templates, layouts, colours and subject attributes.
#include "neac/pdf/appearance.hpp"
#include "neac/util/error.hpp"

#include <ctime>
#include <gtest/gtest.h>

using namespace neac;
using namespace neac::pdf;

namespace {

AppearanceValues values() {
    AppearanceValues v;
    v.name = "NGUYỄN VĂN A";
    v.id_kind = "CCCD";
    v.id_number = "001099012345";
    std::tm tm{};
    tm.tm_year = 2026 - 1900;
    tm.tm_mon = 10;
    tm.tm_mday = 26;
    tm.tm_hour = 18;
    tm.tm_min = 5;
    tm.tm_sec = 9;
    tm.tm_isdst = -1;
    v.time = std::chrono::system_clock::from_time_t(std::mktime(&tm)); // local time
    return v;
}

} // namespace

TEST(AppearanceTemplate, DefaultLinesDropEmptyValues) {
    std::vector<std::string> lines = expand_lines(default_appearance_lines(), values());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "Ký bởi: NGUYỄN VĂN A");
    EXPECT_EQ(lines[1], "Ngày ký: 26/11/2026 18:05:09");
    AppearanceValues v = values();
    v.organization = "UBND xã Nậm Pồ";
    v.reason = "Nộp hồ sơ";
    v.location = "Điện Biên";
    lines = expand_lines(default_appearance_lines(), v);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[1], "Tổ chức: UBND xã Nậm Pồ");
    EXPECT_EQ(lines[3], "Lý do: Nộp hồ sơ");
    EXPECT_EQ(lines[4], "Nơi ký: Điện Biên");
}

TEST(AppearanceTemplate, PlaceholdersFormatsAndBraces) {
    std::vector<std::string> lines =
        expand_lines({"{id_kind}: {cccd}", "{time:%H:%M}", "{{literal}} {name}", "Plain text",
                      "{reason}{location}"},
                     values());
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], "CCCD: 0010******45"); // masked: first 4, last 2
    EXPECT_EQ(lines[1], "18:05");
    EXPECT_EQ(lines[2], "{literal} NGUYỄN VĂN A");
    EXPECT_EQ(lines[3], "Plain text");
}

TEST(AppearanceTemplate, BadTemplatesAreRefused) {
    for (const char* bad : {"{phone}", "{name", "name}", "{time:}", "{name:%Y}", "a\tb"}) {
        try {
            check_template(bad);
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::BadInput) << bad;
        }
    }
    EXPECT_NO_THROW(check_template("Ký bởi: {name} ({id_kind} {cccd}) {time:%d/%m/%Y}"));
}

TEST(AppearanceTemplate, LayoutsColoursAndSubjects) {
    for (AppearanceLayout l :
         {AppearanceLayout::Auto, AppearanceLayout::ImageLeft, AppearanceLayout::ImageAbove,
          AppearanceLayout::TextOnly, AppearanceLayout::ImageOnly})
        EXPECT_EQ(parse_layout(layout_name(l)), l);
    EXPECT_THROW(parse_layout("left"), Error);
    EXPECT_NO_THROW(check_color("#1a3C8c"));
    for (const char* bad : {"1a3c8c", "#1a3c8", "#1a3c8g", "red"})
        EXPECT_THROW(check_color(bad), Error) << bad;
    std::string subject = "CN=NGUYỄN VĂN A,O=Công ty TNHH A\\, B và C,UID=CCCD:001099012345,C=VN";
    EXPECT_EQ(subject_attribute(subject, "O"), "Công ty TNHH A, B và C");
    EXPECT_EQ(subject_attribute(subject, "CN"), "NGUYỄN VĂN A");
    EXPECT_EQ(subject_attribute(subject, "OU"), "");
}
