#include "verify/diff.hpp"
#include "verify/compare.hpp"

#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>
#include <functional>

namespace neac::verify::detail {
namespace {

std::string objref(QPDFObjGen og) {
    return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}

bool is_name(QPDFObjectHandle h, const char* name) {
    return h.isName() && h.getName() == name;
}

// Keys producers add for their own bookkeeping, which no viewer renders.
bool is_private_key(const std::string& key) {
    return key == "/ITXT" || key == "/PieceInfo" || key == "/LastModified";
}

class Differ {
public:
    Differ(pdf::RevisionView& older, RoleMap& older_roles, pdf::RevisionView& newer,
           RoleMap& newer_roles)
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
            add(r->second.kind == RoleKind::Annotation ? Rule::AnnotationChanged
                                                       : Rule::ObjectDeleted,
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

    void add(Rule rule, const std::string& object, const std::string& what,
             const std::string& description, const std::string& field = "") {
        const RuleInfo& info = rule_info(rule);
        FoundChange fc;
        fc.change.category = info.category;
        fc.change.rule = std::string(info.id);
        fc.change.object = object;
        fc.change.what = what;
        fc.change.description = description;
        fc.change.revision = b_.info.number;
        fc.field = field;
        out_.push_back(std::move(fc));
    }

    // For a change its role would allow: when the object also serves another use in the signed
    // revision, the change reaches that use too and is named as such.
    void add_unless_shared(QPDFObjGen og, Rule rule, const std::string& what,
                           const std::string& description, const std::string& field = "") {
        auto other = ra_.other_uses.find(og);
        if (other != ra_.other_uses.end() && rule_info(rule).category != ChangeCategory::Forbidden)
            add(Rule::ObjectReused, objref(og), what,
                description + ", but the object is also " + other->second.label, field);
        else
            add(rule, objref(og), what, description, field);
    }

    void compare_trailers() {
        QPDFObjectHandle ta = a_.qpdf->getTrailer();
        QPDFObjectHandle tb = b_.qpdf->getTrailer();
        for (const char* key : {"/Root", "/Encrypt"}) {
            std::string va = ta.hasKey(key) ? ta.getKey(key).unparse() : "";
            std::string vb = tb.hasKey(key) ? tb.getKey(key).unparse() : "";
            if (va != vb)
                add(Rule::TrailerChanged, "trailer", "trailer",
                    std::string(key) +
                        (key == std::string("/Root") ? " replaced: another catalog" : " changed"));
        }
        std::string ia = ta.hasKey("/Info") ? ta.getKey("/Info").unparse() : "";
        std::string ib = tb.hasKey("/Info") ? tb.getKey("/Info").unparse() : "";
        if (ia != ib)
            add(Rule::InfoUpdated, "trailer", "document information (/Info)", "/Info replaced");
    }

    Role role_of(QPDFObjGen og) const {
        auto it = ra_.roles.find(og);
        if (it != ra_.roles.end())
            return it->second;
        return Role{};
    }

    static std::string name_or(const std::string& n, const std::string& fallback) {
        return n.empty() ? fallback : n;
    }

    void judge(QPDFObjGen og, QPDFObjectHandle oa, QPDFObjectHandle ob) {
        Role role = role_of(og);
        std::string obj = objref(og);
        std::vector<KeyDiff> diffs = key_diffs(oa, ob);
        switch (role.kind) {
        case RoleKind::None:
            return; // unreachable in the signed revision: whatever now refers to it is judged
        case RoleKind::Catalog:
            judge_catalog(obj, oa, ob, diffs);
            return;
        case RoleKind::AcroForm:
            if (oa.isDictionary() && ob.isDictionary() && !oa.isStream())
                judge_acroform(obj, role.label, oa, ob);
            else
                add(Rule::AcroFormChanged, obj, role.label, describe(diffs));
            return;
        case RoleKind::FieldsArray:
            judge_field_array(obj, role.label, oa, ob);
            return;
        case RoleKind::AnnotsArray:
            judge_annots_array(obj, role.label, oa, ob);
            return;
        case RoleKind::Page:
            judge_page_keys(obj, role.label, oa, ob, diffs, Rule::PageChanged);
            return;
        case RoleKind::PageTree:
            judge_page_keys(obj, role.label, oa, ob, diffs, Rule::PageTreeChanged);
            return;
        case RoleKind::UnsignedSigField:
            judge_unsigned_sig_field(obj, role, oa, ob, diffs);
            return;
        case RoleKind::SigAppearance:
            if (signed_in_newer(role.field))
                add_unless_shared(og, Rule::SignatureFieldSigned, role.label,
                                  "appearance replaced when the field was signed", role.field);
            else
                add(Rule::FormFieldChanged, obj, role.label,
                    "appearance changed but the field was not signed", role.field);
            return;
        case RoleKind::FormField: {
            bool only_values = std::all_of(diffs.begin(), diffs.end(), [](const KeyDiff& d) {
                return d.key == "/V" || d.key == "/AS" || d.key == "/AP" || d.key == "/DA" ||
                       d.key == "/MK" || d.key == "/I";
            });
            if (only_values)
                add_unless_shared(og, Rule::FormFilled, role.label,
                                  "filled (" + describe(diffs) + ")", role.field);
            else
                add(Rule::FormFieldChanged, obj, role.label, describe(diffs), role.field);
            return;
        }
        case RoleKind::FormAppearance:
            add_unless_shared(og, Rule::FormFilled, role.label, "appearance updated", role.field);
            return;
        case RoleKind::FormResources:
            if (resources_bookkeeping(oa, ob))
                add_unless_shared(og, Rule::AcroFormUpdated, role.label,
                                  "resources updated (" + describe(diffs) + ")");
            else
                add(Rule::AcroFormChanged, obj, role.label, describe(diffs));
            return;
        case RoleKind::StructTree:
            judge_struct_tree(og, role, oa, ob, diffs);
            return;
        case RoleKind::Annotation:
            add_unless_shared(og, Rule::AnnotationChanged, role.label, describe(diffs));
            return;
        case RoleKind::Dss:
            add(Rule::DssUpdated, obj, role.label, "validation data updated");
            return;
        case RoleKind::Info:
            add_unless_shared(og, Rule::InfoUpdated, role.label, describe(diffs));
            return;
        case RoleKind::Metadata:
        case RoleKind::Extensions:
            add_unless_shared(og, Rule::MetadataUpdated, role.label, describe(diffs));
            return;
        case RoleKind::SignatureDict:
            add(Rule::SignatureDictionaryChanged, obj, role.label,
                "earlier signature dictionary modified: " + describe(diffs), role.field);
            return;
        case RoleKind::SignedField:
        case RoleKind::SignedAppearance:
            add(Rule::SignedFieldChanged, obj, role.label, describe(diffs), role.field);
            return;
        case RoleKind::CatalogOther:
            add(is_action_role(role) ? Rule::CatalogActionChanged : Rule::CatalogChanged, obj,
                role.label, describe(diffs));
            return;
        case RoleKind::OptionalContent:
            add(Rule::OptionalContentChanged, obj, role.label, describe(diffs));
            return;
        case RoleKind::PageResources:
            add(Rule::PageResourcesChanged, obj, role.label, describe(diffs));
            return;
        case RoleKind::PageContent:
            add(Rule::PageContentChanged, obj, role.label, describe(diffs));
            return;
        case RoleKind::Perms:
            add(Rule::PermissionsChanged, obj, role.label, describe(diffs));
            return;
        }
    }

    static bool is_action_role(const Role& role) {
        for (const char* key : {"catalog /OpenAction", "catalog /AA", "catalog /Names"})
            if (role.label.rfind(key, 0) == 0)
                return role.label.rfind("catalog /Names", 0) != 0 ||
                       role.label.find("JavaScript") != std::string::npos;
        return false;
    }

    // Field facts of an object as the newer revision's AcroForm sees it (a widget without /Parent
    // belongs to the field whose /Kids list it).
    FieldFacts facts_in_newer(QPDFObjectHandle item) const {
        FieldFacts f = field_facts(item);
        if (f.is_sig || !item.isIndirect())
            return f;
        auto it = rb_.roles.find(item.getObjGen());
        if (it == rb_.roles.end())
            return f;
        const Role& r = it->second;
        if (r.kind == RoleKind::SignedField || r.kind == RoleKind::UnsignedSigField) {
            auto field = rb_.fields.find(r.field);
            if (field != rb_.fields.end())
                return field_facts(field->second);
        }
        return f;
    }

    bool signed_in_newer(const std::string& field) const {
        auto it = rb_.fields.find(field);
        if (it == rb_.fields.end())
            return false;
        return field_facts(it->second).is_signed;
    }

    void judge_catalog(const std::string& obj, QPDFObjectHandle oa, QPDFObjectHandle ob,
                       const std::vector<KeyDiff>& diffs) {
        const std::string label = "document catalog";
        for (const KeyDiff& d : diffs) {
            const std::string& k = d.key;
            if (k == "/AcroForm") {
                judge_acroform(obj, "interactive form (/AcroForm)", oa.getKey(k), ob.getKey(k));
            } else if (k == "/DSS") {
                add(Rule::DssUpdated, obj, label, "/DSS " + d.what);
            } else if (k == "/Metadata" || k == "/Extensions" || k == "/Version" ||
                       is_private_key(k)) {
                add(Rule::MetadataUpdated, obj, label, k + " " + d.what);
            } else if (k == "/OCProperties") {
                add(Rule::OptionalContentChanged, obj, label,
                    "optional content (/OCProperties) " + d.what +
                        ": layer visibility can hide or show content");
            } else if (k == "/Perms") {
                add(Rule::PermissionsChanged, obj, label,
                    "permissions (/Perms) " + d.what + " after signing");
            } else if (k == "/Pages") {
                add(Rule::PageTreeChanged, obj, label, "page tree replaced");
            } else if (k == "/OpenAction" || k == "/AA") {
                add(Rule::CatalogActionChanged, obj, label, k + " " + d.what);
            } else if (k == "/Names" && names_javascript_changed(oa.getKey(k), ob.getKey(k))) {
                add(Rule::CatalogActionChanged, obj, label,
                    "document JavaScript (/Names) " + d.what);
            } else if (k == "/StructTreeRoot" && oa.getKey(k).isIndirect() &&
                       ob.getKey(k).isIndirect() &&
                       oa.getKey(k).getObjGen() == ob.getKey(k).getObjGen()) {
                continue; // the same object: compared on its own
            } else if (k == "/StructTreeRoot" && d.what != "removed") {
                QPDFObjectHandle before = oa.getKey(k);
                QPDFObjectHandle after = ob.getKey(k);
                if (!before.isDictionary())
                    before = QPDFObjectHandle::newDictionary();
                if (struct_bookkeeping(before, after, key_diffs(before, after)))
                    add(Rule::StructTreeUpdated, obj, label, "structure tree root replaced");
                else
                    add(Rule::CatalogChanged, obj, label, "/StructTreeRoot " + d.what);
            } else {
                add(Rule::CatalogChanged, obj, label, k + " " + d.what);
            }
        }
    }

    static bool names_javascript_changed(QPDFObjectHandle a, QPDFObjectHandle b) {
        std::string ja = a.isDictionary() ? a.getKey("/JavaScript").unparse() : "";
        std::string jb = b.isDictionary() ? b.getKey("/JavaScript").unparse() : "";
        return ja != jb;
    }

    void judge_acroform(const std::string& obj, const std::string& label, QPDFObjectHandle fa,
                        QPDFObjectHandle fb) {
        if (fa.isIndirect() && fb.isIndirect() && fa.getObjGen() == fb.getObjGen() &&
            obj != objref(fa.getObjGen()))
            return; // the same object: compared on its own
        if (!fb.isDictionary()) {
            if (fa.isDictionary())
                add(Rule::AcroFormChanged, obj, label, "removed");
            return;
        }
        QPDFObjectHandle empty = QPDFObjectHandle::newDictionary();
        QPDFObjectHandle a = fa.isDictionary() ? fa : empty;
        for (const KeyDiff& d : key_diffs(a, fb)) {
            if (d.key == "/Fields") {
                judge_field_array(obj, "AcroForm /Fields", a.getKey("/Fields"),
                                  fb.getKey("/Fields"));
            } else if (d.key == "/SigFlags") {
                add(Rule::AcroFormUpdated, obj, label, "/SigFlags " + d.what);
            } else if ((d.key == "/DA" || d.key == "/DR") && d.what == "added") {
                add(Rule::AcroFormUpdated, obj, label, d.key + " added");
            } else if (d.key == "/DR" && d.what == "changed" &&
                       resources_bookkeeping(a.getKey("/DR"), fb.getKey("/DR"))) {
                add(Rule::AcroFormUpdated, obj, label, "/DR resources updated");
            } else if (d.key == "/NeedAppearances" || d.key == "/Q") {
                add(Rule::FormFilled, obj, label, d.key + " " + d.what);
            } else {
                add(Rule::AcroFormChanged, obj, label, d.key + " " + d.what);
            }
        }
    }

    // The AcroForm's default resources only serve to build appearances of fields that have
    // none; signers add the font or the form XObject their own appearance uses, or replace the
    // one an earlier signer put there. That is bookkeeping, unless the newer AcroForm asks
    // viewers to rebuild appearances (/NeedAppearances), when a replaced resource would change
    // what the fields show.
    bool resources_bookkeeping(QPDFObjectHandle a, QPDFObjectHandle b) const {
        QPDFObjectHandle form = b_.qpdf->getRoot().getKey("/AcroForm");
        QPDFObjectHandle need =
            form.isDictionary() ? form.getKey("/NeedAppearances") : QPDFObjectHandle::newNull();
        if (!(need.isBool() && need.getBoolValue()))
            return true;
        if (a.isIndirect() && b.isIndirect() && a.getObjGen() == b.getObjGen())
            return true; // the same object, judged on its own
        if (!a.isDictionary() || !b.isDictionary())
            return !a.isDictionary() && b.isDictionary();
        for (const std::string& category : a.getKeys()) {
            QPDFObjectHandle ca = a.getKey(category);
            QPDFObjectHandle cb = b.getKey(category);
            if (equivalent(ca, cb))
                continue;
            if (!ca.isDictionary() || !cb.isDictionary())
                return false;
            for (const std::string& name : ca.getKeys())
                if (!cb.hasKey(name) || !equivalent(cb.getKey(name), ca.getKey(name)))
                    return false;
        }
        return true;
    }

    void judge_page_keys(const std::string& obj, const std::string& label, QPDFObjectHandle oa,
                         QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs, Rule otherwise) {
        if (!oa.isDictionary() || !ob.isDictionary() || oa.isStream()) {
            add(otherwise, obj, label, describe(diffs));
            return;
        }
        for (const KeyDiff& d : diffs) {
            if (d.key == "/Annots" && otherwise == Rule::PageChanged)
                judge_annots_array(obj, label + " /Annots", oa.getKey("/Annots"),
                                   ob.getKey("/Annots"));
            else if (is_private_key(d.key))
                add(Rule::MetadataUpdated, obj, label, d.key + " " + d.what);
            else if (otherwise == Rule::PageChanged &&
                     ((d.key == "/StructParents" && d.what == "added") || d.key == "/Tabs"))
                add(Rule::StructTreeUpdated, obj, label, d.key + " " + d.what);
            else
                add(otherwise, obj, label, d.key + " " + d.what);
        }
    }

    // Bookkeeping a new widget brings to a tagged document: the root's /ParentTree and
    // /ParentTreeNextKey, number-tree nodes that only gain entries, elements whose /K only gains
    // kids. Anything else in the structure tree (alternate text, roles, removed kids) changes
    // what assistive technology reads and is not bookkeeping.
    static bool struct_bookkeeping(QPDFObjectHandle oa, QPDFObjectHandle ob,
                                   const std::vector<KeyDiff>& diffs) {
        if (oa.isArray() && ob.isArray())
            return only_grew(oa, ob);
        if (!oa.isDictionary() || !ob.isDictionary() || oa.isStream())
            return false;
        return std::all_of(diffs.begin(), diffs.end(), [&](const KeyDiff& d) {
            if (d.key == "/ParentTreeNextKey" || d.key == "/ParentTree" || d.key == "/Limits")
                return true;
            if ((d.key == "/RoleMap" || d.key == "/ClassMap" || d.key == "/IDTree") &&
                d.what == "added")
                return true;
            return (d.key == "/K" || d.key == "/Nums" || d.key == "/Kids") &&
                   only_grew(oa.getKey(d.key), ob.getKey(d.key));
        });
    }

    void judge_struct_tree(QPDFObjGen og, const Role& role, QPDFObjectHandle oa,
                           QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs) {
        if (struct_bookkeeping(oa, ob, diffs))
            add_unless_shared(og, Rule::StructTreeUpdated, role.label,
                              "entries added (" + describe(diffs) + ")");
        else
            add(Rule::CatalogChanged, objref(og), role.label, describe(diffs));
    }

    // Old entries must all survive; each new entry is classified.
    template <class Classify>
    void judge_array(const std::string& obj, QPDFObjectHandle xa, QPDFObjectHandle xb,
                     Classify classify_new, const std::function<void(QPDFObjectHandle)>& removed) {
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
    }

    bool existed_before(QPDFObjectHandle h) const {
        return h.isIndirect() && a_.xref.count(h.getObjGen()) > 0 &&
               ra_.roles.count(h.getObjGen()) > 0;
    }

    // An item an earlier revision already had, now put into a field or annotation array: it
    // changes what that revision's signatures cover. True when `item` was judged so, false when
    // it is new and the caller judges it.
    bool judged_as_reused(const std::string& ref, QPDFObjectHandle item,
                          const std::string& change) {
        if (!existed_before(item))
            return false;
        Role r = role_of(item.getObjGen());
        add(Rule::ObjectReused, ref, r.label, change, r.field);
        return true;
    }

    void judge_field_array(const std::string& obj, const std::string& label, QPDFObjectHandle xa,
                           QPDFObjectHandle xb) {
        judge_array(
            obj, xa, xb,
            [&](QPDFObjectHandle item) {
                std::string ref = item.isIndirect() ? objref(item.getObjGen()) : obj;
                if (judged_as_reused(ref, item, "existing object moved into " + label))
                    return;
                auto f = facts_in_newer(item);
                if (f.doc_timestamp)
                    add(Rule::DocumentTimestampAdded, ref, "document timestamp field " + f.name,
                        "document timestamp added", f.name);
                else if (f.is_sig)
                    add(Rule::SignatureFieldAdded, ref, "signature field " + f.name,
                        "new signature field added", f.name);
                else
                    add(Rule::FormFieldAdded, ref, "form field " + name_or(f.name, "?"),
                        "new form field added", f.name);
            },
            [&](QPDFObjectHandle item) {
                auto f = field_facts(item);
                add(Rule::FieldRemoved, obj, label,
                    "field " + name_or(f.name, item.unparse()) + " removed", f.name);
            });
    }

    void judge_annots_array(const std::string& obj, const std::string& label, QPDFObjectHandle xa,
                            QPDFObjectHandle xb) {
        judge_array(
            obj, xa, xb,
            [&](QPDFObjectHandle item) {
                std::string ref = item.isIndirect() ? objref(item.getObjGen()) : obj;
                // An empty signature field that was not on a page yet gets its widget shown
                // when it is signed (document timestamps placed in prepared fields do this).
                if (existed_before(item) &&
                    role_of(item.getObjGen()).kind == RoleKind::UnsignedSigField) {
                    auto f = facts_in_newer(item);
                    add(Rule::SignatureWidgetAdded, ref, "signature field " + name_or(f.name, "?"),
                        "existing empty signature field's widget added to " + label, f.name);
                    return;
                }
                if (judged_as_reused(ref, item, "existing object added to " + label))
                    return;
                if (!item.isDictionary())
                    return;
                if (is_name(item.getKey("/Subtype"), "/Widget")) {
                    auto f = facts_in_newer(item);
                    if (f.is_sig)
                        add(Rule::SignatureWidgetAdded, ref,
                            (f.doc_timestamp ? "document timestamp field " : "signature field ") +
                                f.name,
                            "widget added to " + label, f.name);
                    else
                        add(Rule::FormFieldAdded, ref, "form field " + name_or(f.name, "?"),
                            "new form field widget added to " + label, f.name);
                    return;
                }
                std::string sub =
                    item.getKey("/Subtype").isName() ? item.getKey("/Subtype").getName() : "/?";
                add(Rule::AnnotationChanged, ref, sub.substr(1) + " annotation",
                    "annotation added to " + label);
            },
            [&](QPDFObjectHandle item) {
                Role r = item.isIndirect() ? role_of(item.getObjGen()) : Role{};
                add(r.kind == RoleKind::Annotation ? Rule::AnnotationChanged : Rule::FieldRemoved,
                    obj, label,
                    (r.label.empty() ? item.unparse() : r.label) + " removed from the page",
                    r.field);
            });
    }

    void judge_unsigned_sig_field(const std::string& obj, const Role& role, QPDFObjectHandle oa,
                                  QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs) {
        bool now_signed = field_facts(ob).is_signed || signed_in_newer(role.field);
        std::vector<std::string> fine, bad;
        for (const KeyDiff& d : diffs) {
            // Signing an empty field gives it its value and its own appearance, where the
            // signer puts it.
            if (d.key == "/V" || d.key == "/AP" || d.key == "/AS" || d.key == "/MK" ||
                d.key == "/DA" || d.key == "/F" || d.key == "/DR" || d.key == "/Rect")
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
            add(Rule::SignatureFieldSigned, obj, role.label, "signed (" + join(fine) + ")",
                role.field);
        if (!bad.empty())
            add(Rule::FormFieldChanged, obj, role.label, join(bad), role.field);
    }

    pdf::RevisionView& a_;
    RoleMap& ra_;
    pdf::RevisionView& b_;
    RoleMap& rb_;
    std::vector<FoundChange> out_;
};

} // namespace

std::vector<FoundChange> diff_revisions(pdf::RevisionView& older, RoleMap& older_roles,
                                        pdf::RevisionView& newer, RoleMap& newer_roles) {
    return Differ(older, older_roles, newer, newer_roles).run();
}

} // namespace neac::verify::detail
