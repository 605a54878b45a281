#include "verify/verifier.hpp"

#include <algorithm>
#include <set>

namespace neac::verify::detail {

pdf::RevisionView* FileVerifier::view(int number) {
    if (number < 1 || number > static_cast<int>(revisions_.size()))
        return nullptr;
    auto it = views_.find(number);
    if (it != views_.end())
        return it->second.get();
    auto v = std::make_unique<pdf::RevisionView>();
    v->info = revisions_[static_cast<std::size_t>(number - 1)];
    try {
        v->qpdf = pdf::open_revision(file_, std::min<std::uint64_t>(v->info.end, file_->size()));
        v->xref = v->qpdf->getXRefTable();
        v->warnings = pdf::warning_lines(*v->qpdf);
        note_pdf_warnings(" (revision " + std::to_string(number) + ")", v->warnings);
    } catch (const QPDFExc& e) {
        v->error = describe_qpdf(e);
        v->qpdf.reset();
    } catch (const std::exception& e) {
        v->error = e.what();
        v->qpdf.reset();
    }
    pdf::RevisionView* raw = v.get();
    views_[number] = std::move(v);
    return raw;
}

RoleMap& FileVerifier::roles(int number) {
    auto it = roles_.find(number);
    if (it != roles_.end())
        return it->second;
    pdf::RevisionView* v = view(number);
    RoleMap map;
    if (v && v->qpdf)
        map = build_roles(*v->qpdf);
    return roles_[number] = std::move(map);
}

int FileVerifier::permission_for(const SigWork& w) const {
    int p = 0;
    for (const SigWork& o : work_)
        if (o.r.docmdp > 0 && o.revision > 0 && o.revision <= w.revision)
            p = p == 0 ? o.r.docmdp : std::min(p, o.r.docmdp);
    bool certified_field =
        std::any_of(work_.begin(), work_.end(), [](const SigWork& o) { return o.r.docmdp > 0; });
    // /Perms names a certification that is no signature field: apply it to every signature.
    if (p == 0 && report_.docmdp > 0 && (!certified_field || w.r.docmdp > 0))
        p = report_.docmdp;
    for (const SigWork& o : work_)
        if (o.lock_p > 0 && o.revision > 0 && o.revision <= w.revision)
            p = p == 0 ? o.lock_p : std::min(p, o.lock_p);
    return p;
}

void FileVerifier::classify(Change& c, int p, const std::string& field, const SigWork& w) {
    const Policy& pol = ctx_.policy;
    c.allowed = false;
    c.warning = false;
    switch (c.category) {
    case ChangeCategory::Dss:
    case ChangeCategory::Timestamp:
        c.allowed = true; // ISO 32000-2: not a change for DocMDP, even P=1
        break;
    case ChangeCategory::Signature:
        c.allowed = p != 1;
        break;
    case ChangeCategory::Form:
        // ISO 32000-1 §12.8.2.2: filling in forms is what P=2 and P=3 permit, and an approval
        // signature without DocMDP permits it too; people should still see it.
        c.allowed = p != 1 && !pol.forbid_forms;
        c.warning = c.allowed && !pol.allow_forms;
        break;
    case ChangeCategory::Annotation:
        c.allowed = (p == 0 || p == 3) && !pol.forbid_annotations;
        c.warning = c.allowed && !pol.allow_annotations;
        break;
    case ChangeCategory::Metadata:
        c.allowed = p != 1;
        c.warning = c.allowed;
        break;
    case ChangeCategory::Forbidden:
        break;
    }
    // FieldMDP: fields locked by this or an earlier signature keep their value.
    if (c.allowed && !field.empty() &&
        (c.category == ChangeCategory::Form || c.category == ChangeCategory::Signature)) {
        for (const SigWork& o : work_) {
            if (o.revision <= 0 || o.revision > w.revision || o.locked.empty())
                continue;
            if (std::find(o.locked.begin(), o.locked.end(), field) != o.locked.end() &&
                field != o.r.field) {
                c.allowed = false;
                c.warning = false;
                c.description += " (locked by signature " + o.r.field + ", FieldMDP)";
            }
        }
    }
}

void FileVerifier::changes(SigWork& w) {
    SignatureReport& r = w.r;
    if (!w.structure_ok || w.revision == 0)
        return;
    int last = static_cast<int>(revisions_.size());
    if (w.revision >= last)
        return; // nothing after it
    pdf::RevisionView* signed_view = view(w.revision);
    auto unknown = [&](const std::string& why) {
        fail_format(w, why + ": what changed after signing is unknown");
    };
    if (!signed_view || !signed_view->qpdf) {
        unknown("the signed revision cannot be read on its own (" +
                (signed_view ? signed_view->error : std::string("no such revision")) + ")");
        return;
    }
    auto in_rev = signed_view->xref.find(w.og);
    auto in_final = final_.xref.find(w.og);
    if (in_rev == signed_view->xref.end()) {
        fail_format(w, "the signature dictionary is not part of the revision it signs");
        return;
    }
    if (in_final == final_.xref.end() || in_final->second.getType() != 1 ||
        in_rev->second.getType() != 1 ||
        in_final->second.getOffset() != in_rev->second.getOffset()) {
        fail_format(w, "the signature dictionary was replaced by a later revision");
    }
    int p = permission_for(w);
    std::set<std::string> seen;
    for (int j = w.revision + 1; j <= last; ++j) {
        pdf::RevisionView* later = view(j);
        if (!later || !later->qpdf) {
            unknown("revision " + std::to_string(j) + " cannot be read (" +
                    (later ? later->error : std::string("no such revision")) + ")");
            continue;
        }
        RoleMap& older_roles = roles(w.revision);
        RoleMap& newer_roles = roles(j);
        if (older_roles.truncated || newer_roles.truncated) {
            unknown("the document structure is too large to compare revisions");
            return;
        }
        std::vector<FoundChange> found;
        try {
            found = diff_revisions(*signed_view, older_roles, *later, newer_roles);
        } catch (const std::exception& e) {
            unknown("revision " + std::to_string(j) +
                    " cannot be compared with the signed revision (" + e.what() + ")");
            continue;
        }
        for (FoundChange& fc : found) {
            std::string key = fc.change.rule + "|" + fc.change.object + "|" + fc.change.description;
            if (!seen.insert(key).second)
                continue;
            classify(fc.change, p, fc.field, w);
            r.changes.push_back(fc.change);
        }
    }
    for (const Change& c : r.changes) {
        if (!c.allowed) {
            r.changes_ok = false;
            if (c.category != ChangeCategory::Forbidden && p > 0)
                r.docmdp_ok = false;
        }
    }
    if (!r.changes_ok) {
        std::string first;
        int n = 0;
        for (const Change& c : r.changes)
            if (!c.allowed) {
                if (n++ == 0)
                    first = c.what + " (" + c.object + "): " + c.description;
            }
        r.errors.push_back("changed after signing: " + first +
                           (n > 1 ? " (and " + std::to_string(n - 1) + " more)" : ""));
    }
    for (const Change& c : r.changes)
        if (c.allowed && c.warning)
            r.warnings.push_back("after signing: " + c.what + ": " + c.description);
}

void FileVerifier::revision_infos() {
    for (std::size_t i = 0; i < revisions_.size(); ++i) {
        RevisionInfo info;
        info.number = static_cast<int>(i) + 1;
        info.end = static_cast<std::int64_t>(revisions_[i].end);
        info.xref = revisions_[i].xref_kind;
        for (const SigWork& w : work_)
            if (w.revision == info.number)
                info.signatures.push_back(w.r.field);
        // Per-revision changes only for files with a few revisions (history needs them; the
        // cost is one parse per revision).
        if (i > 0 && revisions_.size() <= 64) {
            pdf::RevisionView* older = view(info.number - 1);
            pdf::RevisionView* newer = view(info.number);
            if (older && newer && older->qpdf && newer->qpdf && older->error.empty() &&
                newer->error.empty()) {
                try {
                    auto& ro = roles(info.number - 1);
                    auto& rn = roles(info.number);
                    for (auto& fc : diff_revisions(*older, ro, *newer, rn))
                        info.changes.push_back(fc.change);
                } catch (const std::exception& e) {
                    report_.warnings.push_back("revision " + std::to_string(info.number) +
                                               " could not be compared: " + e.what());
                }
            }
        }
        report_.revisions.push_back(std::move(info));
    }
}

} // namespace neac::verify::detail
