// Keyword matching: Unicode search keys (NFC/NFD, case, ligatures, diacritics), word boundaries,
// keywords split across text boxes and lines, and near misses.
#include "neac/place/match.hpp"
#include "neac/place/search_key.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"
#include "neac/util/unicode.hpp"

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::place;

namespace {

// A page made of words laid out left to right on lines 20 pt apart, 6 pt per character.
class PageBuilder {
public:
    PageBuilder() {
        page_.geometry.number = 1;
        page_.geometry.width = page_.geometry.crop.w = page_.geometry.media.w = 595;
        page_.geometry.height = page_.geometry.crop.h = page_.geometry.media.h = 842;
    }
    // Adds a word at the current pen position; `space` is poppler's space-after flag.
    PageBuilder& word(const std::string& utf8, bool space = true) {
        Word w;
        w.text = utf8_decode(utf8);
        double x0 = x_;
        for (std::size_t i = 0; i < w.text.size(); ++i) {
            // Combining marks share the box of the letter before them, as poppler splits it.
            w.char_boxes.push_back(Rect{x_, y_, 6, 12});
            x_ += 6;
        }
        w.box = Rect{x0, y_, x_ - x0, 12};
        w.space_after = space;
        if (space)
            x_ += 4;
        page_.words.push_back(std::move(w));
        return *this;
    }
    PageBuilder& line() {
        x_ = 72;
        y_ -= 20;
        return *this;
    }
    const PageText& page() const { return page_; }

private:
    PageText page_;
    double x_ = 72, y_ = 700;
};

} // namespace

TEST(PlaceUnicode, ComposedAndDecomposedLettersHaveOneKey) {
    EXPECT_EQ(
        search_key_of_text("Người làm đơn", false),
        search_key_of_text("Ngu\xCC\x9B\xC6\xA1\xCC\x80i la\xCC\x80m \xC4\x91o\xCC\x9Bn", false));
    EXPECT_EQ(search_key_of_text("Nghiệp", false),
              search_key_of_text("Nghie\xCC\xA3\xCC\x82p", false)); // e + dot below + circumflex
    EXPECT_EQ(search_key_of_text("Nghiệp", false),
              search_key_of_text("Nghie\xCC\x82\xCC\xA3p", false)); // marks in the other order
}

TEST(PlaceUnicode, VietnameseCaseFolding) {
    EXPECT_EQ(search_key_of_text("NGƯỜI LÀM ĐƠN", false),
              search_key_of_text("người làm đơn", false));
    EXPECT_EQ(utf8_encode(search_key_of_text("ĐẶNG", false)), "đặng");
    EXPECT_NE(search_key_of_text("làm", false), search_key_of_text("lam", false));
}

TEST(PlaceUnicode, IgnoringDiacriticsFoldsMarksAndStrokedD) {
    EXPECT_EQ(utf8_encode(search_key_of_text("Người làm đơn", true)), "nguoilamdon");
    EXPECT_EQ(utf8_encode(search_key_of_text("ĐẶNG Ữ Ặ ệ", true)), "danguae");
}

TEST(PlaceUnicode, CompatibilityFormsAndIgnorablesVanish) {
    EXPECT_EQ(utf8_encode(search_key_of_text("\xEF\xAC\x81le", false)), "file"); // U+FB01 ligature
    EXPECT_EQ(utf8_encode(search_key_of_text("làm\xC2\xA0\xC4\x91\xC6\xA1n", false)),
              "làmđơn"); // no-break space is white space
    EXPECT_EQ(utf8_encode(search_key_of_text("đơ\xC2\xADn", false)), "đơn"); // soft hyphen
    EXPECT_EQ(to_nfc("Nghie\xCC\xA3\xCC\x82p"), "Nghiệp");
}

TEST(PlaceOccurrence, ParsesNamesAndNumbers) {
    EXPECT_EQ(Occurrence::parse("first").kind, Occurrence::Kind::First);
    EXPECT_EQ(Occurrence::parse("last").kind, Occurrence::Kind::Last);
    EXPECT_EQ(Occurrence::parse("all").kind, Occurrence::Kind::All);
    Occurrence third = Occurrence::parse("3");
    EXPECT_EQ(third.kind, Occurrence::Kind::Nth);
    EXPECT_EQ(third.n, 3);
    EXPECT_EQ(third.name(), "3");
    for (const char* bad : {"0", "-1", "2x", "", "lastt", "1234567"})
        EXPECT_THROW(Occurrence::parse(bad), Error) << bad;
}

