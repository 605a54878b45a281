#include "verify/diff.hpp"

#include <qpdf/QPDFObjectHandle.hh>

#include <functional>

namespace neac::verify::detail {
namespace {

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxSteps = 4'000'000;

bool is_name(QPDFObjectHandle h, const char* name) {
    return h.isName() && h.getName() == name;
}

class RoleWalker {
public:
    explicit RoleWalker(RoleMap& out) : out_(out) {}

    void run(QPDF& q) {
        QPDFObjectHandle trailer = q.getTrailer();
        QPDFObjectHandle info = trailer.getKey("/Info");
        if (!info.isNull())
            generic(info, {RoleKind::Info, "document information (/Info)", ""}, 0);
        QPDFObjectHandle root = trailer.getKey("/Root");
        if (!root.isDictionary())
            return;
        assign(root, {RoleKind::Catalog, "document catalog", ""});
        for (const std::string& key : root.getKeys()) {
            QPDFObjectHandle v = root.getKey(key);
            if (key == "/Pages")
                pages(v, 0);
            else if (key == "/AcroForm")
                acroform(v);
            else if (key == "/DSS")
                generic(v, {RoleKind::Dss, "document security store (/DSS)", ""}, 0);
            else if (key == "/OCProperties")
                generic(v, {RoleKind::OptionalContent, "optional content (/OCProperties)", ""}, 0);
            else if (key == "/Perms")
                generic(v, {RoleKind::Perms, "permissions (/Perms)", ""}, 0);
            else if (key == "/Metadata")
                generic(v, {RoleKind::Metadata, "XMP metadata", ""}, 0);
            else if (key == "/Extensions")
                generic(v, {RoleKind::Extensions, "developer extensions", ""}, 0);
            else if (key == "/StructTreeRoot")
                struct_tree(v);
            else
                generic(v, {RoleKind::CatalogOther, "catalog " + key, ""}, 0);
        }
    }

private:
    bool step() {
        if (++steps_ > kMaxSteps) {
            out_.truncated = true;
            return false;
        }
        return true;
    }

    void assign(QPDFObjectHandle h, const Role& role) {
        if (!h.isIndirect())
            return;
        Role& r = out_.roles[h.getObjGen()];
        if (r.kind == RoleKind::None) {
            r = role;
            return;
        }
        if (r.kind == role.kind && r.field == role.field)
            return;
        // Two uses: the most restrictive stays the role, the other is remembered (the first
        // other use found is enough to name it).
        const Role& other = role.kind > r.kind ? r : role;
        out_.other_uses.emplace(h.getObjGen(), other);
        if (role.kind > r.kind)
            r = role;
    }

    // Assigns and returns true when this (object, role kind) pair is seen for the first time.
    bool enter(QPDFObjectHandle h, const Role& role) {
        if (!step())
            return false;
        if (!h.isIndirect())
            return true;
        assign(h, role);
        return visited_.insert({h.getObjGen(), static_cast<int>(role.kind)}).second;
    }

    // Everything reachable from `h` plays `role` (back links /Parent and /P are not followed).
    // Pages, annotations, fields and structure elements have walks of their own; a generic walk
    // that reaches them through a reference (an outline's destination, a link, a reset-form
    // action) must not give them its role, or an outline would make a form field "catalog".
    static bool has_own_walk(QPDFObjectHandle h) {
        if (!h.isDictionary() || h.isStream())
            return false;
        QPDFObjectHandle type = h.getKey("/Type");
        if (is_name(type, "/Page") || is_name(type, "/Pages") || is_name(type, "/Annot") ||
            is_name(type, "/StructElem"))
            return true;
        return h.hasKey("/FT") || (h.getKey("/Subtype").isName() && h.hasKey("/Rect"));
    }

    void generic(QPDFObjectHandle h, const Role& role, int depth) {
        if (depth > kMaxDepth || (depth > 0 && has_own_walk(h)) || !enter(h, role))
            return;
        if (h.isStream())
            h = h.getDict();
        if (h.isDictionary()) {
            for (const std::string& key : h.getKeys()) {
                if (key == "/Parent" || key == "/P" || key == "/Data")
                    continue;
                generic(h.getKey(key), role, depth + 1);
            }
        } else if (h.isArray()) {
            for (QPDFObjectHandle item : h.aitems())
                generic(item, role, depth + 1);
        }
    }

