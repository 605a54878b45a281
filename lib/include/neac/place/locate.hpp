// `neac locate` and keyword placement for `neac sign`: find the keyword in a PDF's text layer,
// pick the match(es) the occurrence asks for, and propose a signature box next to each.
//
// Pages are scanned in the order the occurrence needs: forward for first and N, backward for
// last (the signature line is usually on the last page), all of them for all. Documents of up
// to kFullScanPages pages are always scanned whole, so the total number of matches is known;
// longer ones stop at the page that decides, and LocateResult::total is then empty.
#pragma once

#include "neac/place/match.hpp"
#include "neac/place/placement.hpp"
#include "neac/util/error.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace neac::pdf {
class Document;
}

namespace neac::place {

inline constexpr int kFullScanPages = 64;

struct LocatorSpec {
    // In order of preference: the first keyword with a selected match is the one used, so one
    // spec serves forms whose signature line is worded differently. At least one.
    std::vector<std::string> keywords;
    bool ignore_diacritics = false;
    Occurrence occurrence; // default: last
    int page = 0;          // search only this page (1-based); 0 = every page
    PlacementPolicy policy;
    // For signing: the displayed box used (on `page`, else the last page) when the keyword is
    // absent. Ignored by locate().
    std::optional<Rect> fallback;
    // For signing: sign even when no free space clears the page's annotations (an earlier
    // signature); otherwise such a file fails with exit 4. Ignored by locate().
    bool allow_overlap = false;
};

struct LocatedMatch {
    int index = 0; // 1-based among every match of the document; 0 when not counted
    KeywordMatch match;
    PageGeometry page;
    Proposal proposal;
};

struct LocateResult {
    std::filesystem::path file;
    int page_count = 0;
    int pages_scanned = 0;
    bool has_text = false; // some scanned page had a text layer
    // Matches in the pages searched (the document, or LocatorSpec::page), when all were read.
    std::optional<int> total;
    std::vector<LocatedMatch> matches; // the ones the occurrence selects, in document order
    std::vector<KeywordMatch> others;  // matches seen but not selected
    std::vector<Candidate> candidates; // near misses, when nothing matched at all
    std::string keyword;               // the keyword the matches are of (else the last tried)
    std::string key;                   // its search key
};

// Tries the keywords in order and returns the result of the first one with a selected match (or
// of the last one). Throws Error(BadInput) for a file poppler cannot read, Error(Usage) for a bad
// keyword, page or policy. Finding nothing is not an error here: `matches` is empty (see
// no_match_error).
LocateResult locate(const PageSource& source, const LocatorSpec& spec);
LocateResult locate(const std::filesystem::path& file, const LocatorSpec& spec);

// Error(BadInput) for a result without a selected match: names the file and the keywords, says
// how many matches there were when the occurrence asked for more, and lists the closest
// candidates with what to try.
Error no_match_error(const LocateResult& result, const LocatorSpec& spec);

// Where `neac sign` puts the widget for a file.
struct SignaturePosition {
    int page = 0;
    Rect rect;             // displayed coordinates of pdf::Placement::rect
    bool fallback = false; // no keyword was found and spec.fallback was used
    std::string keyword;   // the keyword that placed the box; empty with the fallback
    // Quarter turns clockwise of the keyword's text on the displayed page: the appearance is
    // turned the same way, so that it reads along with the document.
    int text_rotation = 0;
    std::optional<LocatedMatch> match;
    // For people: how the box was chosen when it was not simply the policy's ("keyword not
    // found: the fallback box", "moved 64 pt beside an earlier signature"); "" otherwise.
    std::string note;
};

// Locates the keyword in `doc`'s file and converts the proposed box into the coordinates
// pdf::prepare_signature_revision takes for that page. Without a match: spec.fallback when
// given, else no_match_error. Occurrence `all` is a usage error (one signature per file).
SignaturePosition resolve_signature_position(pdf::Document& doc, const LocatorSpec& spec);

} // namespace neac::place
