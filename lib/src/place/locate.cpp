#include "neac/place/locate.hpp"

#include "neac/pdf/document.hpp"
#include "neac/pdf/fields.hpp"
#include "neac/place/report.hpp"
#include "neac/util/text.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include <qpdf/QPDFPageObjectHelper.hh>
#include <spdlog/spdlog.h>

namespace neac::place {
namespace {

// The printed text the box of match `m` could run into: words other than the keyword's own
// within reach of the policy (its slide and shrink never take the box further).
std::vector<Rect> obstacles_for(const std::vector<Rect>& words, const KeywordMatch& m,
                                const PlacementPolicy& policy) {
    const double reach = policy.offset + 3 * std::max(policy.width, policy.height);
    const Rect area{m.box.x - reach, m.box.y - reach, m.box.w + 2 * reach, m.box.h + 2 * reach};
    std::vector<Rect> out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const Rect& b = words[i];
        if (overlap_area(b, area) <= 0)
            continue;
        if (std::find(m.words.begin(), m.words.end(), i) == m.words.end())
            out.push_back(b);
    }
    return out;
}

// poppler's reading order is right for upright text but not for every turned one (text running
// up the displayed page comes out last line first), so matches in turned text are ordered by
// their place in the text's own upright frame: top to bottom, then left to right.
void in_reading_order(std::vector<KeywordMatch>& matches) {
    if (std::all_of(matches.begin(), matches.end(),
                    [](const KeywordMatch& m) { return m.rotation == 0; }))
        return;
    std::stable_sort(matches.begin(), matches.end(),
                     [](const KeywordMatch& a, const KeywordMatch& b) {
                         Rect ra = to_text_frame(a.box, a.rotation);
                         Rect rb = to_text_frame(b.box, b.rotation);
                         double tol = std::min(ra.h, rb.h) / 2;
                         if (std::fabs((ra.y + ra.h) - (rb.y + rb.h)) > tol)
                             return ra.y + ra.h > rb.y + rb.h;
                         return ra.x < rb.x;
                     });
}

// Boxes of the visible annotations on the pages that have matches (an earlier signature, a
// stamp), in displayed coordinates: the new box must not cover them either. poppler-cpp does not
// list annotations, so they come from QPDF's reading of the file (PageSource::page_object); a
// file QPDF cannot read simply has none here.
class AnnotationBoxes {
public:
    explicit AnnotationBoxes(const PageSource& source) : source_(source) {}

    const std::vector<Rect>& on(const PageGeometry& g) {
        auto it = cache_.find(g.number);
        if (it != cache_.end())
            return it->second;
        std::vector<Rect>& out = cache_[g.number];
        try {
            QPDFObjectHandle page = source_.page_object(g.number);
            QPDFObjectHandle annots =
                page.isDictionary() ? page.getKey("/Annots") : QPDFObjectHandle::newNull();
            if (!annots.isArray())
                return out;
            for (QPDFObjectHandle a : annots.aitems()) {
                if (!a.isDictionary() || !a.getKey("/Rect").isRectangle())
                    continue;
                QPDFObjectHandle type = a.getKey("/Subtype");
                if (type.isNameAndEquals("/Link") || type.isNameAndEquals("/Popup"))
                    continue;
                QPDFObjectHandle flags = a.getKey("/F");
                if (flags.isInteger() && (flags.getIntValue() & 2)) // hidden
                    continue;
                auto r = a.getKey("/Rect").getArrayAsRectangle();
                Rect user{std::min(r.llx, r.urx), std::min(r.lly, r.ury), std::fabs(r.urx - r.llx),
                          std::fabs(r.ury - r.lly)};
                if (user.w > 1 && user.h > 1)
                    out.push_back(g.to_displayed(user));
            }
        } catch (const std::exception& e) {
            spdlog::debug("{}: annotations not read: {}", source_.path().string(), e.what());
        }
        return out;
    }

private:
    const PageSource& source_;
    std::map<int, std::vector<Rect>> cache_;
};

std::string in_quotes(const std::string& s) {
    return "\"" + s + "\"";
}

// The text of the pages read so far, when several keywords are tried over the same pages.
class PageTexts {
public:
    PageTexts(const PageSource& source, bool keep) : source_(source), keep_(keep) {}

