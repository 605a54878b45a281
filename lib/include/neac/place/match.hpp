// Finding a keyword in a page's text layer.
//
// Both sides are compared by their search keys (neac/place/search_key.hpp): composed and
// decomposed diacritics, letter case and compatibility forms never matter, and optionally the
// diacritics themselves do not either. White space does not matter at all, on either side: a
// keyword matches across extra spaces, across words a PDF producer split into several text
// boxes, and across line ends. A match must start and end on a word boundary (a space, a line
// end, punctuation or the keyword's own punctuation), so "Ký tên" matches "(Ký tên, đóng dấu)"
// but "an" does not match inside "Lan".
#pragma once

#include "neac/place/page_source.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neac::place {

// Which matches count: the first, the last, the N-th (1-based) or all of them.
struct Occurrence {
    enum class Kind { First, Last, Nth, All };
    Kind kind = Kind::Last;
    int n = 0; // for Nth
    // "first", "last", "all" or a positive number; Error(Usage) otherwise.
    static Occurrence parse(std::string_view text);
    std::string name() const;
};

struct KeywordMatch {
    int page = 0;
    std::string text;        // the matched characters as printed (UTF-8, words joined by spaces)
    Rect box;                // displayed coordinates: union of the matched characters
    std::vector<Rect> lines; // one box per text line the match spans (usually one)
    std::vector<std::size_t> words; // indices into PageText::words that the match touches
    int rotation = 0;               // writing direction of its first word (Word::rotation)
};

// A near miss, reported when nothing matches.
struct Candidate {
    int page = 0;
    std::string text; // as printed
    int distance = 0; // edits between the keyword and this text, diacritics ignored
    bool same_without_diacritics = false; // distance 0: only diacritics (or case) differ
    bool inside_word = false;             // exact text, but inside a longer word
    Rect box;                             // the first one's, displayed coordinates
    int count = 1;                        // times this text is on the page
};

class KeywordMatcher {
public:
    // Throws Error(Usage) for a keyword with nothing searchable in it.
    KeywordMatcher(std::string keyword, bool ignore_diacritics);

    const std::string& keyword() const { return keyword_; }
    bool ignore_diacritics() const { return ignore_diacritics_; }
    // The keyword's search key, UTF-8 (for --json and messages).
    std::string key() const;

    // Every match on the page, in reading order.
    std::vector<KeywordMatch> find(const PageText& page) const;

    // Adds the page's closest near misses to `out` (kept sorted, at most `limit`).
    void near_misses(const PageText& page, std::vector<Candidate>& out,
                     std::size_t limit = 5) const;

private:
    std::string keyword_;
    bool ignore_diacritics_;
    std::u32string key_;        // with the chosen diacritics rule
    std::u32string folded_key_; // diacritics always removed (near misses)
};

} // namespace neac::place