    // The structure tree, without following its references into the document's content (/Pg,
    // /Obj, /Stm, /StmOwn) or back up (/P): those objects have roles of their own. An explicit
    // stack, as tagged documents have deep trees.
    void struct_tree(QPDFObjectHandle root) {
        std::vector<QPDFObjectHandle> todo{root};
        while (!todo.empty()) {
            QPDFObjectHandle h = todo.back();
            todo.pop_back();
            if (!enter(h, {RoleKind::StructTree, "structure tree", ""}))
                continue;
            if (h.isStream())
                continue;
            if (h.isArray()) {
                for (QPDFObjectHandle item : h.aitems())
                    todo.push_back(item);
            } else if (h.isDictionary()) {
                for (const std::string& key : h.getKeys())
                    if (key != "/P" && key != "/Pg" && key != "/Obj" && key != "/Stm" &&
                        key != "/StmOwn")
                        todo.push_back(h.getKey(key));
            }
        }
    }

    void pages(QPDFObjectHandle node, int depth) {
        if (depth > kMaxDepth || !node.isDictionary())
            return;
        if (node.isIndirect() && !page_nodes_.insert(node.getObjGen()).second)
            return;
        bool leaf = !node.hasKey("/Kids") || is_name(node.getKey("/Type"), "/Page");
        if (leaf) {
            page(node, ++page_count_);
            return;
        }
        if (!enter(node, {RoleKind::PageTree, "page tree", ""}))
            return;
        for (const std::string& key : node.getKeys()) {
            QPDFObjectHandle v = node.getKey(key);
            if (key == "/Parent")
                continue;
            if (key == "/Kids") {
                assign(v, {RoleKind::PageTree, "page tree /Kids", ""});
                if (v.isArray())
                    for (QPDFObjectHandle kid : v.aitems())
                        pages(kid, depth + 1);
            } else if (key == "/Resources") {
                generic(v, {RoleKind::PageResources, "inherited page resources", ""}, 0);
            } else {
                generic(v, {RoleKind::PageTree, "page tree " + key, ""}, 0);
            }
        }
    }

    void page(QPDFObjectHandle pg, int n) {
        std::string label = "page " + std::to_string(n);
        if (!enter(pg, {RoleKind::Page, label, ""}))
            return;
        for (const std::string& key : pg.getKeys()) {
            QPDFObjectHandle v = pg.getKey(key);
            if (key == "/Parent")
                continue;
            if (key == "/Contents") {
                generic(v, {RoleKind::PageContent, label + " content stream", ""}, 0);
            } else if (key == "/Resources") {
                generic(v, {RoleKind::PageResources, label + " resources", ""}, 0);
            } else if (key == "/Annots") {
                assign(v, {RoleKind::AnnotsArray, label + " /Annots", ""});
                if (v.isArray())
                    for (QPDFObjectHandle a : v.aitems())
                        annotation(a, n);
            } else {
                generic(v, {RoleKind::Page, label + " " + key, ""}, 0);
            }
        }
    }

    Role field_role(const FieldFacts& f, const std::string& suffix = "") const {
        if (f.is_signed)
            return {RoleKind::SignedField,
                    (f.doc_timestamp ? "document timestamp field " : "signature field ") + f.name +
                        suffix,
                    f.name};
        if (f.is_sig)
            return {RoleKind::UnsignedSigField, "empty signature field " + f.name + suffix, f.name};
        return {RoleKind::FormField, "form field " + f.name + suffix, f.name};
    }

    Role appearance_role(const FieldFacts& f) const {
        if (f.is_signed)
            return {RoleKind::SignedAppearance, "appearance of signature " + f.name, f.name};
        if (f.is_sig)
            return {RoleKind::SigAppearance, "appearance of empty signature field " + f.name,
                    f.name};
        return {RoleKind::FormAppearance, "appearance of form field " + f.name, f.name};
    }

    void annotation(QPDFObjectHandle a, int page) {
        if (!a.isDictionary())
            return;
        if (is_name(a.getKey("/Subtype"), "/Widget")) {
            widget(a, field_facts(a), 0);
            return;
        }
        std::string sub = a.getKey("/Subtype").isName() ? a.getKey("/Subtype").getName() : "?";
        generic(a,
                {RoleKind::Annotation,
                 sub.substr(1) + " annotation on page " + std::to_string(page), ""},
                0);
    }

    void widget(QPDFObjectHandle w, const FieldFacts& f, int depth) {
        Role role = field_role(f, w.hasKey("/T") ? "" : " (widget)");
        if (depth > kMaxDepth || !enter(w, role))
            return;
        if (f.is_signed || f.is_sig || w.hasKey("/T") || w.hasKey("/FT"))
            register_field(w, f);
        for (const std::string& key : w.getKeys()) {
            QPDFObjectHandle v = w.getKey(key);
            if (key == "/P" || key == "/Parent")
                continue;
            if (key == "/AP")
                generic(v, appearance_role(f), 0);
            else if (key == "/V" && f.is_sig)
                generic(v,
                        {RoleKind::SignatureDict,
                         (f.doc_timestamp ? "document timestamp " : "signature dictionary of ") +
                             f.name,
                         f.name},
                        0);
            else if (key == "/Kids")
                continue; // fields handle their kids
            else
                generic(v, role, 0);
        }
    }

