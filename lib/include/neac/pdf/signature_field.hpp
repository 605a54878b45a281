// Adding a signature to a document: the signature field and its widget on a page, the signature
// dictionary with /ByteRange and a zero-filled /Contents placeholder, and the AcroForm and page
// changes that link them, all as one incremental revision.
#pragma once

#include "neac/pdf/fields.hpp"
#include "neac/pdf/incremental.hpp"

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace neac::pdf {

// A box in PDF points: lower-left corner (x, y), width and height.
struct Rect {
    double x = 0, y = 0, w = 0, h = 0;
};

// Where the signature goes.
struct Placement {
    std::string existing_field; // fill this empty signature field (fully qualified name)
    std::string field_name;     // name of a new field; empty = first free "SignatureN"
    int page = 0;               // 1-based; 0 = the last page
    // Box in the page as displayed: origin at the bottom-left corner of the CropBox after the
    // page's /Rotate is applied, x to the right, y up. Empty = a default box in the bottom-right
    // corner of the page (ignored when invisible or filling an existing field).
    std::optional<Rect> rect;
    bool invisible = false;
};

struct SignatureDictionary {
    std::string sub_filter = "ETSI.CAdES.detached";
    std::string claimed_time; // PDF date for /M, e.g. "D:20261126180000+07'00'"
    std::string name, reason, location, contact_info; // UTF-8; empty = left out
    std::size_t contents_capacity = 0;                // bytes of DER /Contents can hold
    // A document timestamp (PAdES B-LTA): /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161 and an
    // RFC 3161 token as /Contents; it claims no time and names nobody.
    bool document_timestamp = false;
};

// Writes the widget's normal appearance: a Form XObject whose /BBox is [0 0 width height] in the
// page's displayed orientation (the writer adds the /Matrix for rotated pages). Returns its object
// number. `rotate` is the page's /Rotate (0, 90, 180, 270).
using AppearanceWriter =
    std::function<int(IncrementalUpdate& update, double width, double height, int rotate)>;

struct PreparedRevision {
    IncrementalUpdate::Revision revision;
    std::uint64_t contents_offset = 0; // absolute offset of the '<' of /Contents
    std::uint64_t contents_end = 0;    // absolute offset just past its '>'
    std::array<std::uint64_t, 4> byte_range{};
    std::string field_name; // fully qualified
    int page = 0;           // 1-based
    Rect rect;              // displayed-page coordinates (as given or chosen)
    Rect user_rect;         // the widget's /Rect in default user space
    bool invisible = false;
};

// Builds the revision. Throws Error(BadInput) for: a page out of range, a DocMDP P=1 document,
// an existing field that is missing, not a signature field or already signed, a box outside the
// page.
PreparedRevision prepare_signature_revision(Document& doc, const Placement& placement,
                                            const SignatureDictionary& sig,
                                            const AppearanceWriter& appearance);

} // namespace neac::pdf
