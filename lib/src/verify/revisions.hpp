// Revisions of a PDF file: where each incremental update ends, found by following the chain of
// cross-reference sections from the last startxref through /Prev (never by scanning the whole
// file, so a 300 MB file costs a few reads), and a QPDF view of each revision on demand.
#pragma once

#include "verify/file_source.hpp"

#include <qpdf/QPDF.hh>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace neac::verify::detail {

struct Revision {
    int number = 0; // 1-based, oldest first
    std::uint64_t xref_offset = 0;
    std::uint64_t marker_end = 0; // just past "%%EOF"
    std::uint64_t end = 0;        // just past "%%EOF" and its end-of-line
    std::string xref_kind;        // "table", "stream", "hybrid"
};

// The revisions, oldest first. Sets `problem` (and returns what it found so far) when the chain
// cannot be followed: no startxref, a /Prev loop, a section that is not an xref.
std::vector<Revision> find_revisions(const FileHandle& file, std::string& problem);

// A revision opened with QPDF, with its cross-reference table; shared by the analyses that need it.
struct RevisionView {
    Revision info;
    std::unique_ptr<QPDF> qpdf;
    std::map<QPDFObjGen, QPDFXRefEntry> xref;
    std::string error; // set when QPDF could not open this revision strictly
};

} // namespace neac::verify::detail
