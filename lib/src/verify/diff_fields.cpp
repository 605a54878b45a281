#include "verify/differ.hpp"

#include <qpdf/QPDFObjectHandle.hh>

#include <algorithm>
#include <set>

namespace neac::verify::detail {

bool Differ::struct_bookkeeping(QPDFObjectHandle oa, QPDFObjectHandle ob,
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

void Differ::judge_struct_tree(QPDFObjGen og, const Role& role, QPDFObjectHandle oa,
                               QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs) {
    if (struct_bookkeeping(oa, ob, diffs))
        add_unless_shared(og, Rule::StructTreeUpdated, role.label,
                          "entries added (" + describe(diffs) + ")");
    else
        add(Rule::CatalogChanged, objref(og), role.label, describe(diffs));
}

// Old entries must all survive; each new entry is classified.
template <class Classify>
void Differ::judge_array(const std::string& obj, QPDFObjectHandle xa, QPDFObjectHandle xb,
                         Classify classify_new,
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
}

bool Differ::existed_before(QPDFObjectHandle h) const {
    return h.isIndirect() && a_.xref.count(h.getObjGen()) > 0 && ra_.roles.count(h.getObjGen()) > 0;
}

bool Differ::judged_as_reused(const std::string& ref, QPDFObjectHandle item,
                              const std::string& change) {
    if (!existed_before(item))
        return false;
    Role r = role_of(item.getObjGen());
    add(Rule::ObjectReused, ref, r.label, change, r.field);
    return true;
}

void Differ::judge_field_array(const std::string& obj, const std::string& label,
                               QPDFObjectHandle xa, QPDFObjectHandle xb) {
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

namespace {

// A widget /Rect that shows nothing: missing, malformed, or of zero width or height.
bool zero_area(QPDFObjectHandle rect) {
    if (!rect.isArray() || rect.getArrayNItems() != 4)
        return true;
    double v[4];
    for (int i = 0; i < 4; ++i) {
        QPDFObjectHandle n = rect.getArrayItem(i);
        if (!n.isNumber())
            return true;
        v[i] = n.getNumericValue();
    }
    return v[0] == v[2] || v[1] == v[3];
}

} // namespace

void Differ::judge_annots_array(const std::string& obj, const std::string& label,
                                QPDFObjectHandle xa, QPDFObjectHandle xb) {
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
                // A document timestamp's invisible widget is part of the timestamp (ISO 32000-2
                // §12.8.2.2.2: no change for DocMDP); a visible one could show anything, so it
                // stays a new signature widget.
                if (f.doc_timestamp && zero_area(item.getKey("/Rect")))
                    add(Rule::DocumentTimestampAdded, ref, "document timestamp field " + f.name,
                        "invisible widget added to " + label, f.name);
                else if (f.is_sig)
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
            add(r.kind == RoleKind::Annotation ? Rule::AnnotationChanged : Rule::FieldRemoved, obj,
                label, (r.label.empty() ? item.unparse() : r.label) + " removed from the page",
                r.field);
        });
}

void Differ::judge_unsigned_sig_field(const std::string& obj, const Role& role, QPDFObjectHandle oa,
                                      QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs) {
    bool now_signed = field_facts(ob).is_signed || signed_in_newer(role.field);
    std::vector<std::string> fine, bad;
    for (const KeyDiff& d : diffs) {
        // Signing an empty field gives it its value and its own appearance, where the
        // signer puts it.
        if (d.key == "/V" || d.key == "/AP" || d.key == "/AS" || d.key == "/MK" || d.key == "/DA" ||
            d.key == "/F" || d.key == "/DR" || d.key == "/Rect")
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
        add(Rule::SignatureFieldSigned, obj, role.label, "signed (" + join(fine) + ")", role.field);
    if (!bad.empty())
        add(Rule::FormFieldChanged, obj, role.label, join(bad), role.field);
}

} // namespace neac::verify::detail
