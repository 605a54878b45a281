#include "neac/util/bytes.hpp"
#include "neac/util/text.hpp"

#include <gtest/gtest.h>

using namespace neac;

TEST(Text, DisplayWidthCountsPrecomposedAndCombiningVietnameseAlike) {
    // "NGUYỄN" precomposed vs. decomposed (Y + E + U+0303 + U+0302 ... ) must both be 6 columns.
    EXPECT_EQ(display_width("NGUYỄN VĂN A"), 12u);
    EXPECT_EQ(display_width("NGUYE\xCC\x82\xCC\x83N"), 6u);
    EXPECT_EQ(display_width("Trần Thị Bích Ngọc"), 18u);
}

TEST(Text, TableAlignsByDisplayWidth) {
    std::string t = format_table({{"NAME", "X"}, {"Nguyễn", "1"}, {"An", "2"}});
    EXPECT_EQ(t, "NAME    X\nNguyễn  1\nAn      2\n");
}

TEST(Text, InvalidUtf8IsReplacedNotCrashing) {
    EXPECT_FALSE(is_valid_utf8("\xC3"));
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));
    EXPECT_TRUE(is_valid_utf8("Người làm đơn"));
}

TEST(Bytes, HexAndBase64RoundTrip) {
    Bytes b{0x00, 0xff, 0x10, 0x7f};
    EXPECT_EQ(hex_encode(b), "00ff107f");
    EXPECT_EQ(hex_decode("00 FF 10 7f"), b);
    EXPECT_THROW(hex_decode("0g"), std::exception);
    for (std::size_t n = 0; n < 7; ++n) {
        Bytes v(n, 0xAB);
        EXPECT_EQ(base64_decode(base64_encode(v)), v);
    }
    EXPECT_EQ(base64_decode("AP8Q\r\nfw"), b);
}
