// Comparing one object as two revisions of a file have it: the value-level questions the
// revision diff asks (same content? which keys changed? did an array only grow?).
#pragma once

#include <qpdf/QPDFObjectHandle.hh>

#include <string>
#include <vector>

namespace neac::verify::detail {

// Content equality of the same object in two revisions; references compare by number (a changed
// referent is judged on its own). Streams larger than 64 MiB count as changed.
bool same_content(QPDFObjectHandle a, QPDFObjectHandle b);

// Whether two values, one from each revision, say the same thing: direct values compared deeply,
// references by number when both name the same object, and by content when a revision put an
// equal copy under a new number (signers rewrite a page's /Resources or /OutputIntents that
// way). Bounded in depth and work; past the bounds, not equivalent.
bool equivalent(QPDFObjectHandle a, QPDFObjectHandle b);

struct KeyDiff {
    std::string key;
    std::string what; // "added", "removed", "changed"
};
// The dictionary keys (of a stream: its dictionary, plus "stream data") that differ; a changed
// non-dictionary value is one "value changed".
std::vector<KeyDiff> key_diffs(QPDFObjectHandle a, QPDFObjectHandle b);
// "/V changed, /AP added"
std::string describe(const std::vector<KeyDiff>& diffs);

// True when every item of `a` is still in `b` (as a multiset): `b` only grew. A non-array value
// counts as an array of one (structure trees write one kid directly, several as an array).
bool only_grew(QPDFObjectHandle a, QPDFObjectHandle b);

} // namespace neac::verify::detail
