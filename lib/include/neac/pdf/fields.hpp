// The interactive form as signers and verifiers read it: field names, signature fields and their
// values, FieldMDP locks, the DocMDP permission of a certified document.
#pragma once

#include <qpdf/QPDF.hh>

#include <string>
#include <vector>

namespace neac::pdf {

struct SigField {
    std::string name;       // fully qualified
    QPDFObjectHandle field; // the field dictionary (the terminal field)
    QPDFObjectHandle value; // its /V (the signature dictionary), possibly a direct object
    QPDFObjectHandle lock;  // the field's /Lock dictionary, or null
};

struct FieldScan {
    std::vector<SigField> signatures; // fields with a /V dictionary, in document order
    std::vector<std::string> empty;   // signature fields without /V
};

// The page dictionaries in document order, found with an explicit stack (never recursion: a
// hostile page tree can be thousands of levels deep). A page listed twice is listed once; a
// cycle, or a tree deeper than 256 levels, throws Error(BadInput).
std::vector<QPDFObjectHandle> page_dictionaries(QPDF& q);

// Walks AcroForm /Fields (cycles and absurd depth are cut) and, for signature widgets that the
// AcroForm does not list, the pages' /Annots. Throws QPDF's exceptions on unreadable objects.
FieldScan scan_fields(QPDF& q);

// The field names a FieldMDP lock (a /Lock dictionary or a /TransformParams dictionary) covers,
// out of `all`: /Action /All, /Include with /Fields, /Exclude with /Fields.
std::vector<std::string> locked_fields(QPDFObjectHandle params,
                                       const std::vector<std::string>& all);

// Fully qualified names of every field in the AcroForm (cycles and absurd depth are cut).
std::vector<std::string> field_names(QPDF& qpdf);

// The DocMDP permission P (1, 2 or 3) a signature dictionary's /Reference sets, 2 when the
// DocMDP transform gives none (ISO 32000-1 Table 254), 0 when it has no DocMDP reference.
int docmdp_of(QPDFObjectHandle signature);

// The DocMDP permission of a certified document (the catalog's /Perms /DocMDP), or 0 when it is
// not certified.
int docmdp_permission(QPDF& qpdf);

} // namespace neac::pdf
