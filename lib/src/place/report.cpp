#include "neac/place/report.hpp"

#include "neac/util/text.hpp"

#include <cmath>
#include <cstdio>

namespace neac::place {
namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", std::round(v * 100) / 100 + 0.0);
    std::string s = buf;
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
        bool dot = s.back() == '.';
        s.pop_back();
        if (dot)
            break;
    }
    return s == "-0" ? "0" : s;
}

nlohmann::json box(const Rect& r) {
    auto round2 = [](double v) { return std::round(v * 100) / 100 + 0.0; };
    return nlohmann::json::array({round2(r.x), round2(r.y), round2(r.w), round2(r.h)});
}

nlohmann::json corners(const Rect& r) {
    auto round2 = [](double v) { return std::round(v * 100) / 100 + 0.0; };
    return nlohmann::json::array({round2(r.x), round2(r.y), round2(r.x + r.w), round2(r.y + r.h)});
}

std::string size_text(const Rect& r) {
    return num(r.x) + "," + num(r.y) + " " + num(r.w) + "x" + num(r.h);
}

bool differs(const Rect& a, const Rect& b) {
    return std::fabs(a.x - b.x) > 0.005 || std::fabs(a.y - b.y) > 0.005 ||
           std::fabs(a.w - b.w) > 0.005 || std::fabs(a.h - b.h) > 0.005;
}

const char* away(Side side) {
    switch (side) {
    case Side::Below:
        return "down";
    case Side::Above:
        return "up";
    case Side::Left:
        return "left";
    case Side::Right:
        return "right";
    case Side::Over:
        break;
    }
    return "";
}

} // namespace

std::string adjustment_text(const Proposal& p, const PlacementPolicy& policy) {
    std::vector<std::string> notes;
    if (p.moved > 0)
        notes.push_back("moved " + num(p.moved) + " pt " + away(policy.side) +
                        " to clear printed text");
    if (p.aside != 0)
        notes.push_back("moved " + num(std::fabs(p.aside)) +
                        " pt beside an earlier signature or annotation");
    if (p.scale < 1)
        notes.push_back("shrunk to " + num(p.scale * 100) + "% to fit between text");
    if (p.clamped)
        notes.push_back("kept inside the page");
    if (p.overlaps_annotation)
        notes.push_back("covers an earlier signature or annotation (no free space nearby: "
                        "sign refuses it without --allow-overlap)");
    if (p.overlaps_text)
        notes.push_back("covers printed text (no clear spot nearby)");
    std::string out;
    for (const auto& n : notes)
        out += (out.empty() ? "" : "; ") + n;
    return out;
}

std::string rect_text(const Rect& r) {
    return num(r.x) + "," + num(r.y) + "," + num(r.w) + "," + num(r.h);
}

nlohmann::json locate_to_json(const LocateResult& r, const LocatorSpec& spec,
                              const std::vector<std::filesystem::path>& previews) {
    nlohmann::json matches = nlohmann::json::array();
    for (const LocatedMatch& m : r.matches) {
        const PageGeometry& g = m.page;
        nlohmann::json lines = nlohmann::json::array();
        for (const Rect& l : m.match.lines)
            lines.push_back(box(l));
        matches.push_back(
            {{"index", m.index > 0 ? nlohmann::json(m.index) : nlohmann::json(nullptr)},
             {"page", g.number},
             {"text", m.match.text},
             {"page_geometry",
              {{"width", std::round(g.width * 100) / 100},
               {"height", std::round(g.height * 100) / 100},
               {"rotate", g.rotate},
               {"media_box", corners(g.media)},
               {"crop_box", corners(g.crop)}}},
             {"keyword_box",
              {{"displayed", box(m.match.box)}, {"user", box(g.to_user(m.match.box))}}},
             {"keyword_lines", lines},
             {"signature_box",
              {{"displayed", box(m.proposal.box)}, {"user", box(g.to_user(m.proposal.box))}}},
             {"requested_box", box(m.proposal.requested)},
             {"adjusted",
              {{"moved", std::round(m.proposal.moved * 100) / 100},
               {"scale", m.proposal.scale},
               {"clamped", m.proposal.clamped},
               {"aside", std::round(m.proposal.aside * 100) / 100},
               {"overlaps_text", m.proposal.overlaps_text},
               {"overlaps_annotation", m.proposal.overlaps_annotation}}},
             {"sign_args",
              {"--page", std::to_string(g.number), "--rect", rect_text(m.proposal.box)}}});
    }
    nlohmann::json others = nlohmann::json::array();
    for (const KeywordMatch& m : r.others)
        others.push_back({{"page", m.page}, {"text", m.text}, {"displayed", box(m.box)}});
    nlohmann::json candidates = nlohmann::json::array();
    for (const Candidate& c : r.candidates)
        candidates.push_back({{"page", c.page},
                              {"text", c.text},
                              {"distance", c.distance},
                              {"differs_only_in_diacritics", c.same_without_diacritics},
                              {"inside_word", c.inside_word},
                              {"count", c.count},
                              {"displayed", box(c.box)}});
    nlohmann::json files = nlohmann::json::array();
    for (const auto& p : previews)
        files.push_back(p.string());
    const PlacementPolicy& pol = spec.policy;
    return {{"version", 1},
            {"file", r.file.string()},
            {"keyword", r.keyword},
            {"keywords", spec.keywords},
            {"search_key", r.key},
            {"ignore_diacritics", spec.ignore_diacritics},
            {"occurrence", spec.occurrence.name()},
            {"page_filter", spec.page > 0 ? nlohmann::json(spec.page) : nlohmann::json(nullptr)},
            {"page_count", r.page_count},
            {"pages_scanned", r.pages_scanned},
            {"total_matches", r.total ? nlohmann::json(*r.total) : nlohmann::json(nullptr)},
            {"placement",
             {{"position", side_name(pol.side)},
              {"offset", pol.offset},
              {"width", pol.width},
              {"height", pol.height},
              {"avoid_text", pol.avoid_text}}},
            {"coordinates",
             {{"displayed", "points from the bottom-left corner of the page as displayed "
                            "(/Rotate applied, CropBox origin); what neac sign --rect takes"},
              {"user", "default user space: the unrotated page, origin where the MediaBox "
                       "puts it"}}},
            {"matches", matches},
            {"other_matches", others},
            {"candidates", candidates},
            {"previews", files}};
}

