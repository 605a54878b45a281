#include "neac/pdf/signature_field.hpp"

#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "neac/util/text.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>

namespace neac::pdf {
namespace {

constexpr const char* kByteRangePlaceholder = "[0 0000000000 0000000000 0000000000]";

std::string objref(QPDFObjectHandle h) {
    return ref(h.getObjectID(), h.getGeneration());
}

struct PageBox {
    double llx, lly, urx, ury;
    double width() const { return urx - llx; }
    double height() const { return ury - lly; }
};

PageBox crop_box(QPDFPageObjectHelper& page) {
    QPDFObjectHandle box = page.getAttribute("/CropBox", false);
    if (!box.isRectangle())
        box = page.getAttribute("/MediaBox", false);
    if (!box.isRectangle())
        return PageBox{0, 0, 612, 792}; // US Letter, the PDF default
    QPDFObjectHandle::Rectangle r = box.getArrayAsRectangle();
    return PageBox{std::min(r.llx, r.urx), std::min(r.lly, r.ury), std::max(r.llx, r.urx),
                   std::max(r.lly, r.ury)};
}

int page_rotation(QPDFPageObjectHelper& page) {
    QPDFObjectHandle rot = page.getAttribute("/Rotate", false);
    long long r = rot.isInteger() ? rot.getIntValue() : 0;
    r %= 360;
    if (r < 0)
        r += 360;
    return static_cast<int>(r / 90 * 90);
}

// Displayed-page coordinates -> default user space (see Placement::rect).
Rect to_user_space(const Rect& v, const PageBox& box, int rotate) {
    double W = box.width(), H = box.height();
    switch (rotate) {
    case 90:
        return Rect{box.llx + W - v.y - v.h, box.lly + v.x, v.h, v.w};
    case 180:
        return Rect{box.llx + W - v.x - v.w, box.lly + H - v.y - v.h, v.w, v.h};
    case 270:
        return Rect{box.llx + v.y, box.lly + H - v.x - v.w, v.h, v.w};
    default:
        return Rect{box.llx + v.x, box.lly + v.y, v.w, v.h};
    }
}

QPDFObjectHandle find_field(QPDFObjectHandle fields, const std::string& wanted,
                            const std::string& prefix, int depth, std::set<QPDFObjGen>& seen) {
    if (!fields.isArray() || depth > limits::kFieldTreeDepth)
        return QPDFObjectHandle::newNull();
    for (QPDFObjectHandle field : fields.aitems()) {
        if (!field.isDictionary())
            continue;
        if (field.isIndirect() && !seen.insert(field.getObjGen()).second)
            continue;
        QPDFObjectHandle t = field.getKey("/T");
        if (!t.isString())
            continue;
        std::string name = prefix.empty() ? t.getUTF8Value() : prefix + "." + t.getUTF8Value();
        if (name == wanted)
            return field;
        QPDFObjectHandle found = find_field(field.getKey("/Kids"), wanted, name, depth + 1, seen);
        if (!found.isNull())
            return found;
    }
    return QPDFObjectHandle::newNull();
}

// The value of an inheritable field attribute (/FT, /V), looking up /Parent links.
QPDFObjectHandle inherited(QPDFObjectHandle field, const char* key) {
    for (int depth = 0; depth < limits::kFieldTreeDepth && field.isDictionary(); ++depth) {
        if (field.hasKey(key))
            return field.getKey(key);
        field = field.getKey("/Parent");
    }
    return QPDFObjectHandle::newNull();
}

std::string rect_array(const Rect& r) {
    return "[" + number(r.x) + " " + number(r.y) + " " + number(r.x + r.w) + " " +
           number(r.y + r.h) + "]";
}

std::string array_with(QPDFObjectHandle array, const std::string& extra_item) {
    std::string out = "[";
    if (array.isArray())
        for (QPDFObjectHandle item : array.aitems())
            out += serialize(item) + " ";
    return out + extra_item + "]";
}

} // namespace

PreparedRevision prepare_signature_revision(Document& doc, const Placement& placement,
                                            const SignatureDictionary& sig,
                                            const AppearanceWriter& appearance) {
    QPDF& q = doc.qpdf();
    const std::string file = doc.path().string();

    // ISO 32000-2 §12.8.2.2.2: a document timestamp (like the DSS) is not a change DocMDP
    // forbids.
    int mdp = docmdp_permission(q);
    if (mdp == 1 && !sig.document_timestamp)
        throw input_error("the document is certified with DocMDP P=1: no changes are allowed, "
                          "not even another signature")
            .file(file)
            .hint("sign the document before it is certified, or ask its author for an uncertified "
                  "copy");

    QPDFObjectHandle root = q.getRoot();
    if (!root.isDictionary() || !root.isIndirect())
        throw input_error("the document catalog is not an indirect dictionary").file(file);

    page_dictionaries(q); // refuses cycles and depths before QPDF's recursive walk below
    std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(q).getAllPages();
    doc.require_no_warnings("reading the page tree");
    if (pages.empty())
        throw input_error("the document has no pages").file(file);

    auto xref = q.getXRefTable();
    auto in_file = [&](QPDFObjectHandle h) {
        return h.isIndirect() && xref.count(h.getObjGen()) > 0;
    };

    PreparedRevision prepared;
    IncrementalUpdate update(doc);
    int sig_number = update.reserve();
    QPDFObjectHandle acroform = root.getKey("/AcroForm");

    // Which page and which widget object.
    QPDFObjectHandle page_obj = QPDFObjectHandle::newNull();
    QPDFObjectHandle field = QPDFObjectHandle::newNull();  // existing field being filled
    QPDFObjectHandle widget = QPDFObjectHandle::newNull(); // its widget
    if (!placement.existing_field.empty()) {
        std::set<QPDFObjGen> seen;
        if (acroform.isDictionary())
            field = find_field(acroform.getKey("/Fields"), placement.existing_field, "", 0, seen);
        if (field.isNull())
            throw input_error("no field named '" + placement.existing_field + "'")
                .file(file)
                .hint("list the fields with 'qpdf --show-form'; leave out --field to add a new "
                      "signature field");
        if (!inherited(field, "/FT").isNameAndEquals("/Sig"))
            throw input_error("field '" + placement.existing_field + "' is not a signature field")
                .file(file);
        if (!inherited(field, "/V").isNull())
            throw input_error("field '" + placement.existing_field + "' is already signed")
                .file(file)
                .hint("leave out --field to add a new signature field");
        if (!in_file(field))
            throw input_error("field '" + placement.existing_field + "' is not an indirect object")
                .file(file);
        widget = field;
        if (!field.hasKey("/Rect")) {
            QPDFObjectHandle kids = field.getKey("/Kids");
            if (kids.isArray() && kids.getArrayNItems() > 0)
                widget = kids.getArrayItem(0);
        }
        if (!in_file(widget) || !widget.getKey("/Rect").isRectangle())
            throw input_error("field '" + placement.existing_field + "' has no usable widget")
                .file(file);
        for (std::size_t i = 0; i < pages.size() && page_obj.isNull(); ++i) {
            QPDFObjectHandle annots = pages[i].getObjectHandle().getKey("/Annots");
            if (!annots.isArray())
                continue;
            for (QPDFObjectHandle a : annots.aitems())
                if (a.isIndirect() && a.getObjGen() == widget.getObjGen()) {
                    page_obj = pages[i].getObjectHandle();
                    prepared.page = static_cast<int>(i) + 1;
                }
        }
        if (page_obj.isNull())
            throw input_error("the widget of field '" + placement.existing_field +
                              "' is on no page")
                .file(file);
        prepared.field_name = placement.existing_field;
    } else {
        int n = placement.page == 0 ? static_cast<int>(pages.size()) : placement.page;
        if (n < 1 || n > static_cast<int>(pages.size()))
            throw usage_error("page " + std::to_string(placement.page) + " does not exist: " +
                              file + " has " + std::to_string(pages.size()) + " pages");
        page_obj = pages[static_cast<std::size_t>(n - 1)].getObjectHandle();
        prepared.page = n;
        std::vector<std::string> names = field_names(q);
        std::string name = placement.field_name;
        if (name.empty()) {
            for (int i = 1;; ++i) {
                name = "Signature" + std::to_string(i);
                if (std::find(names.begin(), names.end(), name) == names.end())
                    break;
            }
        } else if (std::find(names.begin(), names.end(), name) != names.end()) {
            throw usage_error("a field named '" + name + "' already exists in " + file)
                .hint("use --field " + name + " to fill it, or choose another name");
        }
        prepared.field_name = name;
    }
    if (!in_file(page_obj))
        throw input_error("page " + std::to_string(prepared.page) +
                          " is not an indirect object of the file (the page tree needs repair)")
            .file(file);

    QPDFPageObjectHelper page(page_obj);
    PageBox box = crop_box(page);
    int rotate = page_rotation(page);
    double visible_w = (rotate % 180 == 0) ? box.width() : box.height();
    double visible_h = (rotate % 180 == 0) ? box.height() : box.width();

    // The widget rectangle, in user space, and the appearance box in displayed orientation.
    Rect user;
    double ap_w = 0, ap_h = 0;
    if (!widget.isNull()) {
        QPDFObjectHandle::Rectangle r = widget.getKey("/Rect").getArrayAsRectangle();
        user = Rect{std::min(r.llx, r.urx), std::min(r.lly, r.ury), std::fabs(r.urx - r.llx),
                    std::fabs(r.ury - r.lly)};
        ap_w = rotate % 180 == 0 ? user.w : user.h;
        ap_h = rotate % 180 == 0 ? user.h : user.w;
        prepared.invisible = user.w == 0 || user.h == 0;
    } else if (placement.invisible) {
        prepared.invisible = true;
    } else {
        Rect v;
        if (placement.rect) {
            v = *placement.rect;
            if (v.w <= 0 || v.h <= 0)
                throw usage_error("the signature box needs a positive width and height");
            const double slack = 0.5;
            if (v.x < -slack || v.y < -slack || v.x + v.w > visible_w + slack ||
                v.y + v.h > visible_h + slack)
                throw usage_error("the signature box " + number(v.x) + "," + number(v.y) + "," +
                                  number(v.w) + "," + number(v.h) + " lies outside page " +
                                  std::to_string(prepared.page) + " (" + number(visible_w) + " x " +
                                  number(visible_h) + " pt)")
                    .hint("--rect takes x,y,width,height in points from the bottom-left corner "
                          "of the page as displayed");
        } else {
            double w = std::min(200.0, visible_w - 72), h = std::min(70.0, visible_h - 72);
            v = Rect{visible_w - 36 - w, 36, w, h};
        }
        prepared.rect = v;
        user = to_user_space(v, box, rotate);
        ap_w = v.w;
        ap_h = v.h;
    }
    if (prepared.invisible)
        user = Rect{0, 0, 0, 0};
    prepared.user_rect = user;

    int ap_number = 0;
    if (prepared.invisible) {
        ap_number = update.reserve();
        update.put_stream(ap_number, " /Type /XObject /Subtype /Form /BBox [0 0 0 0]", "");
    } else {
        ap_number = appearance(update, ap_w, ap_h, rotate);
    }

    // The signature dictionary, with placeholders patched once offsets are known.
    std::string sig_body =
        std::string("<< /Type ") + (sig.document_timestamp ? "/DocTimeStamp" : "/Sig") +
        " /Filter /Adobe.PPKLite /SubFilter /" + sig.sub_filter + " /ByteRange " +
        kByteRangePlaceholder + " /Contents <" + std::string(sig.contents_capacity * 2, '0') + ">";
    if (!sig.claimed_time.empty())
        sig_body += " /M " + literal_string(sig.claimed_time);
    if (!sig.name.empty())
        sig_body += " /Name " + text_string(sig.name);
    if (!sig.reason.empty())
        sig_body += " /Reason " + text_string(sig.reason);
    if (!sig.location.empty())
        sig_body += " /Location " + text_string(sig.location);
    if (!sig.contact_info.empty())
        sig_body += " /ContactInfo " + text_string(sig.contact_info);
    sig_body += " >>";
    update.put(sig_number, sig_body);

    std::string ap_dict = "<< /N " + ref(ap_number) + " >>";
    if (!widget.isNull()) {
        if (widget.getObjGen() == field.getObjGen()) {
            update.put(field.getObjectID(), field.getGeneration(),
                       dict_with(field, {{"/V", ref(sig_number)}, {"/AP", ap_dict}}));
        } else {
            update.put(field.getObjectID(), field.getGeneration(),
                       dict_with(field, {{"/V", ref(sig_number)}}));
            update.put(widget.getObjectID(), widget.getGeneration(),
                       dict_with(widget, {{"/AP", ap_dict}}));
        }
        if (!acroform.isDictionary())
            throw input_error("the document has fields but no AcroForm").file(file);
    } else {
        int widget_number = update.reserve();
        update.put(widget_number, "<< /Type /Annot /Subtype /Widget /FT /Sig /T " +
                                      text_string(prepared.field_name) + " /V " + ref(sig_number) +
                                      " /F 132 /P " + objref(page_obj) + " /Rect " +
                                      rect_array(user) + " /AP " + ap_dict + " >>");
        std::string widget_ref = ref(widget_number);

        // The page's /Annots gets the widget.
        QPDFObjectHandle annots = page_obj.getKey("/Annots");
        if (annots.isArray() && in_file(annots))
            update.put(annots.getObjectID(), annots.getGeneration(),
                       array_with(annots, widget_ref));
        else
            update.put(page_obj.getObjectID(), page_obj.getGeneration(),
                       dict_with(page_obj, {{"/Annots", array_with(annots, widget_ref)}}));

        // The AcroForm's /Fields gets the field, and /SigFlags becomes 3.
        if (acroform.isDictionary() && in_file(acroform)) {
            QPDFObjectHandle fields = acroform.getKey("/Fields");
            std::vector<std::pair<std::string, std::string>> changes{{"/SigFlags", "3"}};
            if (fields.isArray() && in_file(fields))
                update.put(fields.getObjectID(), fields.getGeneration(),
                           array_with(fields, widget_ref));
            else
                changes.emplace_back("/Fields", array_with(fields, widget_ref));
            update.put(acroform.getObjectID(), acroform.getGeneration(),
                       dict_with(acroform, changes));
        } else {
            QPDFObjectHandle fields =
                acroform.isDictionary() ? acroform.getKey("/Fields") : QPDFObjectHandle::newNull();
            std::string form =
                acroform.isDictionary()
                    ? dict_with(acroform,
                                {{"/Fields", array_with(fields, widget_ref)}, {"/SigFlags", "3"}})
                    : "<< /Fields [" + widget_ref + "] /SigFlags 3 >>";
            update.put(root.getObjectID(), root.getGeneration(),
                       dict_with(root, {{"/AcroForm", form}}));
        }
    }
    doc.require_no_warnings("preparing the signature field");

    prepared.revision = update.build();
    IncrementalUpdate::Revision& rev = prepared.revision;
    std::size_t sig_at = static_cast<std::size_t>(rev.body_positions.at(sig_number) - rev.base);
    std::size_t br_at = rev.bytes.find(kByteRangePlaceholder, sig_at);
    std::size_t contents_at = rev.bytes.find("/Contents <", sig_at);
    if (br_at == std::string::npos || contents_at == std::string::npos)
        throw Error(ErrorKind::Internal, "signature placeholders not found in the new revision");
    prepared.contents_offset = rev.base + contents_at + 10;
    prepared.contents_end = prepared.contents_offset + 2 + sig.contents_capacity * 2;
    std::uint64_t file_end = rev.base + rev.bytes.size();
    prepared.byte_range = {0, prepared.contents_offset, prepared.contents_end,
                           file_end - prepared.contents_end};
    std::string br = "[0 " + std::to_string(prepared.byte_range[1]) + " " +
                     std::to_string(prepared.byte_range[2]) + " " +
                     std::to_string(prepared.byte_range[3]) + "]";
    const std::size_t width = std::string(kByteRangePlaceholder).size();
    if (br.size() > width)
        throw input_error("the file is too large for a 10-digit /ByteRange").file(file);
    br.append(width - br.size(), ' ');
    rev.bytes.replace(br_at, width, br);
    return prepared;
}

} // namespace neac::pdf
