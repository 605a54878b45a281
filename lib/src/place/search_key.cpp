#include "neac/place/search_key.hpp"

#include "neac/util/text.hpp"
#include "neac/util/unicode.hpp"

#include <unordered_map>

namespace neac::place {
namespace {

char32_t unstroke(char32_t c) {
    switch (c) {
    case U'đ':
    case U'ð':
        return U'd';
    case U'ø':
        return U'o';
    case U'ł':
        return U'l';
    case U'ħ':
        return U'h';
    case U'ŧ':
        return U't';
    default:
        return c;
    }
}

std::u32string compute_key(std::u32string_view cluster, bool ignore_diacritics) {
    std::u32string folded = to_nfkc_casefold(cluster);
    if (!ignore_diacritics)
        return folded;
    std::u32string out;
    for (char32_t c : to_nfd(folded)) {
        if (is_mark(c))
            continue;
        out.push_back(unstroke(c));
    }
    return out;
}

} // namespace

std::u32string search_key(std::u32string_view cluster, bool ignore_diacritics) {
    // Fast path: the bulk of page text is ASCII.
    if (cluster.size() == 1 && cluster[0] < 0x80) {
        char32_t c = cluster[0];
        if (c >= 'A' && c <= 'Z')
            c = c - 'A' + 'a';
        return std::u32string(1, c);
    }
    // A document uses a few hundred distinct letters thousands of times each: remember their
    // keys rather than asking ICU again (bounded, for text in many scripts).
    thread_local std::unordered_map<std::u32string, std::u32string> cache[2];
    auto& memo = cache[ignore_diacritics ? 1 : 0];
    std::u32string k(cluster);
    auto it = memo.find(k);
    if (it != memo.end())
        return it->second;
    std::u32string key = compute_key(cluster, ignore_diacritics);
    if (memo.size() > 50000)
        memo.clear();
    memo.emplace(std::move(k), key);
    return key;
}

std::u32string search_key_of_text(std::string_view utf8, bool ignore_diacritics) {
    std::u32string text = utf8_decode(utf8);
    std::u32string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t end = i + 1;
        while (end < text.size() && is_mark(text[end]))
            ++end;
        for (char32_t c :
             search_key(std::u32string_view(text).substr(i, end - i), ignore_diacritics))
            if (!is_space(c))
                out.push_back(c);
        i = end;
    }
    return out;
}

} // namespace neac::place
