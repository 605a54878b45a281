// The revision diff's worker, private to lib/src/verify: one comparison of two revisions, split
// over diff.cpp (the walk over changed objects, catalog, AcroForm, pages) and diff_fields.cpp
// (field and annotation arrays, empty signature fields, the structure tree).
#pragma once

#include "verify/compare.hpp"
#include "verify/diff.hpp"

#include <functional>
#include <string>
#include <vector>

namespace neac::verify::detail {

std::string objref(QPDFObjGen og); // "12 0 R"

inline bool is_name(QPDFObjectHandle h, const char* name) {
    return h.isName() && h.getName() == name;
}

// Keys producers add for their own bookkeeping, which no viewer renders.
inline bool is_private_key(const std::string& key) {
    return key == "/ITXT" || key == "/PieceInfo" || key == "/LastModified";
}

class Differ {
public:
    Differ(pdf::RevisionView& older, RoleMap& older_roles, pdf::RevisionView& newer,
           RoleMap& newer_roles)
        : a_(older), ra_(older_roles), b_(newer), rb_(newer_roles) {}

    std::vector<FoundChange> run();

private:
    bool same_entry(const QPDFXRefEntry& x, const QPDFXRefEntry& y) const;

    static bool is_container(QPDFObjectHandle h);

    void add(Rule rule, const std::string& object, const std::string& what,
             const std::string& description, const std::string& field = "");

    // For a change its role would allow: when the object also serves another use in the signed
    // revision, the change reaches that use too and is named as such.
    void add_unless_shared(QPDFObjGen og, Rule rule, const std::string& what,
                           const std::string& description, const std::string& field = "");

    void compare_trailers();

    Role role_of(QPDFObjGen og) const;

    static std::string name_or(const std::string& n, const std::string& fallback);

    void judge(QPDFObjGen og, QPDFObjectHandle oa, QPDFObjectHandle ob);

    static bool is_action_role(const Role& role);

    // Field facts of an object as the newer revision's AcroForm sees it (a widget without /Parent
    // belongs to the field whose /Kids list it).
    FieldFacts facts_in_newer(QPDFObjectHandle item) const;

    bool signed_in_newer(const std::string& field) const;

    void judge_catalog(const std::string& obj, QPDFObjectHandle oa, QPDFObjectHandle ob,
                       const std::vector<KeyDiff>& diffs);

    static bool names_javascript_changed(QPDFObjectHandle a, QPDFObjectHandle b);

    void judge_acroform(const std::string& obj, const std::string& label, QPDFObjectHandle fa,
                        QPDFObjectHandle fb);

    // The AcroForm's default resources only serve to build appearances of fields that have
    // none; signers add the font or the form XObject their own appearance uses, or replace the
    // one an earlier signer put there. That is bookkeeping, unless the newer AcroForm asks
    // viewers to rebuild appearances (/NeedAppearances), when a replaced resource would change
    // what the fields show.
    bool resources_bookkeeping(QPDFObjectHandle a, QPDFObjectHandle b) const;

    void judge_page_keys(const std::string& obj, const std::string& label, QPDFObjectHandle oa,
                         QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs, Rule otherwise);

    // Bookkeeping a new widget brings to a tagged document: the root's /ParentTree and
    // /ParentTreeNextKey, number-tree nodes that only gain entries, elements whose /K only gains
    // kids. Anything else in the structure tree (alternate text, roles, removed kids) changes
    // what assistive technology reads and is not bookkeeping.
    static bool struct_bookkeeping(QPDFObjectHandle oa, QPDFObjectHandle ob,
                                   const std::vector<KeyDiff>& diffs);

    void judge_struct_tree(QPDFObjGen og, const Role& role, QPDFObjectHandle oa,
                           QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs);

    // Old entries must all survive; each new entry is classified.
    template <class Classify>
    void judge_array(const std::string& obj, QPDFObjectHandle xa, QPDFObjectHandle xb,
                     Classify classify_new, const std::function<void(QPDFObjectHandle)>& removed);

    bool existed_before(QPDFObjectHandle h) const;

    // An item an earlier revision already had, now put into a field or annotation array: it
    // changes what that revision's signatures cover. True when `item` was judged so, false when
    // it is new and the caller judges it.
    bool judged_as_reused(const std::string& ref, QPDFObjectHandle item, const std::string& change);

    void judge_field_array(const std::string& obj, const std::string& label, QPDFObjectHandle xa,
                           QPDFObjectHandle xb);

    void judge_annots_array(const std::string& obj, const std::string& label, QPDFObjectHandle xa,
                            QPDFObjectHandle xb);

    void judge_unsigned_sig_field(const std::string& obj, const Role& role, QPDFObjectHandle oa,
                                  QPDFObjectHandle ob, const std::vector<KeyDiff>& diffs);

    pdf::RevisionView& a_;
    RoleMap& ra_;
    pdf::RevisionView& b_;
    RoleMap& rb_;
    std::vector<FoundChange> out_;
};

} // namespace neac::verify::detail
