// Difference analysis between two revisions of a document: every object whose cross-reference
// entry changed is compared by content, and every real change is explained by what the object is
// in the older revision (its role, found by walking the object graph from the trailer) and by what
// changed in it. Rules follow ISO 32000-1 §12.8.2 (DocMDP) and what signers actually write
// (neac, pyHanko, mutool, pdfsig, Adobe): new signature fields and their widgets, appearance and
// AcroForm bookkeeping, DSS, document timestamps, annotations, form filling. Whatever no rule
// explains is a Forbidden change, named by the object and its role.
#pragma once

#include "neac/verify/report.hpp"
#include "verify/revisions.hpp"

#include <qpdf/QPDF.hh>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace neac::verify::detail {

enum class RoleKind {
    // Ordered from the least to the most restrictive: when an object plays several roles, the
    // most restrictive decides.
    None,
    Info,
    Dss,
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
    CatalogOther,     // other catalog entries (/Names, /Outlines, /StructTreeRoot, ...)
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
    std::map<std::string, QPDFObjectHandle> fields; // fully qualified name -> field dictionary
    std::set<QPDFObjGen> signed_fields;             // fields (and widgets) with a /V signature
    bool truncated = false;                         // the walk hit its size limit
};
RoleMap build_roles(QPDF& q);

// One change with the field it concerns (for FieldMDP).
struct FoundChange {
    Change change;
    std::string field;
};

// Compares revision `older` with `newer` (the same file, newer is a later revision). The
// revision number recorded in each change is newer.info.number. Throws QPDF's exceptions when
// objects cannot be read; the caller turns them into verdicts.
std::vector<FoundChange> diff_revisions(RevisionView& older, RoleMap& older_roles,
                                        RevisionView& newer, RoleMap& newer_roles);

} // namespace neac::verify::detail
