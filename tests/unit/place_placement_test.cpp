// The placement policy and page geometry: sides, clamping, sliding past and shrinking between
// printed text, rotated pages and text, and displayed <-> user space conversions.
#include "neac/place/placement.hpp"
#include "neac/util/error.hpp"

#include <gtest/gtest.h>

using namespace neac;
using namespace neac::place;

namespace {

PageGeometry a4(int rotate = 0, Rect crop = Rect{0, 0, 595, 842}) {
    PageGeometry g;
    g.number = 1;
    g.rotate = rotate;
    g.media = Rect{0, 0, 595, 842};
    g.crop = crop;
    g.width = rotate % 180 == 0 ? crop.w : crop.h;
    g.height = rotate % 180 == 0 ? crop.h : crop.w;
    return g;
}

void expect_rect(const Rect& r, double x, double y, double w, double h) {
    EXPECT_NEAR(r.x, x, 1e-9);
    EXPECT_NEAR(r.y, y, 1e-9);
    EXPECT_NEAR(r.w, w, 1e-9);
    EXPECT_NEAR(r.h, h, 1e-9);
}

const Rect kKeyword{300, 400, 100, 15}; // centre x 350, centre y 407.5

} // namespace

TEST(PlacePolicy, EachSideOfTheKeyword) {
    PlacementPolicy p;
    p.width = 180;
    p.height = 60;
    p.offset = 4;
    p.side = Side::Below;
    expect_rect(propose_box(kKeyword, a4(), p, {}).box, 260, 336, 180, 60);
    p.side = Side::Above;
    expect_rect(propose_box(kKeyword, a4(), p, {}).box, 260, 419, 180, 60);
    p.side = Side::Left;
    expect_rect(propose_box(kKeyword, a4(), p, {}).box, 116, 377.5, 180, 60);
    p.side = Side::Right;
    expect_rect(propose_box(kKeyword, a4(), p, {}).box, 404, 377.5, 180, 60);
    p.side = Side::Over;
    expect_rect(propose_box(kKeyword, a4(), p, {}).box, 260, 377.5, 180, 60);
    EXPECT_EQ(parse_side("left"), Side::Left);
    EXPECT_THROW(parse_side("under"), Error);
}

TEST(PlacePolicy, StaysInsideThePage) {
    PlacementPolicy p; // 180 x 60 below
    Proposal near_edge = propose_box(Rect{500, 20, 80, 12}, a4(), p, {});
    EXPECT_TRUE(near_edge.clamped);
    expect_rect(near_edge.box, 595 - 180, 0, 180, 60);
    expect_rect(near_edge.requested, 450, -44, 180, 60);

    p.width = 1000; // larger than the page: shrunk, aspect kept
    Proposal huge = propose_box(kKeyword, a4(), p, {});
    EXPECT_TRUE(huge.clamped);
    EXPECT_NEAR(huge.box.w, 595, 1e-9);
    EXPECT_NEAR(huge.box.h, 60 * 0.595, 1e-9);
}

TEST(PlacePolicy, SlidesPastTheHintLineUnderTheTitle) {
    PlacementPolicy p; // 180 x 60 below, offset 4
    // "(Ký, ghi rõ họ tên)" right under the keyword, the printed name far below.
    std::vector<Rect> text{Rect{310, 383, 80, 15}, Rect{320, 200, 60, 15}};
    Proposal r = propose_box(kKeyword, a4(), p, text);
    EXPECT_FALSE(r.overlaps_text);
    EXPECT_DOUBLE_EQ(r.scale, 1);
    EXPECT_NEAR(r.box.y + r.box.h, 383 + 0.5 - 2, 1e-9); // just under the hint line
    EXPECT_NEAR(r.moved, 396 - 381.5, 1e-9);
}

TEST(PlacePolicy, ShrinksToFitBetweenTextLines) {
    PlacementPolicy p;
    // Only 45 pt between the hint line and the printed name.
    std::vector<Rect> text{Rect{310, 383, 80, 15}, Rect{320, 320, 60, 15}};
    Proposal r = propose_box(kKeyword, a4(), p, text);
    EXPECT_FALSE(r.overlaps_text);
    EXPECT_LT(r.scale, 1);
    EXPECT_GE(r.scale, 0.5);
    EXPECT_NEAR(r.box.w / r.box.h, 3, 1e-9); // aspect ratio kept
    EXPECT_GT(r.box.y, 335 - 0.5);           // clear of the name
    EXPECT_LT(r.box.y + r.box.h, 383.5);     // and of the hint line
}

TEST(PlacePolicy, ReportsTextItCannotAvoid) {
    PlacementPolicy p;
    std::vector<Rect> wall;
    for (double y = 0; y < 400; y += 10)
        wall.push_back(Rect{0, y, 595, 9.5});
    Proposal r = propose_box(kKeyword, a4(), p, wall);
    EXPECT_TRUE(r.overlaps_text);
    expect_rect(r.box, 260, 336, 180, 60);
    p.avoid_text = false;
    Proposal fixed = propose_box(kKeyword, a4(), p, {Rect{310, 383, 80, 15}});
    EXPECT_TRUE(fixed.overlaps_text);
    expect_rect(fixed.box, 260, 336, 180, 60);
}

