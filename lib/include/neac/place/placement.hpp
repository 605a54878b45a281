// The placement policy: where the signature box goes relative to the keyword's box.
//
// Sides are meant as a reader of the keyword sees them: "below" is towards the next line of the
// keyword's text and the box's width runs along the text. On an upright page that is simply
// below on the displayed page; where the text runs down or up the displayed page (a page turned
// by /Rotate without its content being turned back), the box follows the text.
//
// The box is put on the chosen side of the keyword at `offset` points, centred across that
// side (below/above: centred along the text; left/right: across it; over: on the keyword's
// centre), then kept inside the displayed page. With avoid_text, a box that would cover
// printed text (typically the "(Ký, ghi rõ họ tên)" line under "Người làm đơn") slides further
// from the keyword, past that text, by at most its own depth, shrinking (aspect ratio kept, down
// to half its size) when the blank space is smaller than the box; if nothing clears the text,
// the box stays where the policy put it and the proposal says it overlaps text.
//
// Annotations (an earlier signature's widget, a stamp) are never covered: when the box lands on
// one, it moves to free space near the keyword, first beside the blocking box, then further out
// along the side (at most three box depths), at full size then shrunk to two thirds, clear of
// annotations and printed text alike. If there is none, the proposal says it overlaps an
// annotation and the signer stops (neac-sign(1) --allow-overlap).
#pragma once

#include "neac/place/page_source.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace neac::place {

enum class Side { Below, Above, Left, Right, Over };
const char* side_name(Side side); // "below", ...
// Error(Usage) listing the names for anything else.
Side parse_side(std::string_view text);

struct PlacementPolicy {
    Side side = Side::Below;
    double offset = 4;               // points between the keyword's box and the signature box
    double width = 180, height = 60; // points, > 0
    bool avoid_text = true;          // never for Side::Over
};

struct Proposal {
    Rect box;                   // the proposed signature box, displayed coordinates
    Rect requested;             // where the policy alone puts it (may stick out of the page)
    bool clamped = false;       // moved or shrunk to stay inside the page
    double moved = 0;           // points moved further from the keyword to clear printed text
    double aside = 0;           // points moved across the side (beside) to clear an annotation
    double scale = 1;           // < 1 when shrunk to fit between printed text
    bool overlaps_text = false; // no clear spot was found: the box covers printed text
    bool overlaps_annotation = false; // ... or an annotation (an earlier signature)
};

// `keyword` and `obstacles` (boxes of printed text other than the keyword) are in displayed
// coordinates of `page`; `text_rotation` is the keyword's writing direction in quarter turns
// clockwise on the displayed page (Word::rotation: 0 upright, 1 running down, 2 upside down,
// 3 running up).
// `annotations` are the boxes of the page's visible annotations, also displayed coordinates.
Proposal propose_box(const Rect& keyword, const PageGeometry& page, const PlacementPolicy& policy,
                     const std::vector<Rect>& obstacles, int text_rotation = 0,
                     const std::vector<Rect>& annotations = {});

// Turns a displayed-page box into the frame where text of `rotation` reads upright (a quarter
// turn counter-clockwise per step), and back.
Rect to_text_frame(const Rect& r, int rotation);
Rect from_text_frame(const Rect& r, int rotation);

} // namespace neac::place