    void register_field(QPDFObjectHandle f, const FieldFacts& facts_) {
        if (!facts_.name.empty() && !out_.fields.count(facts_.name))
            out_.fields[facts_.name] = f;
        if (facts_.is_signed && f.isIndirect())
            out_.signed_fields.insert(f.getObjGen());
    }

    void acroform(QPDFObjectHandle form) {
        if (!form.isDictionary())
            return;
        if (!enter(form, {RoleKind::AcroForm, "interactive form (/AcroForm)", ""}))
            return;
        for (const std::string& key : form.getKeys()) {
            QPDFObjectHandle v = form.getKey(key);
            if (key == "/Fields") {
                assign(v, {RoleKind::FieldsArray, "AcroForm /Fields", ""});
                fields(v, 0);
            } else if (key == "/DR") {
                generic(v, {RoleKind::FormResources, "form default resources (/DR)", ""}, 0);
            } else {
                generic(v, {RoleKind::AcroForm, "AcroForm " + key, ""}, 0);
            }
        }
    }

    void fields(QPDFObjectHandle arr, int depth, const FieldFacts* parent = nullptr) {
        if (!arr.isArray() || depth > 32)
            return;
        for (QPDFObjectHandle f : arr.aitems()) {
            if (!f.isDictionary())
                continue;
            FieldFacts ff = field_facts(f);
            bool is_field = f.hasKey("/T") || f.hasKey("/FT") || f.hasKey("/Kids") ||
                            !is_name(f.getKey("/Subtype"), "/Widget");
            if (!is_field) {
                // A widget kid: it belongs to the field listing it, even without /Parent.
                widget(f, parent ? *parent : ff, depth);
                continue;
            }
            Role role = field_role(ff);
            if (!enter(f, role))
                continue;
            register_field(f, ff);
            for (const std::string& key : f.getKeys()) {
                QPDFObjectHandle v = f.getKey(key);
                if (key == "/Parent" || key == "/P")
                    continue;
                if (key == "/Kids") {
                    assign(v, {RoleKind::FieldsArray, "kids of field " + ff.name, ff.name});
                    fields(v, depth + 1, &ff);
                } else if (key == "/AP") {
                    generic(v, appearance_role(ff), 0);
                } else if (key == "/V" && ff.is_sig) {
                    generic(
                        v,
                        {RoleKind::SignatureDict,
                         (ff.doc_timestamp ? "document timestamp " : "signature dictionary of ") +
                             ff.name,
                         ff.name},
                        0);
                } else {
                    generic(v, role, 0);
                }
            }
        }
    }

    RoleMap& out_;
    std::set<std::pair<QPDFObjGen, int>> visited_;
    std::set<QPDFObjGen> page_nodes_;
    int page_count_ = 0;
    std::size_t steps_ = 0;
};

} // namespace

FieldFacts field_facts(QPDFObjectHandle f) {
    FieldFacts out;
    std::vector<std::string> parts;
    QPDFObjectHandle cur = f;
    QPDFObjectHandle ft = QPDFObjectHandle::newNull();
    QPDFObjectHandle v = QPDFObjectHandle::newNull();
    std::set<QPDFObjGen> seen;
    for (int i = 0; i < 32 && cur.isDictionary(); ++i) {
        if (cur.isIndirect() && !seen.insert(cur.getObjGen()).second)
            break;
        if (cur.getKey("/T").isString())
            parts.push_back(cur.getKey("/T").getUTF8Value());
        if (ft.isNull() && cur.hasKey("/FT"))
            ft = cur.getKey("/FT");
        if (v.isNull() && cur.hasKey("/V"))
            v = cur.getKey("/V");
        cur = cur.getKey("/Parent");
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
        out.name += (out.name.empty() ? "" : ".") + *it;
    out.is_sig = is_name(ft, "/Sig");
    out.is_signed = out.is_sig && v.isDictionary();
    out.doc_timestamp = out.is_signed && is_name(v.getKey("/Type"), "/DocTimeStamp");
    return out;
}

RoleMap build_roles(QPDF& q) {
    RoleMap map;
    RoleWalker(map).run(q);
    return map;
}

} // namespace neac::verify::detail