bool overlaps(const Rect& a, const Rect& b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

TEST(PlacePolicy, SecondSignerGoesBesideTheFirst) {
    PlacementPolicy p; // below, 180 x 60, offset 4
    Proposal first = propose_box(kKeyword, a4(), p, {});
    Proposal second = propose_box(kKeyword, a4(), p, {}, 0, {first.box});
    EXPECT_FALSE(overlaps(second.box, first.box));
    EXPECT_FALSE(second.overlaps_annotation);
    EXPECT_NE(second.aside, 0); // beside, at the same height
    EXPECT_NEAR(second.box.y, first.box.y, 1e-9);
    Proposal third = propose_box(kKeyword, a4(), p, {}, 0, {first.box, second.box});
    EXPECT_FALSE(overlaps(third.box, first.box));
    EXPECT_FALSE(overlaps(third.box, second.box));
    EXPECT_FALSE(third.overlaps_annotation);
}

TEST(PlacePolicy, BelowTheFirstWhenNothingFitsBeside) {
    // A narrow page: no room beside the first signature, so the next one goes under it.
    PageGeometry narrow = a4(0, Rect{0, 0, 240, 842});
    PlacementPolicy p;
    Rect keyword{70, 400, 100, 15};
    Proposal first = propose_box(keyword, narrow, p, {});
    Proposal second = propose_box(keyword, narrow, p, {}, 0, {first.box});
    EXPECT_FALSE(second.overlaps_annotation);
    EXPECT_FALSE(overlaps(second.box, first.box));
    EXPECT_LT(second.box.y + second.box.h, first.box.y + 1e-9);
    EXPECT_GT(second.moved, 0);
}

TEST(PlacePolicy, NeverOverTextWhenMovingAside) {
    PlacementPolicy p;
    Proposal first = propose_box(kKeyword, a4(), p, {});
    // Printed text fills both sides of the first signature at its height.
    std::vector<Rect> text{{0, first.box.y, first.box.x - 1, 60},
                           {first.box.x + first.box.w + 1, first.box.y, 300, 60}};
    Proposal second = propose_box(kKeyword, a4(), p, text, 0, {first.box});
    EXPECT_FALSE(second.overlaps_annotation);
    EXPECT_FALSE(overlaps(second.box, first.box));
    for (const Rect& t : text)
        EXPECT_FALSE(overlaps(second.box, t));
}

TEST(PlacePolicy, ReportsAnAnnotationItCannotAvoid) {
    PlacementPolicy p;
    // The whole neighbourhood is one big stamp.
    Rect stamp{0, 0, 595, 842};
    Proposal pr = propose_box(kKeyword, a4(), p, {}, 0, {stamp});
    EXPECT_TRUE(pr.overlaps_annotation);
}

TEST(PlacePolicy, FollowsTextRunningDownARotatedPage) {
    // Text turned a quarter clockwise on the displayed page: "below" is to the left, and the
    // box's width runs down the page.
    PageGeometry g = a4(90);
    Rect keyword{381, 142, 17, 78}; // a word running down
    PlacementPolicy p;
    Proposal r = propose_box(keyword, g, p, {}, 1);
    EXPECT_NEAR(r.box.w, 60, 1e-9);
    EXPECT_NEAR(r.box.h, 180, 1e-9);
    EXPECT_NEAR(r.box.x + r.box.w, 381 - 4, 1e-9);
    EXPECT_NEAR(r.box.y + r.box.h / 2, 142 + 39, 1e-9);
    for (int rot = 0; rot < 4; ++rot) {
        Rect t = to_text_frame(keyword, rot);
        Rect back = from_text_frame(t, rot);
        expect_rect(back, keyword.x, keyword.y, keyword.w, keyword.h);
    }
}

TEST(PlaceGeometry, DisplayedAndUserSpaceRoundTrip) {
    Rect crop{50, 100, 500, 650};
    Rect v{10, 20, 180, 60};
    for (int rotate : {0, 90, 180, 270}) {
        PageGeometry g = a4(rotate, crop);
        Rect u = g.to_user(v);
        Rect back = g.to_displayed(u);
        expect_rect(back, v.x, v.y, v.w, v.h);
        // Inside the crop box.
        EXPECT_GE(u.x, crop.x);
        EXPECT_GE(u.y, crop.y);
        EXPECT_LE(u.x + u.w, crop.x + crop.w + 1e-9);
        EXPECT_LE(u.y + u.h, crop.y + crop.h + 1e-9);
    }
    // The displayed bottom-left corner is where /Rotate puts it.
    expect_rect(a4(0, crop).to_user(Rect{0, 0, 1, 1}), 50, 100, 1, 1);
    expect_rect(a4(90, crop).to_user(Rect{0, 0, 1, 1}), 549, 100, 1, 1);
    expect_rect(a4(180, crop).to_user(Rect{0, 0, 1, 1}), 549, 749, 1, 1);
    expect_rect(a4(270, crop).to_user(Rect{0, 0, 1, 1}), 50, 749, 1, 1);
}

TEST(PlaceGeometry, BoxHelpers) {
    expect_rect(unite(Rect{0, 0, 1, 1}, Rect{2, 3, 1, 1}), 0, 0, 3, 4);
    expect_rect(unite(Rect{}, Rect{2, 3, 1, 1}), 2, 3, 1, 1);
    EXPECT_DOUBLE_EQ(overlap_area(Rect{0, 0, 2, 2}, Rect{1, 1, 2, 2}), 1);
    EXPECT_DOUBLE_EQ(overlap_area(Rect{0, 0, 1, 1}, Rect{1, 0, 1, 1}), 0);
}
