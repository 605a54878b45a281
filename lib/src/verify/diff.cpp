#include "verify/differ.hpp"

#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>

namespace neac::verify::detail {

std::vector<FoundChange> Differ::run() {
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
        add(r->second.kind == RoleKind::Annotation ? Rule::AnnotationChanged : Rule::ObjectDeleted,
            objref(og), r->second.label, "object deleted", r->second.field);
    }
    return std::move(out_);
}

bool Differ::same_entry(const QPDFXRefEntry& x, const QPDFXRefEntry& y) const {
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

bool Differ::is_container(QPDFObjectHandle h) {
    if (!h.isStream())
        return false;
    QPDFObjectHandle t = h.getDict().getKey("/Type");
    return is_name(t, "/ObjStm") || is_name(t, "/XRef");
}

void Differ::add(Rule rule, const std::string& object, const std::string& what,
                 const std::string& description, const std::string& field) {
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

void Differ::add_unless_shared(QPDFObjGen og, Rule rule, const std::string& what,
                               const std::string& description, const std::string& field) {
    auto other = ra_.other_uses.find(og);
    if (other != ra_.other_uses.end() && rule_info(rule).category != ChangeCategory::Forbidden)
        add(Rule::ObjectReused, objref(og), what,
            description + ", but the object is also " + other->second.label, field);
    else
        add(rule, objref(og), what, description, field);
}

void Differ::compare_trailers() {
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

Role Differ::role_of(QPDFObjGen og) const {
    auto it = ra_.roles.find(og);
    if (it != ra_.roles.end())
        return it->second;
    return Role{};
}

std::string Differ::name_or(const std::string& n, const std::string& fallback) {
    return n.empty() ? fallback : n;
}

void Differ::judge(QPDFObjGen og, QPDFObjectHandle oa, QPDFObjectHandle ob) {
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
            add_unless_shared(og, Rule::FormFilled, role.label, "filled (" + describe(diffs) + ")",
                              role.field);
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

bool Differ::is_action_role(const Role& role) {
    return role.label.rfind("catalog /OpenAction", 0) == 0 ||
           role.label.rfind("catalog /AA", 0) == 0;
}

FieldFacts Differ::facts_in_newer(QPDFObjectHandle item) const {
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

bool Differ::signed_in_newer(const std::string& field) const {
    auto it = rb_.fields.find(field);
    if (it == rb_.fields.end())
        return false;
    return field_facts(it->second).is_signed;
}

void Differ::judge_catalog(const std::string& obj, QPDFObjectHandle oa, QPDFObjectHandle ob,
                           const std::vector<KeyDiff>& diffs) {
    const std::string label = "document catalog";
    for (const KeyDiff& d : diffs) {
        const std::string& k = d.key;
        if (k == "/AcroForm") {
            judge_acroform(obj, "interactive form (/AcroForm)", oa.getKey(k), ob.getKey(k));
        } else if (k == "/DSS") {
            add(Rule::DssUpdated, obj, label, "/DSS " + d.what);
        } else if (k == "/Metadata" || k == "/Extensions" || k == "/Version" || is_private_key(k)) {
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
            add(Rule::CatalogActionChanged, obj, label, "document JavaScript (/Names) " + d.what);
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

bool Differ::names_javascript_changed(QPDFObjectHandle a, QPDFObjectHandle b) {
    std::string ja = a.isDictionary() ? a.getKey("/JavaScript").unparse() : "";
    std::string jb = b.isDictionary() ? b.getKey("/JavaScript").unparse() : "";
    return ja != jb;
}

void Differ::judge_acroform(const std::string& obj, const std::string& label, QPDFObjectHandle fa,
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
            judge_field_array(obj, "AcroForm /Fields", a.getKey("/Fields"), fb.getKey("/Fields"));
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

bool Differ::resources_bookkeeping(QPDFObjectHandle a, QPDFObjectHandle b) const {
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

void Differ::judge_page_keys(const std::string& obj, const std::string& label, QPDFObjectHandle oa,
                             QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs,
                             Rule otherwise) {
    if (!oa.isDictionary() || !ob.isDictionary() || oa.isStream()) {
        add(otherwise, obj, label, describe(diffs));
        return;
    }
    for (const KeyDiff& d : diffs) {
        if (d.key == "/Annots" && otherwise == Rule::PageChanged)
            judge_annots_array(obj, label + " /Annots", oa.getKey("/Annots"), ob.getKey("/Annots"));
        else if (is_private_key(d.key))
            add(Rule::MetadataUpdated, obj, label, d.key + " " + d.what);
        else if (otherwise == Rule::PageChanged &&
                 ((d.key == "/StructParents" && d.what == "added") || d.key == "/Tabs"))
            add(Rule::StructTreeUpdated, obj, label, d.key + " " + d.what);
        else
            add(otherwise, obj, label, d.key + " " + d.what);
    }
}

std::vector<FoundChange> diff_revisions(pdf::RevisionView& older, RoleMap& older_roles,
                                        pdf::RevisionView& newer, RoleMap& newer_roles) {
    return Differ(older, older_roles, newer, newer_roles).run();
}

} // namespace neac::verify::detail
