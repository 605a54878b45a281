#include "verify/change_rules.hpp"

namespace neac::verify::detail {
namespace {

using C = ChangeCategory;

// One entry per rule, in enum order. Every changed object is explained by one of them: the
// diff's switches over object roles are exhaustive, so there is no "unexplained" fallback. Learned
// from pyHanko's difference analysis (pyhanko.sign.diff_analysis) and EU DSS's PDF modification
// detection; where they disagree the stricter reading wins unless a real signer is known to write
// the change.
const std::vector<RuleInfo> kRules = {
    {Rule::SignatureFieldAdded, "signature-field-added", C::Signature,
     "a new signature field in the AcroForm /Fields or a field's /Kids"},
    {Rule::SignatureWidgetAdded, "signature-widget-added", C::Signature,
     "a new signature widget in a page's /Annots, whether the array is direct or indirect"},
    {Rule::SignatureFieldSigned, "signature-field-signed", C::Signature,
     "an empty signature field receives its /V, appearance, /AS, /MK, /DA or /F"},
    {Rule::AcroFormUpdated, "acroform-updated", C::Signature,
     "AcroForm bookkeeping: /Fields, /SigFlags, an added /DA, default resources (/DR) added "
     "or replaced (unless /NeedAppearances asks viewers to rebuild appearances)"},
    {Rule::StructTreeUpdated, "struct-tree-updated", C::Signature,
     "structure-tree bookkeeping for a new widget: /ParentTree, /ParentTreeNextKey, a new "
     "structure element, a structure tree started, the page's /StructParents and /Tabs"},
    {Rule::DssUpdated, "dss-updated", C::Dss,
     "the document security store (/DSS, /VRI, certificates, OCSP responses, CRLs)"},
    {Rule::DocumentTimestampAdded, "document-timestamp-added", C::Timestamp,
     "a document timestamp (/Type /DocTimeStamp) field"},
    {Rule::MetadataUpdated, "metadata-updated", C::Metadata,
     "XMP metadata, the catalog's /Version or /Extensions, a producer's private key (warning)"},
    {Rule::InfoUpdated, "info-updated", C::Metadata,
     "the document information dictionary (/Info) (warning)"},
    {Rule::FormFilled, "form-filled", C::Form,
     "form field values (/V, /AS, /I) and their appearances (/AP, /DA, /MK), /NeedAppearances, "
     "where DocMDP permits and no FieldMDP lock covers the field (warning)"},
    {Rule::AnnotationChanged, "annotation-changed", C::Annotation,
     "a non-widget annotation added, changed or removed, where DocMDP permits (warning)"},
    {Rule::PageContentChanged, "page-content-changed", C::Forbidden, "a page's content stream"},
    {Rule::PageResourcesChanged, "page-resources-changed", C::Forbidden,
     "a page's resources: fonts, images, form XObjects, graphics states"},
    {Rule::PageTreeChanged, "page-tree-changed", C::Forbidden,
     "the page tree: pages added, removed, reordered, inherited attributes"},
    {Rule::PageChanged, "page-changed", C::Forbidden,
     "a page dictionary entry other than /Annots (/MediaBox, /Rotate, ...)"},
    {Rule::SignedFieldChanged, "signed-field-changed", C::Forbidden,
     "a signed field, its widget or the appearance of an existing widget"},
    {Rule::SignatureDictionaryChanged, "signature-dictionary-changed", C::Forbidden,
     "an earlier signature dictionary (/Reason, /M, /Contents, ...)"},
    {Rule::ObjectReused, "object-reused", C::Forbidden,
     "an object of the signed revision put into a new place, or its number redefined, while "
     "the signed content still refers to it"},
    {Rule::OptionalContentChanged, "optional-content-changed", C::Forbidden,
     "optional-content (layer) visibility: /OCProperties (shadow attacks)"},
    {Rule::CatalogActionChanged, "catalog-action-changed", C::Forbidden,
     "document actions and JavaScript: /OpenAction, /AA, /Names /JavaScript"},
    {Rule::CatalogChanged, "catalog-changed", C::Forbidden,
     "any other catalog entry (/Names, /Outlines, /StructTreeRoot content, ...)"},
    {Rule::PermissionsChanged, "permissions-changed", C::Forbidden,
     "the permissions dictionary (/Perms)"},
    {Rule::AcroFormChanged, "acroform-changed", C::Forbidden,
     "any other AcroForm entry (/XFA, /CO, an existing /DA or /DR entry replaced)"},
    {Rule::FormFieldAdded, "form-field-added", C::Forbidden,
     "a new field, or its widget, that is not a signature field"},
    {Rule::FormFieldChanged, "form-field-changed", C::Forbidden,
     "a field's entries other than its value (/Rect, /Ff, /DA, ...), or an empty signature "
     "field changed without being signed"},
    {Rule::FieldRemoved, "field-removed", C::Forbidden,
     "a field removed from /Fields or /Kids, a widget removed from a page"},
    {Rule::ObjectDeleted, "object-deleted", C::Forbidden,
     "an object of the signed revision freed by a later cross-reference section"},
    {Rule::TrailerChanged, "trailer-changed", C::Forbidden,
     "the trailer's /Root replaced or /Encrypt changed"},
};

} // namespace

const std::vector<RuleInfo>& all_rules() {
    return kRules;
}

const RuleInfo& rule_info(Rule rule) {
    return kRules.at(static_cast<std::size_t>(rule));
}

} // namespace neac::verify::detail
