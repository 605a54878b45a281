// The named rules that explain what a later revision changed in a signed one. Every change the
// revision diff reports carries exactly one rule; the rule fixes its category, and the category
// with DocMDP/FieldMDP and the policy decides whether it is allowed. The table in
// change_rules.cpp is the single list: `man neac-verify` documents each entry and
// tests/unit/verify_rules_test.cpp has a test for each.
#pragma once

#include "neac/verify/report.hpp"

#include <string_view>
#include <vector>

namespace neac::verify::detail {

enum class Rule {
    // Allowed after a signature (reported).
    SignatureFieldAdded,    // a new signature field in /Fields or a field's /Kids
    SignatureWidgetAdded,   // its widget in a page's /Annots (direct or indirect array)
    SignatureFieldSigned,   // an empty signature field receiving its /V and appearance
    AcroFormUpdated,        // /Fields grows, /SigFlags, /DA or /DR added, /DR extended
    StructTreeUpdated,      // structure-tree bookkeeping for a new widget
    DssUpdated,             // /DSS, /VRI and their streams
    DocumentTimestampAdded, // a /DocTimeStamp field
    MetadataUpdated,        // XMP metadata, catalog /Version and /Extensions, vendor keys
    InfoUpdated,            // the trailer's /Info dictionary
    FormFilled,             // field values and their appearances (DocMDP P >= 2, not locked)
    AnnotationChanged,      // non-widget annotations added, changed, removed (P = 3 or none)
    // Forbidden (named).
    PageContentChanged,
    PageResourcesChanged,
    PageTreeChanged,
    PageChanged,
    SignedFieldChanged, // a signed field, its widget or its appearance
    SignatureDictionaryChanged,
    ObjectReused, // an object of the signed revision moved or redefined under a new role
    OptionalContentChanged,
    CatalogActionChanged, // /OpenAction, /AA, /Names JavaScript
    CatalogChanged,
    PermissionsChanged, // /Perms
    AcroFormChanged,    // other AcroForm entries (/XFA, /CO, /NeedAppearances removed...)
    FormFieldAdded,     // a new field that is not a signature field
    FormFieldChanged,   // a field's entries other than its value (/Rect, /Ff, ...)
    FieldRemoved,
    ObjectDeleted,
    TrailerChanged, // /Root replaced, /Encrypt changed
};

struct RuleInfo {
    Rule rule;
    std::string_view id;      // stable, kebab-case: the JSON "rule" value
    ChangeCategory category;  // fixes how DocMDP and the policy judge it
    std::string_view summary; // one line for people (man neac-verify lists them)
};

const RuleInfo& rule_info(Rule rule);
const std::vector<RuleInfo>& all_rules();

} // namespace neac::verify::detail
