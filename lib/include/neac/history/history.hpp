// The signing history of one PDF file (the library behind `neac history FILE`): every revision,
// oldest first, with what it changed; every signature with its signer, certificate, times and
// verify verdict; and what this machine's signing journal (neac/sign/journal.hpp) knows about it:
// which transaction made a signature, and which attempts on the same content produced none
// (rejected on the phone, expired, failed, cancelled, abandoned, still pending).
//
// Matching is by content, never by file name. The file is hashed once, streaming, and the SHA-256
// of every revision prefix [0, end of revision k) is taken on the way: that prefix is exactly what
// a signer had as input when it appended revision k+1. A journal file whose input_sha256 equals a
// prefix hash was an attempt on that revision's content; it made the signature of revision k+1
// when it was signed and its document digest (over the /ByteRange) equals the one verify computed
// for that signature. A renamed or copied file therefore keeps its history.
//
// A history is a report, not a verdict: the verdict shown per signature is `neac verify`'s under
// the given policy, and nothing here decides an exit status beyond "could the file be read".
#pragma once

#include "neac/verify/report.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace neac::sign {
class Journal;
}

namespace neac::history {

// What the journal recorded about one file of one transaction.
struct JournalRecord {
    std::int64_t entry = 0;     // journal row id (shown as "#N")
    std::size_t position = 0;   // the file's index in the transaction's batch
    std::string provider;       // "sandbox", "vnpt-smartca", ...
    std::string transaction_id; // the provider's id ("" when the request never reached it)
    std::string profile;        // profile name at signing time
    std::string account;        // CCCD/CMND the profile signs with
    std::string state;          // transaction state: finished, rejected, expired, failed, ...
    std::string outcome;        // the file's outcome: signed, failed, abandoned, pending
    std::string detail;         // why (the file's detail, else the transaction's)
    std::string signer_name;    // CN of the certificate the request was made with
    std::string identity_kind, identity_number;
    std::string certificate_serial; // upper-case hex
    std::string input, output;      // paths as recorded (informational: matching is by content)
    std::string input_sha256;       // lower-case hex
    std::string digest_algorithm;   // of document_digest
    std::string document_digest;    // lower-case hex, over the prepared /ByteRange
    std::string field;              // signature field the preparation used
    // ISO 8601 UTC ("2026-11-26T14:03:04Z"), "" when not reached.
    std::string created, submitted, decided, finished;
};

// "signed" files carry a signature; everything else (rejected, expired, failed, cancelled,
// abandoned, still open) is an attempt that produced none.
struct Attempt {
    JournalRecord journal;
    // The revision whose content it tried to sign (1-based); 0 when the content is the whole file
    // and the file has bytes beyond its last revision (or no readable revision structure).
    int revision = 0;
    // What it is, in one word: rejected, expired, failed, cancelled, abandoned, pending, approved,
    // submitting — or "copy" for a request that did sign this very content, but into another
    // file (the signature is not in this one).
    std::string state;
};

struct SignatureEntry {
    int index = 0;           // 1-based, file order (as verify numbers them)
    int revision = 0;        // revision the signature ends (0 = unknown)
    std::string field;       // fully qualified field name
    std::string kind;        // "signature", "certification", "document_timestamp"
    std::string signer_name; // signer certificate CN
    std::string identity_kind, identity_number; // CCCD/CMND/MST
    std::string signer_subject;
    std::string issuer;         // issuer CN, else the issuer's whole subject
    std::string issuer_subject; // the issuer's whole subject
    std::string serial;         // certificate serial, upper-case hex
    std::string claimed_time;   // /M, ISO 8601 UTC ("" when absent): only a claim
    std::string timestamp_time; // proven by a trusted timestamp ("" when none)
    std::string verdict;        // PASSED, FAILED or INDETERMINATE (as `neac verify`)
    std::string sub_indication; // "" with PASSED
    std::string reason;         // one line: why not PASSED
    std::string digest_algorithm;
    std::string document_digest; // lower-case hex over the /ByteRange
    std::vector<std::int64_t> byte_range;
    std::string coverage;                 // verify's coverage name
    std::optional<JournalRecord> journal; // when this machine's journal made it
};

struct RevisionEntry {
    int number = 0;       // 1-based
    std::int64_t end = 0; // offset just past its %%EOF (and end-of-line)
    std::string xref;     // "table", "stream", "hybrid"
    std::string sha256;   // of the prefix [0, end): the content a next signer had as input
    std::string summary;  // what it changed, in words ("original document", "signature Sig1")
    std::vector<verify::Change> changes; // compared with the previous revision
    std::vector<int> signatures;         // SignatureEntry::index of the signatures it ends
};

// The timeline, oldest first: each revision, then the attempts on its content (by request
// time), then the next revision. Signatures belong to their revision's event; signatures whose
// revision is unknown and attempts on content past the last revision come last.
struct TimelineEvent {
    enum class Kind { Revision, Signature, Attempt };
    Kind kind = Kind::Revision;
    int number = 0; // revision number, signature index, or attempt index (0-based)
};
const char* timeline_kind_name(TimelineEvent::Kind k); // "revision", "signature", "attempt"

struct FileHistory {
    std::filesystem::path file;
    bool readable = true;
    std::string error; // when !readable: what could not be read
    std::int64_t size = 0;
    std::string sha256; // of the whole file
    std::vector<RevisionEntry> revisions;
    std::vector<SignatureEntry> signatures;
    std::vector<Attempt> attempts;
    std::vector<TimelineEvent> timeline;
    bool journal_used = false;         // a journal was consulted
    bool trust_anchors = false;        // verdicts were checked against --trust anchors
    std::string verify_summary;        // verify's bottom line in words
    std::vector<std::string> notes;    // for people: how to read the verdicts
    std::vector<std::string> warnings; // verify's warnings, journal problems
};

// The SHA-256 of every prefix [0, cut) of `file` for the given cut offsets (any order, duplicates
// allowed; offsets past the end are skipped), plus the whole file, in one streaming pass.
struct PrefixHashes {
    std::int64_t size = 0;
    std::string whole;                                      // lower-case hex
    std::vector<std::pair<std::int64_t, std::string>> cuts; // ascending by offset
    // The hash of [0, cut), or "" when that cut was not asked for or is past the end.
    std::string at(std::int64_t cut) const;
};
// Throws Error(BadInput) naming the file when it cannot be read.
PrefixHashes hash_prefixes(const std::filesystem::path& file, std::vector<std::int64_t> cuts);

// Builds the history of one file. `journal` may be null (no journal on this machine). Never throws
// for the file's content: an unreadable, non-PDF, damaged or encrypted file comes back with
// readable = false and the reason; journal problems become warnings. Throws Error(BadInput/Usage)
// only for a policy that cannot be applied (an unreadable --trust file).
// The policy's min_signatures is ignored (an unsigned file has a history too).
FileHistory build_file_history(const std::filesystem::path& file, const verify::Policy& policy,
                               const sign::Journal* journal);

// What a revision changed, in a few words: "original document", "signature Sig1",
// "form fields filled (2 objects)", "annotation added", "validation data (DSS) updated", ...
// `signatures` labels the signatures that end this revision ("signature Sig1", "document
// timestamp TS1"); the field and widget changes that signing makes are then not repeated.
std::string summarize_revision(int number, const std::vector<verify::Change>& changes,
                               const std::vector<std::string>& signatures);

} // namespace neac::history
