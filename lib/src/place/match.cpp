#include "neac/place/match.hpp"

#include "neac/place/search_key.hpp"
#include "neac/util/error.hpp"
#include "neac/util/text.hpp"
#include "neac/util/unicode.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

namespace neac::place {

Occurrence Occurrence::parse(std::string_view text) {
    Occurrence o;
    if (text == "first") {
        o.kind = Kind::First;
    } else if (text == "last") {
        o.kind = Kind::Last;
    } else if (text == "all") {
        o.kind = Kind::All;
    } else {
        int n = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || ptr != text.data() + text.size() || n < 1 || text.size() > 6)
            throw usage_error("--occurrence takes first, last, all or a match number (1, 2, ...), "
                              "not '" +
                              std::string(text) + "'");
        o.kind = Kind::Nth;
        o.n = n;
    }
    return o;
}

std::string Occurrence::name() const {
    switch (kind) {
    case Kind::First:
        return "first";
    case Kind::Last:
        return "last";
    case Kind::All:
        return "all";
    case Kind::Nth:
        return std::to_string(n);
    }
    return "last";
}

namespace {

constexpr std::size_t kMaxKeyLength = 400;

// A character of the searchable text and where it came from: code points [begin, end) of a
// word (a whole cluster, since normalisation works on clusters).
struct CharRef {
    std::uint32_t word;
    std::uint32_t begin;
    std::uint32_t end;
};

struct Haystack {
    std::u32string text;
    std::vector<CharRef> refs;
    std::vector<std::uint8_t> boundary_before; // a space or line end precedes text[i]
    std::vector<int> line_of_word;
};

// The extent of a word across its writing direction (its font height, roughly).
double across(const Word& w) {
    return (w.rotation % 2 == 0) ? w.box.h : w.box.w;
}

double interval_overlap(double a0, double a1, double b0, double b1) {
    return std::min(a1, b1) - std::max(a0, b0);
}

// Whether `b` continues the line of `a`: same direction, mostly the same band across the
// direction, and starting after `a` without a gap wider than a few letters (a wider gap is
// another column of a table or of a two-block signature area). `visible_gap` tells whether the
// two are apart on the page: words poppler keeps apart without a space between them (a wide run
// of spaces, a tab stop) are still two words.
bool same_line(const Word& a, const Word& b, bool& visible_gap) {
    if (a.rotation != b.rotation)
        return false;
    double size = std::max(1.0, std::min(across(a), across(b)));
    const Rect &p = a.box, &q = b.box;
    double overlap = 0, gap = 0;
    switch (a.rotation) {
    case 0:
        overlap = interval_overlap(p.y, p.y + p.h, q.y, q.y + q.h);
        gap = q.x - (p.x + p.w);
        break;
    case 1: // top-down on the displayed page
        overlap = interval_overlap(p.x, p.x + p.w, q.x, q.x + q.w);
        gap = p.y - (q.y + q.h);
        break;
    case 2:
        overlap = interval_overlap(p.y, p.y + p.h, q.y, q.y + q.h);
        gap = p.x - (q.x + q.w);
        break;
    default: // bottom-up
        overlap = interval_overlap(p.x, p.x + p.w, q.x, q.x + q.w);
        gap = q.y - (p.y + p.h);
        break;
    }
    visible_gap = gap > 0.15 * size;
    return overlap >= 0.5 * size && gap > -0.5 * size && gap < 3 * size;
}

Haystack build(const PageText& page, bool ignore_diacritics) {
    Haystack h;
    const auto& words = page.words;
    h.line_of_word.resize(words.size());
    int line = 0;
    for (std::size_t wi = 0; wi < words.size(); ++wi) {
        bool boundary = true;
        if (wi > 0) {
            bool apart = false;
            bool joined = same_line(words[wi - 1], words[wi], apart);
            if (!joined)
                ++line;
            boundary = !joined || words[wi - 1].space_after || apart;
        }
        h.line_of_word[wi] = line;
        const std::u32string& t = words[wi].text;
        std::size_t i = 0;
        while (i < t.size()) {
            std::size_t end = i + 1;
            while (end < t.size() && is_mark(t[end]))
                ++end;
            for (char32_t c :
                 search_key(std::u32string_view(t).substr(i, end - i), ignore_diacritics)) {
                if (is_space(c)) {
                    boundary = true;
                    continue;
                }
                h.text.push_back(c);
                h.refs.push_back(CharRef{static_cast<std::uint32_t>(wi),
                                         static_cast<std::uint32_t>(i),
                                         static_cast<std::uint32_t>(end)});
                h.boundary_before.push_back(boundary ? 1 : 0);
                boundary = false;
            }
            i = end;
        }
    }
    return h;
}

bool same_cluster(const CharRef& a, const CharRef& b) {
    return a.word == b.word && a.begin == b.begin;
}

// A match must not start or stop inside a cluster (one half of a ligature), and must start and
// end on a word boundary unless the keyword itself starts or ends with punctuation.
bool starts_on_boundary(const Haystack& h, std::size_t pos, char32_t first) {
    if (pos == 0)
        return true;
    if (same_cluster(h.refs[pos - 1], h.refs[pos]))
        return false;
    return h.boundary_before[pos] || !is_word_char(first) || !is_word_char(h.text[pos - 1]);
}

bool ends_on_boundary(const Haystack& h, std::size_t end, char32_t last) {
    if (end >= h.text.size())
        return true;
    if (same_cluster(h.refs[end - 1], h.refs[end]))
        return false;
    return h.boundary_before[end] || !is_word_char(last) || !is_word_char(h.text[end]);
}

// Fills the match's text and boxes from the characters text[pos, end).
void describe_span(const PageText& page, const Haystack& h, std::size_t pos, std::size_t end,
                   KeywordMatch& m) {
    std::vector<std::pair<int, Rect>> lines; // line id -> box
    const CharRef* prev = nullptr;
    for (std::size_t k = pos; k < end; ++k) {
        const CharRef& r = h.refs[k];
        if (prev && prev->word == r.word && prev->begin == r.begin)
            continue; // the same cluster (an expansion like a ligature)
        const Word& w = page.words[r.word];
        if (prev && prev->word != r.word && h.boundary_before[k])
            m.text += ' ';
        m.text += utf8_encode(std::u32string_view(w.text).substr(r.begin, r.end - r.begin));
        Rect box;
        for (std::uint32_t c = r.begin; c < r.end && c < w.char_boxes.size(); ++c)
            box = unite(box, w.char_boxes[c]);
        int line = h.line_of_word[r.word];
        if (lines.empty() || lines.back().first != line)
            lines.emplace_back(line, box);
        else
            lines.back().second = unite(lines.back().second, box);
        if (m.words.empty())
            m.rotation = w.rotation;
        if (m.words.empty() || m.words.back() != r.word)
            m.words.push_back(r.word);
        prev = &r;
    }
    for (const auto& [line, box] : lines) {
        m.lines.push_back(box);
        m.box = unite(m.box, box);
    }
}

} // namespace