    const PageText& text(int page) {
        auto it = kept_.find(page);
        if (it != kept_.end())
            return it->second;
        if (!keep_)
            return last_ = source_.text(page);
        return kept_.emplace(page, source_.text(page)).first->second;
    }

private:
    const PageSource& source_;
    bool keep_;
    std::map<int, PageText> kept_;
    PageText last_;
};

LocateResult locate_keyword(const PageSource& source, PageTexts& texts, const LocatorSpec& spec,
                            const std::string& keyword) {
    KeywordMatcher matcher(keyword, spec.ignore_diacritics);
    const Occurrence& occ = spec.occurrence;
    LocateResult result;
    result.file = source.path();
    result.page_count = source.page_count();
    result.keyword = keyword;
    result.key = matcher.key();
    if (spec.page < 0 || spec.page > result.page_count)
        throw usage_error("page " + std::to_string(spec.page) +
                          " does not exist: " + source.path().string() + " has " +
                          std::to_string(result.page_count) + " pages");

    // Pages in scan order, and whether the scan may stop early.
    std::vector<int> order;
    if (spec.page > 0) {
        order.push_back(spec.page);
    } else if (occ.kind == Occurrence::Kind::Last) {
        for (int p = result.page_count; p >= 1; --p)
            order.push_back(p);
    } else {
        for (int p = 1; p <= result.page_count; ++p)
            order.push_back(p);
    }
    const bool may_stop =
        spec.page == 0 && occ.kind != Occurrence::Kind::All && result.page_count > kFullScanPages;

    struct Found {
        KeywordMatch match;
        PageGeometry geometry;
        std::shared_ptr<const std::vector<Rect>> words; // the page's word boxes
    };
    std::vector<Found> found; // in scan order
    int count = 0;
    for (int p : order) {
        const PageText& text = texts.text(p);
        ++result.pages_scanned;
        result.has_text = result.has_text || !text.words.empty();
        std::vector<KeywordMatch> page_matches = matcher.find(text);
        in_reading_order(page_matches);
        if (found.empty() && page_matches.empty())
            matcher.near_misses(text, result.candidates);
        if (occ.kind == Occurrence::Kind::Last)
            std::reverse(page_matches.begin(), page_matches.end());
        if (!page_matches.empty()) {
            auto boxes = std::make_shared<std::vector<Rect>>();
            boxes->reserve(text.words.size());
            for (const Word& w : text.words)
                boxes->push_back(w.box);
            for (KeywordMatch& m : page_matches)
                found.push_back(Found{std::move(m), text.geometry, boxes});
        }
        count += static_cast<int>(page_matches.size());
        if (may_stop) {
            bool enough = (occ.kind == Occurrence::Kind::Nth) ? count >= occ.n : count >= 1;
            if (enough)
                break;
        }
    }
    if (!found.empty())
        result.candidates.clear();
    if (occ.kind == Occurrence::Kind::Last)
        std::reverse(found.begin(), found.end()); // back to document order
    const bool complete = spec.page > 0 || result.pages_scanned == result.page_count;
    if (complete)
        result.total = count;

    // Which of the found matches the occurrence selects (positions in `found`, document order).
    std::vector<std::size_t> chosen;
    if (!found.empty()) {
        switch (occ.kind) {
        case Occurrence::Kind::All:
            for (std::size_t i = 0; i < found.size(); ++i)
                chosen.push_back(i);
            break;
        case Occurrence::Kind::First:
            chosen.push_back(0);
            break;
        case Occurrence::Kind::Last:
            chosen.push_back(found.size() - 1);
            break;
        case Occurrence::Kind::Nth:
            if (static_cast<std::size_t>(occ.n) <= found.size())
                chosen.push_back(static_cast<std::size_t>(occ.n - 1));
            break;
        }
    }
    // Match numbers are known when the scan covered the document, or started at its beginning
    // (a restricted page counts only its own matches).
    const bool numbered = complete || occ.kind != Occurrence::Kind::Last;
    AnnotationBoxes annotations(source);
    for (std::size_t i = 0; i < found.size(); ++i) {
        if (std::find(chosen.begin(), chosen.end(), i) == chosen.end()) {
            result.others.push_back(found[i].match);
            continue;
        }
        LocatedMatch lm;
        lm.index = numbered ? static_cast<int>(i) + 1 : 0;
        lm.page = found[i].geometry;
        std::vector<Rect> obstacles = obstacles_for(*found[i].words, found[i].match, spec.policy);
        lm.proposal = propose_box(found[i].match.box, lm.page, spec.policy, obstacles,
                                  found[i].match.rotation, annotations.on(lm.page));
        lm.match = std::move(found[i].match);
        result.matches.push_back(std::move(lm));
    }
    spdlog::debug("locate {} \"{}\": {} page(s) scanned, {} match(es), {} selected",
                  source.path().string(), keyword, result.pages_scanned, count,
                  result.matches.size());
    return result;
}

} // namespace

