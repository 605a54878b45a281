// Long-term signatures (PAdES B-LT and B-LTA, ETSI EN 319 142-1 §5.4-5.5): validation data for
// every signature of a file in its Document Security Store, then a document timestamp over all
// of it. Used by `neac sign --level` on a freshly signed file and by `neac extend` on files
// signed by anyone.
//
// Each step is one incremental revision appended to a file this process owns (a temporary file
// it will rename over the output): nothing before it changes, so no earlier signature breaks.
// When a step fails the file is cut back to where it was, so the caller holds either the file as
// it was or the file with the whole step.
#pragma once

#include "neac/crypto/certificate.hpp"
#include "neac/crypto/timestamp.hpp"
#include "neac/crypto/validation_data.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neac::sign {

// PAdES baseline levels, in order: each includes the ones before it.
enum class Level { B_B, B_T, B_LT, B_LTA };
const char* level_name(Level level); // "B-B", "B-T", "B-LT", "B-LTA"
// "B-B", "b-lt", "BLT", "LTA" ...; Error(Usage) naming the levels for anything else.
Level parse_level(std::string_view text);

struct ExtendOptions {
    Level level = Level::B_LT;    // B_LT: validation data; B_LTA: then a document timestamp
    crypto::TimestampOptions tsa; // the document timestamp's TSA (B_LTA)
    crypto::DigestAlgorithm digest = crypto::DigestAlgorithm::Sha256; // its imprint
    // Certificates that help build chains beyond those in the file (the signer's chain from the
    // provider, --extra-certs).
    std::vector<crypto::Certificate> extra_certs;
    // Keep going when a certificate's revocation data cannot be had: embed what could be
    // fetched and report the rest as warnings (the file then does not reach B-LT).
    bool allow_incomplete = false;
    std::chrono::milliseconds timeout{10000}; // each OCSP or CRL request
};

// What a file holds already, for deciding whether it needs extending or renewing.
struct ArchiveState {
    int signatures = 0;          // signature fields with a value, document timestamps included
    int document_timestamps = 0; // of those, document timestamps
    bool has_dss = false;
    bool ends_with_document_timestamp = false; // the last revision is a document timestamp
    // The newest document timestamp: its time and when its TSA certificate expires.
    std::optional<std::chrono::system_clock::time_point> last_timestamp_time;
    std::optional<std::chrono::system_clock::time_point> last_timestamp_expiry;
};

struct ExtendResult {
    bool dss_added = false; // a revision with new validation data was appended
    std::size_t added_certificates = 0, added_ocsp_responses = 0, added_crls = 0;
    bool timestamp_added = false;
    std::chrono::system_clock::time_point timestamp_time{};
    // Certificates the embedded answers say are revoked (a verifier compares the date with the
    // signature's proof of existence), and with allow_incomplete the data that could not be had.
    std::vector<std::string> warnings;
    bool revoked = false;     // the first warnings are revocations
    Level level = Level::B_B; // what the file's signatures reach as far as this step knows
};

class Extender {
public:
    explicit Extender(ExtendOptions options);

    // Reads what `file` holds. Error(BadInput) when it is not a readable PDF.
    static ArchiveState inspect(const std::filesystem::path& file);

    // Appends to `file` the validation data of every signature and document timestamp in it that
    // the DSS does not hold yet (nothing when it holds all), then for B_LTA a document
    // timestamp. Throws Error(Remote) when revocation data is missing (unless allow_incomplete)
    // or the TSA fails, Error(BadInput) when the file has no signature or cannot be read; the
    // file is then cut back to its size before the call.
    // `more_certs` join ExtendOptions::extra_certs for this file (the signer's chain from its
    // provider, when the file is being signed).
    ExtendResult extend(const std::filesystem::path& file,
                        const std::vector<crypto::Certificate>& more_certs = {});

    const ExtendOptions& options() const { return options_; }
    // The per-run cache: OCSP and CRL requests made so far.
    const crypto::ValidationDataCollector& collector() const { return collector_; }

private:
    ExtendOptions options_;
    crypto::ValidationDataCollector collector_;
};

} // namespace neac::sign