KeywordMatcher::KeywordMatcher(std::string keyword, bool ignore_diacritics)
    : keyword_(std::move(keyword)), ignore_diacritics_(ignore_diacritics) {
    if (!is_valid_utf8(keyword_))
        throw usage_error("the keyword is not valid UTF-8 text");
    key_ = search_key_of_text(keyword_, ignore_diacritics_);
    folded_key_ = search_key_of_text(keyword_, true);
    if (key_.empty())
        throw usage_error("the keyword '" + keyword_ + "' has nothing to search for")
            .hint("give the words printed where the signature goes, e.g. --keyword \"Người làm "
                  "đơn\"");
    if (key_.size() > kMaxKeyLength)
        throw usage_error("the keyword is too long (" + std::to_string(key_.size()) +
                          " characters; at most " + std::to_string(kMaxKeyLength) + ")");
}

std::string KeywordMatcher::key() const {
    return utf8_encode(key_);
}

std::vector<KeywordMatch> KeywordMatcher::find(const PageText& page) const {
    std::vector<KeywordMatch> out;
    if (page.words.empty())
        return out;
    Haystack h = build(page, ignore_diacritics_);
    std::boyer_moore_horspool_searcher searcher(key_.begin(), key_.end());
    auto from = h.text.begin();
    while (true) {
        auto it = std::search(from, h.text.end(), searcher);
        if (it == h.text.end())
            break;
        std::size_t pos = static_cast<std::size_t>(it - h.text.begin());
        std::size_t end = pos + key_.size();
        if (starts_on_boundary(h, pos, key_.front()) && ends_on_boundary(h, end, key_.back())) {
            KeywordMatch m;
            m.page = page.geometry.number;
            describe_span(page, h, pos, end, m);
            out.push_back(std::move(m));
            from = h.text.begin() + static_cast<std::ptrdiff_t>(end);
        } else {
            from = it + 1;
        }
    }
    return out;
}

