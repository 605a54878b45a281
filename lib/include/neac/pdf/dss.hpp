// The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2): the catalog's
// /DSS dictionary with /Certs, /OCSPs and /CRLs arrays of streams, and /VRI entries that say which
// of them serve which signature. Adding to it is one incremental revision that keeps every item
// already there (identical items are not stored twice) and changes nothing else but the catalog's
// /DSS entry, so that no earlier signature is disturbed (PAdES B-LT).
#pragma once

#include "neac/pdf/incremental.hpp"

#include <string>
#include <vector>

namespace neac::pdf {

struct DssItems {
    std::vector<std::string> certificates;   // DER certificates
    std::vector<std::string> ocsp_responses; // DER OCSPResponse
    std::vector<std::string> crls;           // DER CRLs
    bool empty() const { return certificates.empty() && ocsp_responses.empty() && crls.empty(); }
};

// A /VRI entry: `key` is the upper-case hex SHA-1 of the signature's /Contents bytes as stored,
// `items` the data that validates that signature (each also in the DSS arrays).
struct VriEntry {
    std::string key;
    DssItems items;
};

// What the document's /DSS holds now (streams that cannot be read are left out).
DssItems read_dss(Document& doc);

struct DssRevision {
    IncrementalUpdate::Revision revision;
    std::size_t added_certificates = 0, added_ocsp_responses = 0, added_crls = 0;
};

// Builds the revision that adds `items` and the `vri` entries to the document's DSS (creating it
// when there is none). Error(BadInput) when the catalog cannot be read.
DssRevision dss_revision(Document& doc, const DssItems& items, const std::vector<VriEntry>& vri);

} // namespace neac::pdf