std::string describe_locate(const LocateResult& r, const LocatorSpec& spec,
                            const std::vector<std::filesystem::path>& previews) {
    std::string out = r.file.string() + ": \"" + r.keyword + "\"";
    std::size_t seen = r.matches.size() + r.others.size();
    if (r.total)
        out += " found " + std::to_string(*r.total) + (*r.total == 1 ? " time" : " times");
    else
        out += " found (" + std::to_string(r.pages_scanned) + " of " +
               std::to_string(r.page_count) + " pages read)";
    if (spec.occurrence.kind == Occurrence::Kind::All)
        out += "; showing all";
    else if (seen > 1 || spec.occurrence.kind != Occurrence::Kind::Last)
        out += "; using " + (spec.occurrence.kind == Occurrence::Kind::Nth
                                 ? "match " + std::to_string(spec.occurrence.n)
                                 : "the " + spec.occurrence.name() + " one");
    out += "\n";
    if (spec.keywords.size() > 1)
        out += "keywords in order of preference: " + quoted_list(spec.keywords) + "\n";
    for (const LocatedMatch& m : r.matches) {
        const PageGeometry& g = m.page;
        out += "\n" + (m.index > 0 ? "match " + std::to_string(m.index) + ", " : "") + "page " +
               std::to_string(g.number) + " (" + num(g.width) + " x " + num(g.height) + " pt" +
               (g.rotate ? ", /Rotate " + std::to_string(g.rotate) : "") + ")\n";
        std::vector<std::vector<std::string>> rows;
        rows.push_back({"  keyword", size_text(m.match.box), "\"" + m.match.text + "\""});
        std::string policy = std::string(side_name(spec.policy.side)) + ", offset " +
                             num(spec.policy.offset) + " pt";
        std::string adjust = adjustment_text(m.proposal, spec.policy);
        rows.push_back({"  signature", size_text(m.proposal.box),
                        policy + (adjust.empty() ? "" : "; " + adjust)});
        Rect uk = g.to_user(m.match.box), us = g.to_user(m.proposal.box);
        if (differs(uk, m.match.box) || differs(us, m.proposal.box)) {
            rows.push_back({"  user space", size_text(uk), "keyword, unrotated page"});
            rows.push_back({"", size_text(us), "signature, unrotated page"});
        }
        rows.push_back(
            {"  sign with",
             "--page " + std::to_string(g.number) + " --rect " + rect_text(m.proposal.box), ""});
        out += format_table(rows);
    }
    if (!r.others.empty()) {
        out += "\nalso found (not used):";
        for (const KeywordMatch& m : r.others)
            out += " page " + std::to_string(m.page) + " at " + num(m.box.x) + "," + num(m.box.y) +
                   (&m == &r.others.back() ? "" : ";");
        out += "\n";
    }
    for (const auto& p : previews)
        out += "preview: " + p.string() + "\n";
    out += "\nboxes: x,y width x height in points from the bottom-left corner of the page as "
           "displayed (what --rect takes)\n";
    return out;
}

} // namespace neac::place