TEST(PlaceMatch, FindsTheKeywordAcrossCaseSpacingAndNormalisation) {
    PageBuilder b;
    b.word("II.").word("THÔNG").word("TIN").word("CỦA").word("NGƯỜI").word("LÀM").word("ĐƠN",
                                                                                       false);
    b.line().word("Người").word("làm").word("đơn:", false);
    KeywordMatcher m("  người   làm đơn ", false);
    std::vector<KeywordMatch> found = m.find(b.page());
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].text, "NGƯỜI LÀM ĐƠN");
    EXPECT_EQ(found[1].text, "Người làm đơn");
    // The box covers the keyword's letters only, not the colon after it.
    const Rect& last = found[1].box;
    EXPECT_DOUBLE_EQ(last.x, 72);
    EXPECT_DOUBLE_EQ(last.w, (5 + 3 + 3) * 6 + 2 * 4); // 11 letters, 2 spaces
    EXPECT_DOUBLE_EQ(last.y, 680);
    EXPECT_EQ(found[1].lines.size(), 1u);

    KeywordMatcher decomposed("Ngu\xCC\x9B\xC6\xA1\xCC\x80i la\xCC\x80m \xC4\x91o\xCC\x9Bn", false);
    EXPECT_EQ(decomposed.find(b.page()).size(), 2u);
}

TEST(PlaceMatch, MatchesDecomposedPageText) {
    PageBuilder b; // Chromium keeps NFD text: each mark is its own character
    b.word("NGU\xCC\x9BO\xCC\x9B\xCC\x80I").word("LA\xCC\x80M").word("\xC4\x90O\xCC\x9BN", false);
    std::vector<KeywordMatch> found = KeywordMatcher("Người làm đơn", false).find(b.page());
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(to_nfc(found[0].text), "NGƯỜI LÀM ĐƠN");
    EXPECT_DOUBLE_EQ(found[0].box.x, 72);
}

TEST(PlaceMatch, JoinsWordsSplitIntoBoxesAndLines) {
    PageBuilder b;
    b.word("Ng", false).word("ười").word("làm", false); // a producer split "Người"
    b.line().word("đơn", false);                        // and the line broke
    std::vector<KeywordMatch> found = KeywordMatcher("Người làm đơn", false).find(b.page());
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].text, "Người làm đơn");
    ASSERT_EQ(found[0].lines.size(), 2u);
    EXPECT_DOUBLE_EQ(found[0].lines[1].y, 680);
    EXPECT_DOUBLE_EQ(found[0].box.y, 680);
    EXPECT_DOUBLE_EQ(found[0].box.h, 32);
}

TEST(PlaceMatch, MatchesWholeWordsOnly) {
    PageBuilder b;
    b.word("Lan").word("(Ký").word("tên,").word("đóng").word("dấu)", false);
    EXPECT_TRUE(KeywordMatcher("an", false).find(b.page()).empty());
    EXPECT_EQ(KeywordMatcher("Ký tên", false).find(b.page()).size(), 1u);
    EXPECT_EQ(KeywordMatcher("(Ký tên,", false).find(b.page()).size(), 1u);
    EXPECT_TRUE(KeywordMatcher("Ký tê", false).find(b.page()).empty());
}

TEST(PlaceMatch, IgnoreDiacriticsMatchesPlainKeyword) {
    PageBuilder b;
    b.word("Người").word("làm").word("đơn", false);
    EXPECT_TRUE(KeywordMatcher("Nguoi lam don", false).find(b.page()).empty());
    EXPECT_EQ(KeywordMatcher("Nguoi lam don", true).find(b.page()).size(), 1u);
    EXPECT_EQ(KeywordMatcher("NGUOI LAM DON", true).find(b.page()).size(), 1u);
}

TEST(PlaceMatch, RefusesKeywordsWithNothingToFind) {
    EXPECT_THROW(KeywordMatcher("   ", false), Error);
    EXPECT_THROW(KeywordMatcher("\xC2\xAD", false), Error); // only a soft hyphen
    EXPECT_THROW(KeywordMatcher("\xff\xfe", false), Error); // not UTF-8
}

TEST(PlaceMatch, NearMissesExplainWhatDiffers) {
    PageBuilder b;
    b.word("Họ").word("tên").word("người").word("làm").word("đơn:", false);
    b.line().word("NGƯỜI").word("ĐỀ").word("NGHỊ", false);
    KeywordMatcher plain("Nguoi lam don", false);
    ASSERT_TRUE(plain.find(b.page()).empty());
    std::vector<Candidate> c;
    plain.near_misses(b.page(), c);
    ASSERT_FALSE(c.empty());
    EXPECT_EQ(c[0].text, "người làm đơn:");
    EXPECT_EQ(c[0].distance, 0);
    EXPECT_TRUE(c[0].same_without_diacritics);

    KeywordMatcher typo("Người lam đơm", false);
    std::vector<Candidate> t;
    typo.near_misses(b.page(), t);
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(t[0].text, "người làm đơn:");
    EXPECT_EQ(t[0].distance, 1);
    EXPECT_FALSE(t[0].same_without_diacritics);

    KeywordMatcher far("Chữ ký của chủ hộ gia đình", false);
    std::vector<Candidate> none;
    far.near_misses(b.page(), none);
    EXPECT_TRUE(none.empty());
}

TEST(PlaceMatch, NearMissInsideALongerWord) {
    PageBuilder b;
    b.word("Lanh").word("đạo", false);
    std::vector<Candidate> c;
    KeywordMatcher("Lan", false).near_misses(b.page(), c);
    ASSERT_FALSE(c.empty());
    EXPECT_TRUE(c[0].inside_word);
    EXPECT_EQ(c[0].text, "Lanh");
}