LocateResult locate(const PageSource& source, const LocatorSpec& spec) {
    if (spec.keywords.empty())
        throw usage_error("no keyword to locate");
    PageTexts texts(source, spec.keywords.size() > 1);
    LocateResult result;
    std::vector<Candidate> near_misses;
    for (const std::string& keyword : spec.keywords) {
        result = locate_keyword(source, texts, spec, keyword);
        if (!result.matches.empty())
            return result;
        near_misses.insert(near_misses.end(), result.candidates.begin(), result.candidates.end());
    }
    result.candidates = std::move(near_misses);
    return result;
}

LocateResult locate(const std::filesystem::path& file, const LocatorSpec& spec) {
    PageSource source(file);
    return locate(source, spec);
}

Error no_match_error(const LocateResult& r, const LocatorSpec& spec) {
    std::string where = spec.page > 0 ? "on page " + std::to_string(spec.page)
                                      : "in " + std::to_string(r.page_count) + " page" +
                                            (r.page_count == 1 ? "" : "s");
    int seen = static_cast<int>(r.matches.size() + r.others.size());
    if (seen > 0 && spec.occurrence.kind == Occurrence::Kind::Nth) {
        return input_error("the keyword " + in_quotes(r.keyword) + " occurs " +
                           std::to_string(seen) + " time" + (seen == 1 ? "" : "s") + " " + where +
                           "; there is no match " + std::to_string(spec.occurrence.n))
            .file(r.file.string())
            .hint("use --occurrence last, or a number from 1 to " + std::to_string(seen));
    }
    std::string message =
        spec.keywords.size() == 1
            ? "the keyword " + in_quotes(r.keyword) + " was not found " + where
            : "none of the keywords " + quoted_list(spec.keywords) + " was found " + where;
    std::string hint;
    if (!r.has_text) {
        message += ": the document has no text layer (a scan?)";
        hint = "give the position instead (--rect, or --fallback-rect when signing)";
    } else if (r.candidates.empty()) {
        message += ", and nothing similar either";
        hint = "check the keyword against the document's text (pdftotext FILE -), or give the "
               "position with --rect";
    } else {
        message += "; closest:";
        bool diacritics = false, inside = false;
        for (const Candidate& c : r.candidates) {
            message += "\n    page " + std::to_string(c.page) + ": " + in_quotes(c.text) +
                       (c.count > 1 ? " (" + std::to_string(c.count) + " times)" : "");
            if (c.same_without_diacritics) {
                message += " (differs only in diacritics)";
                diacritics = true;
            } else if (c.inside_word) {
                message += " (inside a longer word)";
                inside = true;
            } else {
                message += " (" + std::to_string(c.distance) + " letter" +
                           (c.distance == 1 ? "" : "s") + " differ)";
            }
        }
        if (diacritics && !spec.ignore_diacritics)
            hint = "add --ignore-diacritics, or correct the keyword's diacritics";
        else if (inside)
            hint = "a keyword matches whole words only: use the whole word";
        else
            hint = "correct the keyword (it is compared without case and spacing)";
    }
    return input_error(message).file(r.file.string()).hint(hint);
}

