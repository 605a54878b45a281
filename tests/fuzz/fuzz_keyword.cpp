// Feeds keyword matching (neac locate, and sign's placement by keyword): a keyword and a page's
// text layer go to KeywordMatcher (search keys: NFKC_Casefold, diacritics optionally removed;
// matches across spaces, split words and line ends, on word boundaries), its near misses, and the
// keyword side's search keys and occurrence parsing.
//
// Input (UTF-8, decoded leniently so that any bytes make text, as poppler's layer can hold any
// character): the first line is the keyword, "~" in front asks to ignore diacritics; every further
// line is one line of the page, words separated by a space (a word box followed by a space) or a
// tab (two boxes with no space between, as producers split words); a line starting with "^" is
// written top-down (rotation 1). Boxes are laid out like printed text, one per code point.
// Seeds: keywords and form lines from the tests and the Vietnamese corpus
// (tests/fuzz/seeds/fuzz_keyword).
#include "harness.hpp"

#include "neac/place/match.hpp"
#include "neac/place/search_key.hpp"

using namespace neac;
using namespace neac::place;

namespace {

PageText page_from(std::string_view text) {
    PageText page;
    page.geometry.number = 1;
    page.geometry.media = Rect{0, 0, 595, 842};
    page.geometry.crop = page.geometry.media;
    page.geometry.width = 595;
    page.geometry.height = 842;
    double y = 800;
    while (!text.empty() && page.words.size() < 20000) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        int rotation = 0;
        if (!line.empty() && line.front() == '^') {
            rotation = 1;
            line.remove_prefix(1);
        }
        double x = 40;
        std::u32string chars = fuzz::decode_utf8(line);
        Word w;
        auto flush = [&](bool space_after) {
            if (w.text.empty())
                return;
            w.rotation = rotation;
            w.space_after = space_after;
            for (const Rect& r : w.char_boxes)
                w.box = unite(w.box, r);
            page.words.push_back(std::move(w));
            w = Word{};
        };
        for (char32_t c : chars) {
            if (c == U' ' || c == U'\t') {
                flush(c == U' ');
                x += c == U' ' ? 4 : 0;
                continue;
            }
            w.text.push_back(c);
            w.char_boxes.push_back(Rect{x, y, 6, 12});
            x += 6;
        }
        flush(false);
        y -= 14;
    }
    return page;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t nl = input.find('\n');
    std::string keyword(input.substr(0, nl));
    std::string_view rest =
        nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    bool ignore_diacritics = !keyword.empty() && keyword.front() == '~';
    if (ignore_diacritics)
        keyword.erase(0, 1);

    fuzz::refused_ok([&] {
        (void)search_key_of_text(keyword, false);
        (void)search_key_of_text(keyword, true);
    });
    fuzz::refused_ok([&] { (void)Occurrence::parse(keyword).name(); });

    PageText page = page_from(rest);
    fuzz::refused_ok([&] {
        KeywordMatcher matcher(keyword, ignore_diacritics);
        (void)matcher.key();
        for (const KeywordMatch& m : matcher.find(page))
            for (std::size_t w : m.words)
                if (w >= page.words.size())
                    __builtin_trap(); // a match must point at the page's own words
        std::vector<Candidate> near;
        matcher.near_misses(page, near);
    });
    return 0;
}
