// Every bound neac puts on what it reads from people and servers it does not trust, in one place.
// Each is checked where the input is read, before the work it bounds is done, and ends in
// Error(BadInput) (exit 4) for files and Error(Remote) (exit 5) for servers, naming the limit.
// `man neac` (INPUTS AND LIMITS) lists them; tests/unit/limits_test.cpp tries each at limit + 1.
//
// The figures are far above what real dossiers, certificates and services use (noted per line)
// and far below what exhausts a 2-core, few-GiB office machine.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace neac::limits {

inline constexpr std::uint64_t MiB = 1ull << 20;

// --- PDF files -------------------------------------------------------------------------------
// One stream inflated (a scanned A4 page at 600 dpi is about 35 MB decoded).
inline constexpr std::uint64_t kStreamDecodeBytes = 48 * MiB;
// Every stream `verify` inflates in one file (it compares revisions, so it decodes less than a
// renderer would).
inline constexpr std::uint64_t kVerifyDecodeBytes = 256 * MiB;
// Every stream locate and sign inflate in one file (the pages they read for text, and the
// structure of a file they repair).
inline constexpr std::uint64_t kPageDecodeBytes = 512 * MiB;
// Objects in one file: ISO 32000-1 Annex C's limit for an indirect object number.
inline constexpr long long kPdfObjects = 8388607;
// Cross-reference sections (revisions and hybrid sections) followed back from the end.
inline constexpr std::size_t kXrefSections = 100000;
// Signature fields in one file that verify checks (a dossier form carries 1-5).
inline constexpr std::size_t kSignaturesPerFile = 1000;
// Nesting of the page tree (real files: 2-4) and of the form field tree (real files: 1-3).
inline constexpr int kPageTreeDepth = 256;
inline constexpr int kFieldTreeDepth = 32;
// Nesting of form XObjects drawn by a page, and objects one page may reference, for the pages
// locate and sign read.
inline constexpr int kFormXObjectDepth = 16;
inline constexpr std::size_t kObjectsPerPage = 20000;
// Operators one page's content may run (a dense form page runs under 100000; poppler lays out a
// million text operators in about a second).
inline constexpr std::uint64_t kOperatorsPerPage = 4'000'000;
// Time locate and sign may spend reading one file's pages with poppler.
inline constexpr std::chrono::seconds kPageReadTime{60};
// A signature's /Contents (a CMS with a long chain and a timestamp is under 64 KB).
inline constexpr std::size_t kSignatureContentsBytes = 16 * MiB;

// --- Certificates and CMS ---------------------------------------------------------------------
// Certificates between a signer and its trust anchor (Vietnamese chains have 2-3).
inline constexpr int kChainLength = 10;

// --- Text inputs: profiles, manifests, patterns, images --------------------------------------
inline constexpr std::size_t kProfileBytes = 1 * MiB;
inline constexpr std::size_t kManifestBytes = 1 * MiB;
inline constexpr std::size_t kImageFileBytes = 16 * MiB;
inline constexpr std::size_t kPemFileBytes = 16 * MiB;
// Keys, certificates, password and token files, and anything else read whole.
inline constexpr std::size_t kSmallFileBytes = 64 * MiB;
// A signature image, in pixels (an 8000 x 5000 scan still fits).
inline constexpr std::uint64_t kImagePixels = 40'000'000;
// Keywords one locator may list: each one absent from a file costs a scan of its text.
inline constexpr std::size_t kKeywordsPerLocator = 8;
inline constexpr int kYamlDepth = 32;
inline constexpr std::size_t kYamlNodes = 100000;
// Components of one dossier (portals accept a few dozen).
inline constexpr std::size_t kManifestComponents = 500;
// Lines of a `sign --from` batch list, and the length of one line.
inline constexpr std::size_t kBatchListJobs = 100000;
inline constexpr std::size_t kBatchListLineBytes = 64 * 1024;
// An --expect-signer pattern.
inline constexpr std::size_t kSignerPatternLength = 1000;

// --- Servers: providers, portal, TSA, OCSP, CRL ------------------------------------------------
// JSON nesting in any answer (the APIs neac talks to stay under 10 levels).
inline constexpr int kJsonDepth = 64;
// Size of one answer, by kind.
inline constexpr std::size_t kApiResponseBytes = 64 * MiB;
inline constexpr std::size_t kTimestampResponseBytes = 1 * MiB;
inline constexpr std::size_t kOcspResponseBytes = 1 * MiB;
inline constexpr std::size_t kCrlResponseBytes = 32 * MiB;
// Time one request may take: connecting, and the whole exchange (a signing API call; uploads to
// the portal get longer, as their size needs).
inline constexpr std::chrono::milliseconds kConnectTimeout{10000};
inline constexpr std::chrono::milliseconds kRequestTimeout{60000};
inline constexpr std::chrono::milliseconds kUploadTimeout{300000};

} // namespace neac::limits
