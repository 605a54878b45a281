// Signature fields of a document and the facts about each signature dictionary that the
// integrity checks need, read from the final revision.
#pragma once

#include <qpdf/QPDF.hh>

#include <string>
#include <vector>

namespace neac::verify::detail {

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

// Walks AcroForm /Fields (cycles and absurd depth are cut) and, for signature widgets that the
// AcroForm does not list, the pages' /Annots. Throws QPDF's exceptions on unreadable objects.
FieldScan scan_fields(QPDF& q);

// The field names a FieldMDP lock (a /Lock dictionary or a /TransformParams dictionary) covers,
// out of `all`: /Action /All, /Include with /Fields, /Exclude with /Fields.
std::vector<std::string> locked_fields(QPDFObjectHandle params,
                                       const std::vector<std::string>& all);

} // namespace neac::verify::detail
