#include "neac/history/history.hpp"

#include "neac/crypto/digest.hpp"
#include "neac/pdf/appearance.hpp"
#include "neac/sign/journal.hpp"
#include "neac/util/bytes.hpp"
#include "neac/util/clock.hpp"
#include "neac/util/error.hpp"
#include "neac/verify/verify.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <set>
#include <unistd.h>

namespace neac::history {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunk = 1u << 20;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

std::string iso_ms(std::int64_t ms) {
    if (ms <= 0)
        return "";
    return utc_text(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

JournalRecord record_of(const sign::JournalEntry& e, const sign::JournalFile& f) {
    JournalRecord r;
    r.entry = e.id;
    r.position = f.position;
    r.provider = e.config.provider;
    r.transaction_id = e.transaction.id;
    r.profile = e.profile;
    r.account = e.config.account;
    r.state = sign::journal_state_name(e.state);
    r.outcome = f.outcome;
    // A closed transaction copies its reason into each unfinished file ("rejected: why"); the
    // transaction's own detail says it once. A finished one has per-file reasons.
    r.detail = e.state == sign::JournalState::Finished || e.detail.empty() ? f.detail : e.detail;
    if (!e.certificate.certificate.empty()) {
        const crypto::Certificate& c = e.certificate.certificate;
        r.signer_name = c.common_name();
        crypto::Identity id = c.identity();
        r.identity_kind = id.kind;
        r.identity_number = id.number;
        r.certificate_serial = c.serial_hex();
    }
    r.input = f.prepared.input;
    r.output = f.prepared.output;
    r.input_sha256 = f.prepared.input_sha256;
    r.digest_algorithm = crypto::digest_name(f.prepared.digest);
    r.document_digest = hex_encode(f.prepared.document_digest);
    r.field = f.prepared.field_name;
    r.created = iso_ms(e.created_ms);
    r.submitted = iso_ms(e.submitted_ms);
    r.decided = iso_ms(e.decided_ms);
    r.finished = iso_ms(f.finished_ms > 0 ? f.finished_ms : e.finished_ms);
    return r;
}

// The one word for an attempt that left no signature in this file.
std::string attempt_state(const JournalRecord& r) {
    if (r.outcome == "signed")
        return "copy";
    if (r.state == "finished")
        return r.outcome == "pending" ? "failed" : r.outcome; // failed (or abandoned) file
    return r.state;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string signature_label(const verify::SignatureReport& s) {
    if (s.kind == "document_timestamp")
        return "document timestamp " + s.field;
    if (s.kind == "certification")
        return "certification signature " + s.field;
    return "signature " + s.field;
}

SignatureEntry entry_of(const verify::SignatureReport& s) {
    SignatureEntry e;
    e.index = s.index;
    e.revision = s.revision;
    e.field = s.field;
    e.kind = s.kind;
    if (s.signer) {
        e.signer_name = s.signer->common_name;
        e.identity_kind = s.signer->identity_kind;
        e.identity_number = s.signer->identity_number;
        e.signer_subject = s.signer->subject;
        e.issuer_subject = s.signer->issuer;
        e.issuer = pdf::subject_attribute(s.signer->issuer, "CN");
        if (e.issuer.empty())
            e.issuer = s.signer->issuer;
        e.serial = s.signer->serial;
    }
    e.claimed_time = s.claimed_time;
    e.timestamp_time = s.timestamp_time;
    e.verdict = verify::indication_name(s.indication);
    e.sub_indication = verify::sub_indication_name(s.sub_indication);
    e.reason = s.reason_text;
    e.digest_algorithm = s.digest_algorithm;
    e.document_digest = lower(s.document_digest);
    e.byte_range = s.byte_range;
    e.coverage = verify::coverage_name(s.coverage);
    return e;
}

// The offsets whose prefix a signer may have had as input for a revision ending at `end`: the
// revision itself, and the same bytes without the end-of-line after %%EOF (the incremental
// writer adds one when its input ends right after %%EOF).
std::vector<std::int64_t> candidate_cuts(int fd, std::int64_t end) {
    std::vector<std::int64_t> out{end};
    char tail[2] = {0, 0};
    if (end >= 2 && ::pread(fd, tail, 2, static_cast<off_t>(end - 2)) == 2) {
        if (tail[1] == '\n' && tail[0] == '\r')
            out.push_back(end - 2);
        if (tail[1] == '\n' || tail[1] == '\r')
            out.push_back(end - 1);
    }
    return out;
}

} // namespace

const char* timeline_kind_name(TimelineEvent::Kind k) {
    switch (k) {
    case TimelineEvent::Kind::Revision:
        return "revision";
    case TimelineEvent::Kind::Signature:
        return "signature";
    case TimelineEvent::Kind::Attempt:
        return "attempt";
    }
    return "revision";
}

std::string PrefixHashes::at(std::int64_t cut) const {
    auto it = std::lower_bound(cuts.begin(), cuts.end(), cut,
                               [](const auto& p, std::int64_t c) { return p.first < c; });
    return it != cuts.end() && it->first == cut ? it->second : std::string();
}

PrefixHashes hash_prefixes(const fs::path& file, std::vector<std::int64_t> cuts) {
    Fd f;
    f.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0)
        throw input_error(std::string("cannot open: ") + std::strerror(errno)).file(file.string());
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    PrefixHashes out;
    crypto::Hasher h(crypto::DigestAlgorithm::Sha256);
    std::vector<char> buf(kChunk);
    std::int64_t pos = 0;
    std::size_t next = 0;
    while (next < cuts.size() && cuts[next] <= 0)
        out.cuts.emplace_back(cuts[next++], hex_encode(h.peek()));
    for (;;) {
        // Never read past the next cut, so that the hash can be taken exactly there.
        std::size_t want = buf.size();
        if (next < cuts.size())
            want = static_cast<std::size_t>(
                std::min<std::int64_t>(static_cast<std::int64_t>(want), cuts[next] - pos));
        ssize_t n = ::read(f.fd, buf.data(), want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw input_error(std::string("cannot read: ") + std::strerror(errno))
                .file(file.string())
                .offset(pos);
        }
        if (n == 0)
            break;
        h.update(buf.data(), static_cast<std::size_t>(n));
        pos += n;
        while (next < cuts.size() && cuts[next] == pos)
            out.cuts.emplace_back(cuts[next++], hex_encode(h.peek()));
    }
    out.size = pos;
    out.whole = hex_encode(h.finish());
    return out;
}

std::string summarize_revision(int number, const std::vector<verify::Change>& changes,
                               const std::vector<std::string>& signatures) {
    if (number == 1 && changes.empty() && signatures.empty())
        return "original document";
    std::vector<std::string> parts;
    if (!signatures.empty()) {
        std::string s;
        for (const auto& label : signatures)
            s += (s.empty() ? "" : ", ") + label;
        parts.push_back(s);
    }
    // Distinct objects per category: one filled field touches its field and its appearance.
    std::map<verify::ChangeCategory, std::set<std::string>> objects;
    int annotations_added = 0, annotations_removed = 0;
    bool new_sig_field = false, doc_ts_field = false;
    // What verify calls forbidden after a signature is ordinary editing in an unsigned revision:
    // name the common edits, and the first of the rest.
    std::vector<std::string> fields_added, pages_changed;
    std::set<std::string> other_objects;
    const verify::Change* first_other = nullptr;
    for (const verify::Change& c : changes) {
        objects[c.category].insert(c.object);
        if (c.category == verify::ChangeCategory::Annotation) {
            if (c.description.rfind("annotation added", 0) == 0)
                ++annotations_added;
            else if (c.description.find("removed") != std::string::npos)
                ++annotations_removed;
        }
        if (c.category == verify::ChangeCategory::Signature &&
            c.description.find("new signature field") != std::string::npos)
            new_sig_field = true;
        if (c.category == verify::ChangeCategory::Timestamp)
            doc_ts_field = true;
        if (c.category != verify::ChangeCategory::Forbidden)
            continue;
        auto add_once = [](std::vector<std::string>& v, const std::string& x) {
            if (std::find(v.begin(), v.end(), x) == v.end())
                v.push_back(x);
        };
        if (c.what.rfind("form field ", 0) == 0 &&
            c.description.find("new form field") != std::string::npos) {
            add_once(fields_added, c.what.substr(11));
        } else if (c.what.rfind("page ", 0) == 0 &&
                   c.description.find("/Contents") != std::string::npos) {
            add_once(pages_changed, c.what);
        } else {
            other_objects.insert(c.object);
            if (!first_other)
                first_other = &c;
        }
    }
    auto count = [&](verify::ChangeCategory cat) {
        auto it = objects.find(cat);
        return it == objects.end() ? std::size_t{0} : it->second.size();
    };
    auto plural = [](std::size_t n, const char* one, const char* many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    if (signatures.empty()) {
        if (doc_ts_field)
            parts.push_back("empty document timestamp field added");
        else if (new_sig_field)
            parts.push_back("empty signature field added");
        else if (count(verify::ChangeCategory::Signature) > 0)
            parts.push_back("signature fields changed (" +
                            plural(count(verify::ChangeCategory::Signature), "object", "objects") +
                            ")");
    }
    if (std::size_t n = count(verify::ChangeCategory::Form))
        parts.push_back(std::string(n == 1 ? "form field filled" : "form fields filled") + " (" +
                        plural(n, "object", "objects") + ")");
    if (std::size_t n = count(verify::ChangeCategory::Annotation)) {
        if (annotations_added > 0 && annotations_removed == 0 &&
            static_cast<std::size_t>(annotations_added) == n)
            parts.push_back(annotations_added == 1
                                ? std::string("annotation added")
                                : plural(static_cast<std::size_t>(annotations_added),
                                         "annotation added", "annotations added"));
        else
            parts.push_back("annotations changed (" + plural(n, "object", "objects") + ")");
    }
    if (count(verify::ChangeCategory::Dss) > 0)
        parts.push_back("validation data (DSS) updated");
    if (count(verify::ChangeCategory::Metadata) > 0)
        parts.push_back("metadata updated");
    auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& x : v)
            out += (out.empty() ? "" : ", ") + x;
        return out;
    };
    if (!fields_added.empty())
        parts.push_back(std::string(fields_added.size() == 1 ? "form field" : "form fields") +
                        " added (" + join(fields_added) + ")");
    if (!pages_changed.empty())
        parts.push_back("content changed (" + join(pages_changed) + ")");
    if (first_other) {
        std::string s =
            "other changes: " + first_other->what + " (" + first_other->description + ")";
        if (other_objects.size() > 1)
            s += " and " + plural(other_objects.size() - 1, "more object", "more objects");
        parts.push_back(s);
    }
    if (parts.empty())
        return number == 1 ? "original document" : "no changes found";
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "; ") + p;
    return out;
}