void KeywordMatcher::near_misses(const PageText& page, std::vector<Candidate>& out,
                                 std::size_t limit) const {
    if (page.words.empty() || limit == 0)
        return;
    Haystack h = build(page, true);
    const std::u32string& key = folded_key_;
    const std::size_t m = key.size(), n = h.text.size();
    if (m == 0 || n == 0)
        return;
    const int max_distance = std::max(1, static_cast<int>(std::lround(m * 0.34)));

    // Sellers' algorithm: the edit distance between the keyword and the best substring ending
    // at each position, with the substring's start carried along.
    std::vector<int> dist(m + 1), prev_dist(m + 1);
    std::vector<std::size_t> start(m + 1), prev_start(m + 1);
    for (std::size_t i = 0; i <= m; ++i) {
        prev_dist[i] = static_cast<int>(i);
        prev_start[i] = 0;
    }
    struct Span {
        int distance;
        std::size_t begin, end;
    };
    std::vector<Span> spans;
    for (std::size_t j = 1; j <= n; ++j) {
        dist[0] = 0;
        start[0] = j;
        for (std::size_t i = 1; i <= m; ++i) {
            int sub = prev_dist[i - 1] + (key[i - 1] == h.text[j - 1] ? 0 : 1);
            int del = prev_dist[i] + 1;
            int ins = dist[i - 1] + 1;
            if (sub <= del && sub <= ins) {
                dist[i] = sub;
                start[i] = prev_start[i - 1];
            } else if (del <= ins) {
                dist[i] = del;
                start[i] = prev_start[i];
            } else {
                dist[i] = ins;
                start[i] = start[i - 1];
            }
        }
        if (dist[m] <= max_distance && start[m] < j)
            spans.push_back(Span{dist[m], start[m], j});
        std::swap(dist, prev_dist);
        std::swap(start, prev_start);
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        if (a.distance != b.distance)
            return a.distance < b.distance;
        return a.begin < b.begin;
    });
    std::vector<Span> kept;
    for (const Span& s : spans) {
        bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const Span& k) {
            return s.begin < k.end && k.begin < s.end;
        });
        if (overlaps)
            continue;
        kept.push_back(s);
        if (kept.size() >= limit)
            break;
    }
    for (const Span& s : kept) {
        Candidate c;
        c.page = page.geometry.number;
        c.distance = s.distance;
        // Shown as whole words: "ng tự làm đơn" means nothing to a reader, "không tự làm đơn" does.
        std::size_t begin = s.begin, end = s.end;
        while (begin > 0 && h.refs[begin - 1].word == h.refs[begin].word)
            --begin;
        while (end < n && h.refs[end].word == h.refs[end - 1].word)
            ++end;
        KeywordMatch described;
        describe_span(page, h, begin, end, described);
        c.text = described.text;
        c.box = described.box;
        if (s.distance == 0) {
            KeywordMatch exact;
            describe_span(page, h, s.begin, s.end, exact);
            bool equal = search_key_of_text(exact.text, ignore_diacritics_) == key_;
            c.inside_word = equal;
            c.same_without_diacritics = !equal;
        }
        auto same = std::find_if(out.begin(), out.end(), [&](const Candidate& o) {
            return o.page == c.page && o.text == c.text;
        });
        if (same != out.end())
            ++same->count;
        else
            out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
        return a.distance < b.distance;
    });
    if (out.size() > limit)
        out.resize(limit);
}

} // namespace neac::place
