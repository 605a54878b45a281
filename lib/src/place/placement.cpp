#include "neac/place/placement.hpp"

#include "neac/util/error.hpp"

#include <algorithm>
#include <cmath>

namespace neac::place {

const char* side_name(Side side) {
    switch (side) {
    case Side::Below:
        return "below";
    case Side::Above:
        return "above";
    case Side::Left:
        return "left";
    case Side::Right:
        return "right";
    case Side::Over:
        return "over";
    }
    return "below";
}

Side parse_side(std::string_view text) {
    for (Side s : {Side::Below, Side::Above, Side::Left, Side::Right, Side::Over})
        if (text == side_name(s))
            return s;
    throw usage_error("--placement takes below, above, left, right or over, not '" +
                      std::string(text) + "'");
}

namespace {

constexpr double kClearance = 2; // points kept between the box and text it slides past

// The box of size w x h on the policy's side of the keyword.
Rect beside(const Rect& k, Side side, double offset, double w, double h) {
    double cx = k.x + k.w / 2, cy = k.y + k.h / 2;
    switch (side) {
    case Side::Below:
        return Rect{cx - w / 2, k.y - offset - h, w, h};
    case Side::Above:
        return Rect{cx - w / 2, k.y + k.h + offset, w, h};
    case Side::Left:
        return Rect{k.x - offset - w, cy - h / 2, w, h};
    case Side::Right:
        return Rect{k.x + k.w + offset, cy - h / 2, w, h};
    case Side::Over:
        break;
    }
    return Rect{cx - w / 2, cy - h / 2, w, h};
}

// Keeps a box inside the page, shrinking it (aspect kept) when it is larger than the page.
Rect inside_page(Rect r, const Rect& page, bool& changed) {
    double s = std::min({1.0, page.w / r.w, page.h / r.h});
    if (s < 1) {
        double cx = r.x + r.w / 2, cy = r.y + r.h / 2;
        r.w *= s;
        r.h *= s;
        r.x = cx - r.w / 2;
        r.y = cy - r.h / 2;
        changed = true;
    }
    double x = std::clamp(r.x, page.x, page.x + page.w - r.w);
    double y = std::clamp(r.y, page.y, page.y + page.h - r.h);
    if (std::fabs(x - r.x) > 1e-6 || std::fabs(y - r.y) > 1e-6)
        changed = true;
    r.x = x;
    r.y = y;
    return r;
}

Rect moved(Rect r, Side side, double by) {
    switch (side) {
    case Side::Below:
        r.y -= by;
        break;
    case Side::Above:
        r.y += by;
        break;
    case Side::Left:
        r.x -= by;
        break;
    case Side::Right:
        r.x += by;
        break;
    case Side::Over:
        break;
    }
    return r;
}

// How far `r` must move along the side's direction for its near edge to pass obstacle `o`;
// negative when `o` is not in its path.
double slide_past(const Rect& r, const Rect& o, Side side) {
    bool vertical = side == Side::Below || side == Side::Above;
    bool in_path =
        vertical ? (o.x < r.x + r.w && r.x < o.x + o.w) : (o.y < r.y + r.h && r.y < o.y + o.h);
    if (!in_path)
        return -1;
    switch (side) {
    case Side::Below:
        return (r.y + r.h) - o.y + kClearance;
    case Side::Above:
        return (o.y + o.h) - r.y + kClearance;
    case Side::Left:
        return (r.x + r.w) - o.x + kClearance;
    case Side::Right:
        return (o.x + o.w) - r.x + kClearance;
    case Side::Over:
        break;
    }
    return -1;
}

bool covers_any(const Rect& r, const std::vector<Rect>& obstacles) {
    for (const Rect& o : obstacles)
        if (overlap_area(r, o) > 0)
            return true;
    return false;
}

Proposal text_rules(const Rect& keyword, const Rect& page, const PlacementPolicy& policy,
                    const std::vector<Rect>& obstacles, const std::vector<Rect>& annotations,
                    Proposal p);

// Shifted across the side's direction (along the text for below/above): "beside".
Rect aside(Rect r, Side side, double by) {
    if (side == Side::Below || side == Side::Above)
        r.x += by;
    else
        r.y += by;
    return r;
}

// Where a box that overlaps annotation `o` is free of it when shifted across: past its far or
// near edge (both candidates, the nearer first).
std::vector<double> shifts_clear_of(const Rect& r, const Rect& o, Side side) {
    bool vertical = side == Side::Below || side == Side::Above;
    double after = vertical ? (o.x + o.w + kClearance) - r.x : (o.y + o.h + kClearance) - r.y;
    double before = vertical ? o.x - kClearance - (r.x + r.w) : o.y - kClearance - (r.y + r.h);
    std::vector<double> out{after, before};
    std::sort(out.begin(), out.end(),
              [](double a, double b) { return std::fabs(a) < std::fabs(b); });
    return out;
}

// An earlier signature (or another annotation) is in the way wherever the text rules put the
// box: look for free space near the keyword. Along the side, the box may slide past nearby text
// and annotations (up to three box depths); at each step it may shift across, beside whatever
// it would cover, the nearer side first; full size first, then shrinking down to half. Every
// candidate must be inside the page and clear of annotations and printed text alike.
bool place_clear_of_annotations(const Rect& keyword, const Rect& page,
                                const PlacementPolicy& policy, const std::vector<Rect>& text,
                                const std::vector<Rect>& annotations, Proposal& p) {
    bool vertical = policy.side == Side::Below || policy.side == Side::Above;
    std::vector<Rect> blocking = annotations;
    blocking.insert(blocking.end(), text.begin(), text.end());
    for (double scale : {1.0, 0.9, 0.8, 0.7, 0.6, 0.5}) {
        double w = policy.width * scale, h = policy.height * scale;
        Rect start = beside(keyword, policy.side, policy.offset, w, h);
        const double depth = vertical ? h : w;
        const double breadth = vertical ? w : h;
        std::vector<double> slides{0};
        for (const Rect& o : blocking) {
            double s = slide_past(start, o, policy.side);
            if (s > 0 && s <= 3 * depth)
                slides.push_back(s);
        }
        std::sort(slides.begin(), slides.end());
        slides.erase(std::unique(slides.begin(), slides.end()), slides.end());
        for (double s : slides) {
            Rect along = moved(start, policy.side, s);
            std::vector<double> across{0};
            for (const Rect& o : blocking)
                if (overlap_area(along, o) > 0)
                    for (double d : shifts_clear_of(along, o, policy.side))
                        if (std::fabs(d) <= 2 * breadth)
                            across.push_back(d);
            std::sort(across.begin(), across.end(),
                      [](double x, double y) { return std::fabs(x) < std::fabs(y); });
            for (double d : across) {
                bool clamped = false;
                Rect r = inside_page(aside(along, policy.side, d), page, clamped);
                if (covers_any(r, blocking))
                    continue;
                p.box = r;
                p.moved = s;
                p.aside = d;
                p.scale = scale;
                p.clamped = clamped;
                p.overlaps_text = false;
                p.overlaps_annotation = false;
                return true;
            }
        }
    }
    return false;
}

// The policy in the text's upright frame; the caller turns the boxes back.
Proposal propose_upright(const Rect& keyword, const Rect& page, const PlacementPolicy& policy,
                         const std::vector<Rect>& obstacles, const std::vector<Rect>& annotations) {
    Proposal p;
    p.requested = beside(keyword, policy.side, policy.offset, policy.width, policy.height);
    p.box = inside_page(p.requested, page, p.clamped);
    p = text_rules(keyword, page, policy, obstacles, annotations, p);
    if (!covers_any(p.box, annotations) || policy.side == Side::Over)
        return p;
    std::vector<Rect> text;
    for (const Rect& o : obstacles)
        if (o.w > 1 && o.h > 1)
            text.push_back(Rect{o.x + 0.5, o.y + 0.5, o.w - 1, o.h - 1});
    if (!place_clear_of_annotations(keyword, page, policy, text, annotations, p))
        p.overlaps_annotation = true;
    return p;
}

// The rules for printed text: slide past the nearby text, shrinking if need be. Annotations are
// obstacles too for every box tried here.
Proposal text_rules(const Rect& keyword, const Rect& page, const PlacementPolicy& policy,
                    const std::vector<Rect>& obstacles, const std::vector<Rect>& annotations,
                    Proposal p) {

    // Text boxes shrunk a little, so that text merely touching the box does not count.
    std::vector<Rect> text;
    text.reserve(obstacles.size());
    for (const Rect& o : obstacles)
        if (o.w > 1 && o.h > 1)
            text.push_back(Rect{o.x + 0.5, o.y + 0.5, o.w - 1, o.h - 1});
    if (!covers_any(p.box, text))
        return p;
    if (!policy.avoid_text || policy.side == Side::Over) {
        p.overlaps_text = true;
        return p;
    }

    bool vertical = policy.side == Side::Below || policy.side == Side::Above;
    // Past the nearby text only: a box further away than its own depth no longer reads as
    // belonging to the keyword.
    const double limit = std::min(vertical ? policy.height : policy.width, 144.0);
    // Every box tried lies in the sweep of the full-size box (shrunk ones keep their near edge
    // and centre), so only text in that sweep matters, unless the page edge pushed a box back.
    const Rect full = beside(keyword, policy.side, policy.offset, policy.width, policy.height);
    const Rect sweep = unite(full, moved(full, policy.side, limit));
    std::vector<Rect> near;
    for (const Rect& o : text)
        if (overlap_area(o, sweep) > 0)
            near.push_back(o);
    for (double scale : {1.0, 0.9, 0.8, 0.7, 0.6, 0.5}) {
        double w = policy.width * scale, h = policy.height * scale;
        // Shrunk boxes keep their near edge at the offset from the keyword.
        Rect start = beside(keyword, policy.side, policy.offset, w, h);
        std::vector<double> slides{0};
        for (const Rect& o : near) {
            double s = slide_past(start, o, policy.side);
            if (s > 0 && s <= limit)
                slides.push_back(s);
        }
        std::sort(slides.begin(), slides.end());
        for (double s : slides) {
            bool clamped = false;
            Rect r = inside_page(moved(start, policy.side, s), page, clamped);
            if (covers_any(r, clamped ? text : near) || covers_any(r, annotations))
                continue;
            p.box = r;
            p.moved = s;
            p.scale = scale;
            p.clamped = clamped;
            return p;
        }
    }
    p.overlaps_text = true;
    return p;
}

Rect turn_ccw(const Rect& r) {
    return Rect{-(r.y + r.h), r.x, r.h, r.w};
}

Rect turn_cw(const Rect& r) {
    return Rect{r.y, -(r.x + r.w), r.h, r.w};
}

} // namespace

Rect to_text_frame(const Rect& r, int rotation) {
    Rect out = r;
    for (int i = 0; i < (rotation & 3); ++i)
        out = turn_ccw(out);
    return out;
}

Rect from_text_frame(const Rect& r, int rotation) {
    Rect out = r;
    for (int i = 0; i < (rotation & 3); ++i)
        out = turn_cw(out);
    return out;
}

Proposal propose_box(const Rect& keyword, const PageGeometry& page, const PlacementPolicy& policy,
                     const std::vector<Rect>& obstacles, int text_rotation,
                     const std::vector<Rect>& annotations) {
    if (!(policy.width > 0) || !(policy.height > 0))
        throw usage_error("the signature box needs a positive width and height");
    if (!(policy.offset >= 0))
        throw usage_error("the offset must be at least 0 points");
    const int r = text_rotation & 3;
    auto turn_all = [r](const std::vector<Rect>& boxes) {
        std::vector<Rect> out;
        out.reserve(boxes.size());
        for (const Rect& o : boxes)
            out.push_back(to_text_frame(o, r));
        return out;
    };
    Proposal p = propose_upright(to_text_frame(keyword, r),
                                 to_text_frame(Rect{0, 0, page.width, page.height}, r), policy,
                                 turn_all(obstacles), turn_all(annotations));
    p.box = from_text_frame(p.box, r);
    p.requested = from_text_frame(p.requested, r);
    return p;
}

} // namespace neac::place
