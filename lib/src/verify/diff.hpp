// Difference analysis between two revisions of a document: every object whose cross-reference
// entry changed is compared by content, and every real change is explained by what the object is
// in the older revision (its role, found by walking the object graph from the trailer) and by what
// changed in it. Each change carries one named rule (change_rules.hpp); rules follow
// ISO 32000-1 §12.8.2 (DocMDP) and what signers actually write (neac, pyHanko, iText, PDFBox,
// mutool, pdfsig, Adobe).
#pragma once

#include "neac/pdf/revisions.hpp"
#include "neac/verify/report.hpp"
#include "verify/change_rules.hpp"

#include <qpdf/QPDF.hh>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace neac::verify::detail {

enum class RoleKind {
    // Ordered from the least to the most restrictive: when an object plays several roles, the
    // most restrictive decides (and the others are remembered, see RoleMap::other_uses).
    None,
    Info,
    Dss,
    StructTree,       // the structure tree (tagged PDF): root, elements, parent tree
    Annotation,       // a non-widget annotation and what hangs from it
    FormAppearance,   // /AP of a form-field widget
    FormField,        // a non-signature field or its widget
    SigAppearance,    // /AP of an unsigned signature field's widget
    UnsignedSigField, // an unsigned signature field or its widget
    Metadata,         // catalog /Metadata (XMP)
    Extensions,       // catalog /Extensions
    FormResources,    // AcroForm /DR
    AcroForm,         // the AcroForm dictionary
    FieldsArray,      // AcroForm /Fields or a field's /Kids
    AnnotsArray,      // a page's /Annots
    CatalogOther,     // other catalog entries (/Names, /Outlines, ...)
    SignedAppearance, // /AP of a signed field's widget
    SignedField,      // a signed signature field or its widget
    SignatureDict,    // a signature dictionary (value of a signed field)
    OptionalContent,  // /OCProperties (shadow attacks toggle visibility)
    PageResources,    // fonts, images, XObjects of a page
    PageContent,      // a page content stream
    Page,             // a page dictionary
    PageTree,         // an intermediate /Pages node
    Perms,            // catalog /Perms
    Catalog,          // the document catalog
};

struct Role {
    RoleKind kind = RoleKind::None;
    std::string label; // "page 2 content stream", "signature field Sig1", "catalog /Names"
    std::string field; // fully qualified field name when the role belongs to a field
};

// Roles of the indirect objects reachable from a revision's trailer.
struct RoleMap {
    std::map<QPDFObjGen, Role> roles;
    // Objects reached in more than one role (by kind or by field): a less restrictive use that
    // the primary role hides. A change that the primary role would allow is not allowed when it
    // also changes this other use (one appearance stream shared by two widgets, say).
    std::map<QPDFObjGen, Role> other_uses;
    std::map<std::string, QPDFObjectHandle> fields; // fully qualified name -> field dictionary
    std::set<QPDFObjGen> signed_fields;             // fields (and widgets) with a /V signature
    bool truncated = false;                         // the walk hit its size limit
};
RoleMap build_roles(QPDF& q);

// Field facts of a widget or field: fully qualified name, type, whether it is signed.
struct FieldFacts {
    std::string name;
    bool is_sig = false;
    bool is_signed = false;
    bool doc_timestamp = false;
};
FieldFacts field_facts(QPDFObjectHandle field);

// One change with the field it concerns (for FieldMDP).
struct FoundChange {
    Change change;
    std::string field;
};

// Compares revision `older` with `newer` (the same file, newer is a later revision). The
// revision number recorded in each change is newer.info.number. Throws QPDF's exceptions when
// objects cannot be read; the caller turns them into verdicts.
std::vector<FoundChange> diff_revisions(pdf::RevisionView& older, RoleMap& older_roles,
                                        pdf::RevisionView& newer, RoleMap& newer_roles);

} // namespace neac::verify::detail