namespace {

// The geometry pdf::prepare_signature_revision uses for a page: /CropBox as written (else
// /MediaBox), and /Rotate, both inherited through the page tree.
PageGeometry signing_geometry(pdf::Document& doc, int number) {
    std::vector<QPDFObjectHandle> pages = pdf::page_dictionaries(doc.qpdf());
    if (number < 1 || number > static_cast<int>(pages.size()))
        throw input_error("poppler and QPDF disagree about the page count (" +
                          std::to_string(pages.size()) + " pages)")
            .file(doc.path().string())
            .hint("repair the file (qpdf in.pdf repaired.pdf) and sign that");
    QPDFPageObjectHelper page(pages[static_cast<std::size_t>(number - 1)]);
    PageGeometry g;
    g.number = number;
    QPDFObjectHandle box = page.getAttribute("/CropBox", false);
    if (!box.isRectangle())
        box = page.getAttribute("/MediaBox", false);
    Rect r{0, 0, 612, 792};
    if (box.isRectangle()) {
        QPDFObjectHandle::Rectangle b = box.getArrayAsRectangle();
        r = Rect{std::min(b.llx, b.urx), std::min(b.lly, b.ury), std::fabs(b.urx - b.llx),
                 std::fabs(b.ury - b.lly)};
    }
    g.crop = g.media = r;
    QPDFObjectHandle rot = page.getAttribute("/Rotate", false);
    long long rotate = rot.isInteger() ? rot.getIntValue() % 360 : 0;
    if (rotate < 0)
        rotate += 360;
    g.rotate = static_cast<int>(rotate / 90 * 90);
    g.width = g.rotate % 180 == 0 ? r.w : r.h;
    g.height = g.rotate % 180 == 0 ? r.h : r.w;
    return g;
}

} // namespace

SignaturePosition resolve_signature_position(pdf::Document& doc, const LocatorSpec& spec) {
    if (spec.occurrence.kind == Occurrence::Kind::All)
        throw usage_error("--occurrence all selects every match, but a file gets one signature")
            .hint("use first, last or a match number");
    LocateResult r = locate(doc.path(), spec);
    SignaturePosition pos;
    if (r.matches.empty()) {
        if (!spec.fallback)
            throw no_match_error(r, spec);
        pos.fallback = true;
        pos.page = spec.page > 0 ? spec.page : r.page_count;
        pos.rect = *spec.fallback;
        pos.note = spec.keywords.size() == 1 ? "keyword not found: the fallback box"
                                             : "no keyword found: the fallback box";
        spdlog::info("{}: {} not found; using the fallback box on page {}", doc.path().string(),
                     quoted_list(spec.keywords, " or "), pos.page);
        return pos;
    }
    const LocatedMatch& m = r.matches.front();
    // Text is a conflict only while the policy avoids it (--no-avoid-text asks for the box as it
    // stands); an earlier signature or annotation always is.
    bool covers_text = m.proposal.overlaps_text && spec.policy.avoid_text;
    if ((m.proposal.overlaps_annotation || covers_text) && !spec.allow_overlap)
        throw input_error("no free space near the keyword " + in_quotes(r.keyword) + " on page " +
                          std::to_string(m.page.number) + ": every box tried covers " +
                          (m.proposal.overlaps_annotation
                               ? "an earlier signature or another annotation"
                               : "printed text"))
            .file(doc.path().string())
            .hint("move the signature with --placement/--offset/--box, give --rect, or sign "
                  "over it with --allow-overlap");
    pos.note = adjustment_text(m.proposal, spec.policy);
    pos.page = m.page.number;
    Rect user = m.page.to_user(m.proposal.box);
    pos.rect = signing_geometry(doc, pos.page).to_displayed(user);
    pos.match = m;
    pos.keyword = r.keyword;
    pos.text_rotation = m.match.rotation;
    spdlog::info("{}: keyword \"{}\" on page {}; signature box {},{},{},{}", doc.path().string(),
                 r.keyword, pos.page, pos.rect.x, pos.rect.y, pos.rect.w, pos.rect.h);
    return pos;
}

} // namespace neac::place