FileHistory build_file_history(const fs::path& file, const verify::Policy& policy,
                               const sign::Journal* journal) {
    FileHistory h;
    h.file = file;
    h.trust_anchors = !policy.trust.empty();
    verify::Policy pol = policy;
    pol.min_signatures = 0; // an unsigned file has a history too
    verify::VerifyReport rep = verify::verify_file(file, pol);
    h.size = rep.size;
    if (rep.status == verify::FileStatus::BadInput) {
        h.readable = false;
        h.error = rep.error;
        return h;
    }
    h.verify_summary = rep.summary;
    h.warnings = rep.warnings;

    // One pass over the file: the prefix hash of every revision (and its EOL-less variant).
    std::map<std::int64_t, int> cut_revision; // cut offset -> revision number
    {
        Fd f;
        f.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (f.fd < 0) {
            h.readable = false;
            h.error = std::string("cannot open: ") + std::strerror(errno);
            return h;
        }
        for (const verify::RevisionInfo& r : rep.revisions)
            for (std::int64_t cut : candidate_cuts(f.fd, r.end))
                cut_revision.emplace(cut, r.number);
    }
    std::vector<std::int64_t> cuts;
    for (const auto& [cut, rev] : cut_revision)
        cuts.push_back(cut);
    PrefixHashes hashes;
    try {
        hashes = hash_prefixes(file, cuts);
    } catch (const Error& e) {
        h.readable = false;
        h.error = e.what();
        return h;
    }
    h.sha256 = hashes.whole;
    if (hashes.size != rep.size)
        h.warnings.push_back("the file changed while it was read (" + std::to_string(rep.size) +
                             " bytes, then " + std::to_string(hashes.size) +
                             "): the history may not match it");

    // Signatures and revisions.
    for (const verify::SignatureReport& s : rep.signatures)
        h.signatures.push_back(entry_of(s));
    for (const verify::RevisionInfo& r : rep.revisions) {
        RevisionEntry e;
        e.number = r.number;
        e.end = r.end;
        e.xref = r.xref;
        e.sha256 = hashes.at(r.end);
        e.changes = r.changes;
        std::vector<std::string> labels;
        for (const verify::SignatureReport& s : rep.signatures)
            if (s.revision == r.number) {
                e.signatures.push_back(s.index);
                labels.push_back(signature_label(s));
            }
        if (r.number > 1 && r.changes.empty() && labels.empty() && rep.revisions.size() > 64)
            e.summary = "changes not analysed (more than 64 revisions)";
        else
            e.summary = summarize_revision(r.number, r.changes, labels);
        h.revisions.push_back(std::move(e));
    }

    // Content hash -> revision whose content it is (0 = the whole file, past every revision).
    std::map<std::string, int> content;
    for (const auto& [cut, hash] : hashes.cuts)
        content.emplace(hash, cut_revision[cut]);
    content.emplace(hashes.whole, 0);

    if (journal) {
        h.journal_used = true;
        std::vector<std::pair<JournalRecord, int>> records; // record, revision of its content
        std::set<std::pair<std::int64_t, std::size_t>> seen;
        try {
            for (const auto& [hash, rev] : content) {
                for (const sign::JournalEntry& e : journal->entries_for_input(hash))
                    for (const sign::JournalFile& f : e.files)
                        if (f.prepared.input_sha256 == hash &&
                            seen.insert({e.id, f.position}).second)
                            records.emplace_back(record_of(e, f), rev);
            }
        } catch (const Error& e) {
            h.warnings.push_back(std::string("the signing journal could not be read: ") + e.what() +
                                 "; journal information is incomplete");
        }
        std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
            return a.first.created != b.first.created ? a.first.created < b.first.created
                                                      : a.first.entry < b.first.entry;
        });
        for (auto& [rec, rev] : records) {
            bool attributed = false;
            if (rec.outcome == "signed") {
                for (SignatureEntry& s : h.signatures) {
                    // The signature of revision k+1 was made from the content of revision k.
                    if (s.journal || s.revision < 2 || rev != s.revision - 1 ||
                        s.document_digest.empty() || s.document_digest != rec.document_digest)
                        continue;
                    s.journal = rec;
                    attributed = true;
                    break;
                }
            }
            if (!attributed) {
                Attempt a;
                a.journal = rec;
                a.revision = rev;
                a.state = attempt_state(rec);
                h.attempts.push_back(std::move(a));
            }
        }
    }

    // The timeline: each revision, then the attempts on its content.
    std::set<int> placed;
    auto attempts_on = [&](int rev) {
        for (std::size_t i = 0; i < h.attempts.size(); ++i)
            if (h.attempts[i].revision == rev)
                h.timeline.push_back({TimelineEvent::Kind::Attempt, static_cast<int>(i)});
    };
    for (const RevisionEntry& r : h.revisions) {
        h.timeline.push_back({TimelineEvent::Kind::Revision, r.number});
        for (int s : r.signatures)
            placed.insert(s);
        attempts_on(r.number);
    }
    for (const SignatureEntry& s : h.signatures)
        if (!placed.count(s.index))
            h.timeline.push_back({TimelineEvent::Kind::Signature, s.index});
    attempts_on(0);

    if (!h.trust_anchors && !h.signatures.empty())
        h.notes.push_back("no --trust anchor given: signatures that are intact and valid show "
                          "INDETERMINATE because their certificate chain was not checked (give "
                          "--trust CA.pem, or --trust sandbox for the sandbox CA)");
    if (!journal)
        h.notes.push_back("no signing journal on this machine: provider and transaction are "
                          "unknown");
    return h;
}

} // namespace neac::history
