#include "verify/diff.hpp"

#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>
#include <functional>

namespace neac::verify::detail {
namespace {

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxSteps = 4'000'000;
constexpr long long kMaxCompareStream = 64ll << 20;

std::string objref(QPDFObjGen og) {
    return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}

bool is_name(QPDFObjectHandle h, const char* name) {
    return h.isName() && h.getName() == name;
}

// --- Role walk --------------------------------------------------------------------------------

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
        if (r.kind == RoleKind::None || role.kind > r.kind)
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
    void generic(QPDFObjectHandle h, const Role& role, int depth) {
        if (depth > kMaxDepth || !enter(h, role))
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

public:
    // Field facts of a widget or field: fully qualified name, type, whether it is signed.
    struct FieldFacts {
        std::string name;
        bool is_sig = false;
        bool is_signed = false;
        bool doc_timestamp = false;
    };

    static FieldFacts facts(QPDFObjectHandle f) {
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

private:
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
            widget(a, facts(a), 0);
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
            FieldFacts ff = facts(f);
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

// --- Comparison -------------------------------------------------------------------------------

// Content equality of the same object in two revisions (references compare by number: a changed
// referent is judged on its own).
bool same_content(QPDFObjectHandle a, QPDFObjectHandle b) {
    if (a.isStream() != b.isStream())
        return false;
    if (a.isStream()) {
        if (a.getDict().unparseResolved() != b.getDict().unparseResolved())
            return false;
        QPDFObjectHandle la = a.getDict().getKey("/Length");
        QPDFObjectHandle lb = b.getDict().getKey("/Length");
        if (la.isInteger() && lb.isInteger() &&
            (la.getIntValue() > kMaxCompareStream || lb.getIntValue() > kMaxCompareStream))
            return false; // too large to compare: counts as changed
        auto da = a.getRawStreamData();
        auto db = b.getRawStreamData();
        return da->getSize() == db->getSize() &&
               std::equal(da->getBuffer(), da->getBuffer() + da->getSize(), db->getBuffer());
    }
    return a.unparseResolved() == b.unparseResolved();
}

struct KeyDiff {
    std::string key;
    std::string what; // "added", "removed", "changed"
};

std::vector<KeyDiff> key_diffs(QPDFObjectHandle a, QPDFObjectHandle b) {
    std::vector<KeyDiff> out;
    QPDFObjectHandle da = a.isStream() ? a.getDict() : a;
    QPDFObjectHandle db = b.isStream() ? b.getDict() : b;
    std::set<std::string> keys;
    if (da.isDictionary())
        for (const auto& k : da.getKeys())
            keys.insert(k);
    if (db.isDictionary())
        for (const auto& k : db.getKeys())
            keys.insert(k);
    for (const std::string& k : keys) {
        bool ha = da.isDictionary() && da.hasKey(k);
        bool hb = db.isDictionary() && db.hasKey(k);
        if (ha && !hb)
            out.push_back({k, "removed"});
        else if (!ha && hb)
            out.push_back({k, "added"});
        else if (da.getKey(k).unparse() != db.getKey(k).unparse())
            out.push_back({k, "changed"});
    }
    if (a.isStream() && b.isStream()) {
        auto sa = a.getRawStreamData();
        auto sb = b.getRawStreamData();
        if (sa->getSize() != sb->getSize() ||
            !std::equal(sa->getBuffer(), sa->getBuffer() + sa->getSize(), sb->getBuffer()))
            out.push_back({"stream data", "changed"});
    }
    return out;
}

std::string describe(const std::vector<KeyDiff>& diffs) {
    std::string out;
    for (const KeyDiff& d : diffs)
        out += (out.empty() ? "" : ", ") + d.key + " " + d.what;
    return out;
}

class Differ {
public:
    Differ(RevisionView& older, RoleMap& older_roles, RevisionView& newer, RoleMap& newer_roles)
        : a_(older), ra_(older_roles), b_(newer), rb_(newer_roles) {}

    std::vector<FoundChange> run() {
        compare_trailers();
        for (const auto& [og, entry] : b_.xref) {
            auto it = a_.xref.find(og);
            if (it == a_.xref.end())
                continue; // a new object: judged through whatever references it
            if (same_entry(it->second, entry))
                continue;
            QPDFObjectHandle oa = a_.qpdf->getObjectByObjGen(og);
            QPDFObjectHandle ob = b_.qpdf->getObjectByObjGen(og);
            if (is_container(oa) && is_container(ob))
                continue;
            if (same_content(oa, ob))
                continue;
            judge(og, oa, ob);
        }
        for (const auto& [og, entry] : a_.xref) {
            if (b_.xref.count(og))
                continue;
            auto r = ra_.roles.find(og);
            if (r == ra_.roles.end())
                continue; // an unreachable object disappeared
            add(r->second.kind == RoleKind::Annotation ? ChangeCategory::Annotation
                                                       : ChangeCategory::Forbidden,
                objref(og), r->second.label, "object deleted", r->second.field);
        }
        return std::move(out_);
    }

private:
    bool same_entry(const QPDFXRefEntry& x, const QPDFXRefEntry& y) const {
        if (x.getType() != y.getType())
            return false;
        if (x.getType() == 1)
            return x.getOffset() == y.getOffset();
        if (x.getType() == 2) {
            if (x.getObjStreamNumber() != y.getObjStreamNumber() ||
                x.getObjStreamIndex() != y.getObjStreamIndex())
                return false;
            // Same slot of the same object stream: unchanged only if the stream is unchanged.
            QPDFObjGen stream(x.getObjStreamNumber(), 0);
            auto sa = a_.xref.find(stream);
            auto sb = b_.xref.find(stream);
            return sa != a_.xref.end() && sb != b_.xref.end() && sa->second.getType() == 1 &&
                   sb->second.getType() == 1 && sa->second.getOffset() == sb->second.getOffset();
        }
        return false;
    }

    static bool is_container(QPDFObjectHandle h) {
        if (!h.isStream())
            return false;
        QPDFObjectHandle t = h.getDict().getKey("/Type");
        return is_name(t, "/ObjStm") || is_name(t, "/XRef");
    }

    void add(ChangeCategory cat, const std::string& object, const std::string& what,
             const std::string& description, const std::string& field = "") {
        FoundChange fc;
        fc.change.category = cat;
        fc.change.object = object;
        fc.change.what = what;
        fc.change.description = description;
        fc.change.revision = b_.info.number;
        fc.field = field;
        out_.push_back(std::move(fc));
    }

    void compare_trailers() {
        QPDFObjectHandle ta = a_.qpdf->getTrailer();
        QPDFObjectHandle tb = b_.qpdf->getTrailer();
        for (const char* key : {"/Root", "/Encrypt"}) {
            std::string va = ta.hasKey(key) ? ta.getKey(key).unparse() : "";
            std::string vb = tb.hasKey(key) ? tb.getKey(key).unparse() : "";
            if (va != vb)
                add(ChangeCategory::Forbidden, "trailer", "trailer",
                    std::string(key) +
                        (key == std::string("/Root") ? " replaced: another catalog" : " changed"));
        }
        std::string ia = ta.hasKey("/Info") ? ta.getKey("/Info").unparse() : "";
        std::string ib = tb.hasKey("/Info") ? tb.getKey("/Info").unparse() : "";
        if (ia != ib)
            add(ChangeCategory::Metadata, "trailer", "document information (/Info)",
                "/Info replaced");
    }

    Role role_of(QPDFObjGen og) const {
        auto it = ra_.roles.find(og);
        if (it != ra_.roles.end())
            return it->second;
        return Role{};
    }

    // Facts about a field or widget as it is in the newer revision.
    static std::string name_or(const std::string& n, const std::string& fallback) {
        return n.empty() ? fallback : n;
    }

    void judge(QPDFObjGen og, QPDFObjectHandle oa, QPDFObjectHandle ob) {
        Role role = role_of(og);
        if (role.kind == RoleKind::None)
            return; // unreachable in the signed revision: whatever now refers to it is judged
        std::string obj = objref(og);
        std::vector<KeyDiff> diffs = key_diffs(oa, ob);
        if (diffs.empty() && !oa.isDictionary() && !oa.isStream())
            diffs.push_back({"value", "changed"});
        switch (role.kind) {
        case RoleKind::Catalog:
            judge_catalog(obj, oa, ob, diffs);
            return;
        case RoleKind::AcroForm:
            judge_acroform(obj, role.label, oa, ob);
            return;
        case RoleKind::FieldsArray:
            judge_field_array(obj, role.label, oa, ob);
            return;
        case RoleKind::AnnotsArray:
            judge_annots_array(obj, role.label, oa, ob);
            return;
        case RoleKind::Page:
            if (oa.isDictionary() && ob.isDictionary() && !oa.isStream()) {
                for (const KeyDiff& d : diffs) {
                    if (d.key == "/Annots")
                        judge_annots_array(obj, role.label + " /Annots", oa.getKey("/Annots"),
                                           ob.getKey("/Annots"));
                    else
                        add(ChangeCategory::Forbidden, obj, role.label, d.key + " " + d.what);
                }
                return;
            }
            break;
        case RoleKind::UnsignedSigField:
            judge_unsigned_sig_field(obj, role, oa, ob, diffs);
            return;
        case RoleKind::SigAppearance:
            if (signed_in_newer(role.field))
                add(ChangeCategory::Signature, obj, role.label,
                    "appearance replaced when the field was signed", role.field);
            else
                add(ChangeCategory::Forbidden, obj, role.label,
                    "appearance changed but the field was not signed", role.field);
            return;
        case RoleKind::FormField: {
            bool only_values = true;
            for (const KeyDiff& d : diffs)
                if (d.key != "/V" && d.key != "/AS" && d.key != "/AP")
                    only_values = false;
            if (only_values)
                add(ChangeCategory::Form, obj, role.label, "filled (" + describe(diffs) + ")",
                    role.field);
            else
                add(ChangeCategory::Forbidden, obj, role.label, describe(diffs), role.field);
            return;
        }
        case RoleKind::FormAppearance:
            add(ChangeCategory::Form, obj, role.label, "appearance updated", role.field);
            return;
        case RoleKind::FormResources:
            add(ChangeCategory::Signature, obj, role.label,
                "default resources updated (" + describe(diffs) + ")");
            return;
        case RoleKind::Annotation:
            add(ChangeCategory::Annotation, obj, role.label, describe(diffs));
            return;
        case RoleKind::Dss:
            add(ChangeCategory::Dss, obj, role.label, "validation data updated");
            return;
        case RoleKind::Info:
            add(ChangeCategory::Metadata, obj, role.label, describe(diffs));
            return;
        case RoleKind::Metadata:
        case RoleKind::Extensions:
            add(ChangeCategory::Metadata, obj, role.label, describe(diffs));
            return;
        case RoleKind::SignatureDict:
            add(ChangeCategory::Forbidden, obj, role.label,
                "earlier signature dictionary modified: " + describe(diffs), role.field);
            return;
        case RoleKind::SignedField:
        case RoleKind::SignedAppearance:
            add(ChangeCategory::Forbidden, obj, role.label, describe(diffs), role.field);
            return;
        default:
            break;
        }
        add(ChangeCategory::Forbidden, obj, role.label, describe(diffs), role.field);
    }

    // Field facts of an object as the newer revision's AcroForm sees it (a widget without /Parent
    // belongs to the field whose /Kids list it).
    RoleWalker::FieldFacts facts_in_newer(QPDFObjectHandle item) const {
        RoleWalker::FieldFacts f = RoleWalker::facts(item);
        if (f.is_sig || !item.isIndirect())
            return f;
        auto it = rb_.roles.find(item.getObjGen());
        if (it == rb_.roles.end())
            return f;
        const Role& r = it->second;
        if (r.kind == RoleKind::SignedField || r.kind == RoleKind::UnsignedSigField) {
            auto field = rb_.fields.find(r.field);
            if (field != rb_.fields.end())
                return RoleWalker::facts(field->second);
        }
        return f;
    }

    bool signed_in_newer(const std::string& field) const {
        auto it = rb_.fields.find(field);
        if (it == rb_.fields.end())
            return false;
        return RoleWalker::facts(it->second).is_signed;
    }

    void judge_catalog(const std::string& obj, QPDFObjectHandle oa, QPDFObjectHandle ob,
                       const std::vector<KeyDiff>& diffs) {
        for (const KeyDiff& d : diffs) {
            const std::string& k = d.key;
            if (k == "/AcroForm") {
                judge_acroform(obj, "interactive form (/AcroForm)", oa.getKey(k), ob.getKey(k));
            } else if (k == "/DSS") {
                add(ChangeCategory::Dss, obj, "document catalog", "/DSS " + d.what);
            } else if (k == "/Metadata" || k == "/Extensions" || k == "/Version") {
                add(ChangeCategory::Metadata, obj, "document catalog", k + " " + d.what);
            } else if (k == "/OCProperties") {
                add(ChangeCategory::Forbidden, obj, "document catalog",
                    "optional content (/OCProperties) " + d.what +
                        ": layer visibility can hide or "
                        "show content");
            } else if (k == "/Perms") {
                add(ChangeCategory::Forbidden, obj, "document catalog",
                    "permissions (/Perms) " + d.what + " after signing");
            } else if (k == "/Pages") {
                add(ChangeCategory::Forbidden, obj, "document catalog", "page tree replaced");
            } else {
                add(ChangeCategory::Forbidden, obj, "document catalog", k + " " + d.what);
            }
        }
    }

    void judge_acroform(const std::string& obj, const std::string& label, QPDFObjectHandle fa,
                        QPDFObjectHandle fb) {
        if (fa.isIndirect() && fb.isIndirect() && fa.getObjGen() == fb.getObjGen() &&
            obj != objref(fa.getObjGen()))
            return; // the same object: compared on its own
        if (!fb.isDictionary()) {
            if (fa.isDictionary())
                add(ChangeCategory::Forbidden, obj, label, "removed");
            return;
        }
        QPDFObjectHandle empty = QPDFObjectHandle::newDictionary();
        QPDFObjectHandle a = fa.isDictionary() ? fa : empty;
        for (const KeyDiff& d : key_diffs(a, fb)) {
            if (d.key == "/Fields")
                judge_field_array(obj, "AcroForm /Fields", a.getKey("/Fields"),
                                  fb.getKey("/Fields"));
            else if (d.key == "/SigFlags")
                add(ChangeCategory::Signature, obj, label, "/SigFlags " + d.what);
            else if (d.key == "/DR")
                add(ChangeCategory::Signature, obj, label, "default resources (/DR) " + d.what);
            else if (d.key == "/DA" || d.key == "/NeedAppearances" || d.key == "/Q")
                add(ChangeCategory::Form, obj, label, d.key + " " + d.what);
            else
                add(ChangeCategory::Forbidden, obj, label, d.key + " " + d.what);
        }
    }

    // Old entries must all survive; each new entry is classified.
    template <class Classify>
    void judge_array(const std::string& obj, const std::string& label, QPDFObjectHandle xa,
                     QPDFObjectHandle xb, Classify classify_new,
                     const std::function<void(QPDFObjectHandle)>& removed) {
        if (xa.isIndirect() && xb.isIndirect() && xa.getObjGen() == xb.getObjGen() &&
            obj != objref(xa.getObjGen()))
            return;
        std::vector<QPDFObjectHandle> va, vb;
        if (xa.isArray())
            for (auto i : xa.aitems())
                va.push_back(i);
        if (xb.isArray())
            for (auto i : xb.aitems())
                vb.push_back(i);
        std::multiset<std::string> in_b;
        for (auto& i : vb)
            in_b.insert(i.unparse());
        std::multiset<std::string> in_a;
        for (auto& i : va) {
            in_a.insert(i.unparse());
            auto it = in_b.find(i.unparse());
            if (it == in_b.end())
                removed(i);
            else
                in_b.erase(it);
        }
        for (auto& i : vb) {
            auto it = in_a.find(i.unparse());
            if (it != in_a.end()) {
                in_a.erase(it);
                continue;
            }
            classify_new(i);
        }
        (void)label;
    }

    bool existed_before(QPDFObjectHandle h) const {
        return h.isIndirect() && a_.xref.count(h.getObjGen()) > 0 &&
               ra_.roles.count(h.getObjGen()) > 0;
    }

    // An item an earlier revision already had, now put into a field or annotation array: always
    // Forbidden (`change` says how), as it changes what that revision's signatures cover. True
    // when `item` was judged so, false when it is new and the caller judges it.
    bool judged_as_reused(const std::string& ref, QPDFObjectHandle item,
                          const std::string& change) {
        if (!existed_before(item))
            return false;
        Role r = role_of(item.getObjGen());
        add(ChangeCategory::Forbidden, ref, r.label, change, r.field);
        return true;
    }

    void judge_field_array(const std::string& obj, const std::string& label, QPDFObjectHandle xa,
                           QPDFObjectHandle xb) {
        judge_array(
            obj, label, xa, xb,
            [&](QPDFObjectHandle item) {
                std::string ref = item.isIndirect() ? objref(item.getObjGen()) : obj;
                if (judged_as_reused(ref, item, "existing object moved into " + label))
                    return;
                auto f = facts_in_newer(item);
                if (f.doc_timestamp)
                    add(ChangeCategory::Timestamp, ref, "document timestamp field " + f.name,
                        "document timestamp added", f.name);
                else if (f.is_sig)
                    add(ChangeCategory::Signature, ref, "signature field " + f.name,
                        "new signature field added", f.name);
                else
                    add(ChangeCategory::Forbidden, ref, "form field " + name_or(f.name, "?"),
                        "new form field added", f.name);
            },
            [&](QPDFObjectHandle item) {
                auto f = RoleWalker::facts(item);
                add(ChangeCategory::Forbidden, obj, label,
                    "field " + name_or(f.name, item.unparse()) + " removed", f.name);
            });
    }

    void judge_annots_array(const std::string& obj, const std::string& label, QPDFObjectHandle xa,
                            QPDFObjectHandle xb) {
        judge_array(
            obj, label, xa, xb,
            [&](QPDFObjectHandle item) {
                std::string ref = item.isIndirect() ? objref(item.getObjGen()) : obj;
                if (judged_as_reused(ref, item, "existing object added to " + label))
                    return;
                if (!item.isDictionary())
                    return;
                if (is_name(item.getKey("/Subtype"), "/Widget")) {
                    auto f = facts_in_newer(item);
                    if (f.is_sig)
                        add(ChangeCategory::Signature, ref,
                            (f.doc_timestamp ? "document timestamp field " : "signature field ") +
                                f.name,
                            "widget added to " + label, f.name);
                    else
                        add(ChangeCategory::Forbidden, ref, "form field " + name_or(f.name, "?"),
                            "new form field widget added to " + label, f.name);
                    return;
                }
                std::string sub =
                    item.getKey("/Subtype").isName() ? item.getKey("/Subtype").getName() : "/?";
                add(ChangeCategory::Annotation, ref, sub.substr(1) + " annotation",
                    "annotation added to " + label);
            },
            [&](QPDFObjectHandle item) {
                Role r = item.isIndirect() ? role_of(item.getObjGen()) : Role{};
                ChangeCategory cat = r.kind == RoleKind::Annotation ? ChangeCategory::Annotation
                                                                    : ChangeCategory::Forbidden;
                add(cat, obj, label,
                    (r.label.empty() ? item.unparse() : r.label) + " removed from the page",
                    r.field);
            });
    }

    void judge_unsigned_sig_field(const std::string& obj, const Role& role, QPDFObjectHandle oa,
                                  QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs) {
        bool now_signed = RoleWalker::facts(ob).is_signed || signed_in_newer(role.field);
        std::vector<std::string> fine, bad;
        for (const KeyDiff& d : diffs) {
            if (d.key == "/V" || d.key == "/AP" || d.key == "/AS" || d.key == "/MK" ||
                d.key == "/DA" || d.key == "/F" || d.key == "/DR")
                (now_signed ? fine : bad).push_back(d.key + " " + d.what);
            else if (d.key == "/Kids")
                judge_field_array(obj, "kids of field " + role.field, oa.getKey("/Kids"),
                                  ob.getKey("/Kids"));
            else
                bad.push_back(d.key + " " + d.what);
        }
        auto join = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v)
                s += (s.empty() ? "" : ", ") + x;
            return s;
        };
        if (!fine.empty())
            add(ChangeCategory::Signature, obj, role.label, "signed (" + join(fine) + ")",
                role.field);
        if (!bad.empty())
            add(ChangeCategory::Forbidden, obj, role.label, join(bad), role.field);
    }

    RevisionView& a_;
    RoleMap& ra_;
    RevisionView& b_;
    RoleMap& rb_;
    std::vector<FoundChange> out_;
};

} // namespace

RoleMap build_roles(QPDF& q) {
    RoleMap map;
    RoleWalker(map).run(q);
    return map;
}

std::vector<FoundChange> diff_revisions(RevisionView& older, RoleMap& older_roles,
                                        RevisionView& newer, RoleMap& newer_roles) {
    return Differ(older, older_roles, newer, newer_roles).run();
}

} // namespace neac::verify::detail
