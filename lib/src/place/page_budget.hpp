// The decoding poppler does for a page, bounded before poppler does it. poppler has no limit on
// how far a stream inflates, so a 650 KB PDF can make it decode gigabytes to find one keyword.
// Before a page is read for its text or rendered, QPDF decodes what poppler would (the page's
// content streams, the form XObjects it draws, its fonts' ToUnicode maps and Type 3 glyphs) into
// a counter, under the same per-stream limit as `neac verify` and a limit for the document, with
// object streams guarded by pdf::DecodeGuard. Internal to place/.
#pragma once

#include "neac/util/limits.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>

#include <qpdf/QPDF.hh>

namespace neac::place {

class PageBudget {
public:
    // `read_time`: how long poppler may spend on the file's pages (limits::kPageReadTime).
    explicit PageBudget(std::filesystem::path file,
                        std::chrono::milliseconds read_time = limits::kPageReadTime);
    ~PageBudget();
    PageBudget(const PageBudget&) = delete;
    PageBudget& operator=(const PageBudget&) = delete;

    // Reads the file's structure with QPDF under the limits (once): Error(BadInput) when that
    // alone inflates beyond them (an object-stream bomb), before poppler loads the file.
    void open();

    // Error(BadInput) naming the page when what it draws decodes beyond the limits (alone, or
    // with the pages checked before it). Pages already checked cost nothing; a file QPDF cannot
    // read at all is left to poppler's own checks.
    void check(int page);

    // Page `page` (1-based) as QPDF read it; null when it could not.
    QPDFObjectHandle page_object(int page);

private:
    std::filesystem::path file_;
    std::unique_ptr<QPDF> qpdf_;
    bool opened_ = false;
    std::vector<QPDFObjectHandle> pages_;
    std::set<int> checked_;
    std::uint64_t used_ = 0;
    std::chrono::steady_clock::time_point deadline_;
    std::chrono::milliseconds read_time_;
};

} // namespace neac::place
