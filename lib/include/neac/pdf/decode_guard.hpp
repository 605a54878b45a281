// Bounded decoding of the streams QPDF decodes by itself (cross-reference streams and object
// streams), so that a decompression bomb ends as bad input within a second instead of exhausting
// memory.
//
// QPDF 11.3 has no limit on decoded stream size, but it lets callers register the implementation
// of a filter by name. install_stream_filters() registers /FlateDecode (with the PNG and TIFF
// predictors that xref streams use) and /RunLengthDecode implementations that behave like QPDF's
// own and, while a DecodeGuard is active on the calling thread, stop once a stream or the file as
// a whole decodes to more than the guard allows. Without a guard they are unlimited.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace neac::pdf {

// Registers the filters (once per process; thread-safe).
void install_stream_filters();

struct DecodeGuardState; // the counters of one guard

// Activates decoding limits on this thread for its lifetime. An inner guard replaces the outer
// one until it ends (the outer's count does not include what the inner saw).
class DecodeGuard {
public:
    DecodeGuard(std::uint64_t per_stream, std::uint64_t total);
    ~DecodeGuard();
    DecodeGuard(const DecodeGuard&) = delete;
    DecodeGuard& operator=(const DecodeGuard&) = delete;

    // True once a limit was hit (QPDF reports the failure as damage; this says why).
    bool tripped() const;
    std::string reason() const;

private:
    std::unique_ptr<DecodeGuardState> state_;
    DecodeGuardState* previous_; // the guard it replaced on this thread, if any
};

} // namespace neac::pdf
