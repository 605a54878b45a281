#include "verify/verifier.hpp"

#include "neac/util/bytes.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <algorithm>
#include <cctype>

namespace neac::verify::detail {

void FileVerifier::fail_format(SigWork& w, const std::string& why) {
    w.format_failure = true;
    w.r.errors.push_back(why);
}

void FileVerifier::integrity(SigWork& w) {
    QPDFObjectHandle v = w.field.value;
    SignatureReport& r = w.r;
    r.kind = "signature";
    if (v.getKey("/Type").isName() && v.getKey("/Type").getName() == "/DocTimeStamp")
        r.kind = "document_timestamp";
    r.sub_filter =
        v.getKey("/SubFilter").isName() ? v.getKey("/SubFilter").getName().substr(1) : "";
    if (r.kind == "document_timestamp" && r.sub_filter != "ETSI.RFC3161")
        fail_format(w, "a document timestamp must have /SubFilter /ETSI.RFC3161");
    if (r.sub_filter == "ETSI.RFC3161" && r.kind != "document_timestamp") {
        r.kind = "document_timestamp";
        r.warnings.push_back("/SubFilter /ETSI.RFC3161 without /Type /DocTimeStamp");
    }
    r.docmdp = pdf::docmdp_of(v);
    if (r.docmdp > 0)
        r.kind = "certification";
    auto text = [&](const char* key) {
        QPDFObjectHandle h = v.getKey(key);
        return h.isString() ? h.getUTF8Value() : std::string();
    };
    r.reason = text("/Reason");
    r.location = text("/Location");
    r.name = text("/Name");
    r.claimed_time = pdf_date_iso(text("/M"));
    if (w.field.lock.isDictionary()) {
        w.locked = pdf::locked_fields(w.field.lock, all_field_names_);
        QPDFObjectHandle p = w.field.lock.getKey("/P");
        if (p.isInteger() && p.getIntValue() >= 1 && p.getIntValue() <= 3)
            w.lock_p = static_cast<int>(p.getIntValue());
    }
    if (QPDFObjectHandle refs = v.getKey("/Reference"); refs.isArray())
        for (QPDFObjectHandle ref : refs.aitems())
            if (ref.isDictionary() && ref.getKey("/TransformMethod").isName() &&
                ref.getKey("/TransformMethod").getName() == "/FieldMDP") {
                auto more = pdf::locked_fields(ref.getKey("/TransformParams"), all_field_names_);
                w.locked.insert(w.locked.end(), more.begin(), more.end());
            }

    if (!v.isIndirect()) {
        fail_format(w, "the signature dictionary is not an indirect object");
        return;
    }
    w.og = v.getObjGen();
    r.object = objref(w.og);

    // ByteRange: exactly [0 a b c], direct, non-negative, inside the file.
    QPDFObjectHandle br = v.getKey("/ByteRange");
    if (br.isNull() || !br.isArray()) {
        fail_format(w, "/ByteRange is missing: nothing is signed (universal signature "
                       "forgery defence)");
        return;
    }
    if (br.isIndirect())
        fail_format(w, "/ByteRange is an indirect object");
    std::vector<std::int64_t> vals;
    for (QPDFObjectHandle x : br.aitems()) {
        if (!x.isInteger()) {
            fail_format(w, "/ByteRange holds a non-integer");
            return;
        }
        vals.push_back(x.getIntValue());
    }
    r.byte_range = vals;
    if (vals.size() != 4) {
        fail_format(w, "/ByteRange must have exactly 4 integers, it has " +
                           std::to_string(vals.size()));
        return;
    }
    std::int64_t size = static_cast<std::int64_t>(file_->size());
    if (vals[0] != 0 || vals[1] <= 0 || vals[2] < 0 || vals[3] < 0) {
        fail_format(w, "/ByteRange must be [0 a b c] with non-negative values and a > 0");
        return;
    }
    w.a = vals[1];
    w.b = vals[2];
    w.c = vals[3];
    if (w.b <= w.a + 1) {
        fail_format(w, "/ByteRange leaves no room for /Contents between the two ranges");
        return;
    }
    if (w.b > size || w.c > size - w.b) {
        fail_format(w, "/ByteRange extends past the end of the file (" + std::to_string(size) +
                           " bytes)");
        return;
    }

    // /Contents: a direct, non-empty string...
    QPDFObjectHandle contents = v.getKey("/Contents");
    if (contents.isNull() || !contents.isString()) {
        fail_format(w, "/Contents is missing or not a string: nothing to verify (universal "
                       "signature forgery defence)");
        return;
    }
    if (contents.isIndirect()) {
        fail_format(w, "/Contents is an indirect object, not the bytes between the ranges "
                       "(signature wrapping)");
        return;
    }
    std::string value = contents.getStringValue();
    if (value.empty() || std::all_of(value.begin(), value.end(), [](char ch) { return ch == 0; })) {
        fail_format(w, "/Contents is empty (universal signature forgery defence)");
        return;
    }
    // ...which is exactly the hex string in the gap of this signature dictionary.
    std::size_t gap = static_cast<std::size_t>(w.b - w.a);
    if (gap > 2 * limits::kSignatureContentsBytes + 2) {
        fail_format(w,
                    "the /ByteRange gap is implausibly large (" + std::to_string(gap) + " bytes)");
        return;
    }
    std::string raw = file_->read_string(static_cast<std::uint64_t>(w.a), gap);
    bool hex = raw.size() == gap && raw.front() == '<' && raw.back() == '>';
    for (std::size_t i = 1; hex && i + 1 < raw.size(); ++i)
        hex = std::isxdigit(static_cast<unsigned char>(raw[i])) != 0;
    if (!hex) {
        fail_format(w, "the bytes between the ranges (offset " + std::to_string(w.a) + " to " +
                           std::to_string(w.b) + ") are not a hex string");
        return;
    }
    if ((raw.size() - 2) % 2 != 0) {
        fail_format(w, "the /Contents hex string has an odd number of digits");
        return;
    }
    Bytes decoded = hex_decode(std::string_view(raw).substr(1, raw.size() - 2));
    if (std::all_of(decoded.begin(), decoded.end(), [](std::uint8_t ch) { return ch == 0; })) {
        fail_format(w, "/Contents is empty (universal signature forgery defence)");
        return;
    }
    // In an encrypted file QPDF decrypts every string, but a signature's /Contents is never
    // encrypted (ISO 32000-1 §7.6.1): there the bytes of the gap are the value, and the checks of
    // where the gap lies below defend against wrapping.
    if (to_string(decoded) != value && !final_.qpdf->isEncrypted()) {
        fail_format(w, "the bytes between the ranges are not this signature's /Contents "
                       "(signature wrapping)");
        return;
    }
    std::int64_t end = w.b + w.c;
    for (std::size_t i = 0; i < revisions_.size(); ++i)
        if (static_cast<std::int64_t>(revisions_[i].end) == end ||
            static_cast<std::int64_t>(revisions_[i].marker_end) == end)
            w.revision = static_cast<int>(i) + 1;
    if (w.revision == 0 && end == size)
        w.revision = static_cast<int>(revisions_.size());
    if (end == size)
        r.coverage = Coverage::EntireFile;
    else if (w.revision > 0)
        r.coverage = Coverage::EntireRevision;
    else
        r.coverage = Coverage::Unclear;

    // The gap must lie inside the signature dictionary as the signed revision has it (a later
    // redefinition of the dictionary is a change after signing, judged by the diff).
    const std::map<QPDFObjGen, QPDFXRefEntry>* xref = &final_.xref;
    if (w.revision > 0 && end != size) {
        pdf::RevisionView* signed_view = view(w.revision);
        if (signed_view && signed_view->qpdf)
            xref = &signed_view->xref;
    }
    auto entry = xref->find(w.og);
    if (entry == xref->end() || entry->second.getType() != 1) {
        fail_format(w, entry == xref->end()
                           ? "the signature dictionary is not in the revision it signs"
                           : "the signature dictionary is inside an object stream");
        return;
    }
    std::int64_t obj_at = entry->second.getOffset();
    std::string before = file_->read_string(
        static_cast<std::uint64_t>(std::max<std::int64_t>(obj_at, w.a - 64)),
        static_cast<std::size_t>(w.a - std::max<std::int64_t>(obj_at, w.a - 64)));
    while (!before.empty() && std::isspace(static_cast<unsigned char>(before.back())))
        before.pop_back();
    bool after_key = before.size() >= 9 && before.compare(before.size() - 9, 9, "/Contents") == 0;
    std::int64_t next_obj = size;
    for (const auto& [og, e] : *xref)
        if (e.getType() == 1 && e.getOffset() > obj_at && e.getOffset() < next_obj)
            next_obj = e.getOffset();
    if (obj_at >= w.a || !after_key || w.b > next_obj) {
        fail_format(w, "the /ByteRange gap is not the /Contents of signature dictionary " +
                           r.object + " (signature wrapping)");
        return;
    }
    w.contents = std::move(decoded);
    w.structure_ok = true;
    if (r.coverage == Coverage::Unclear)
        fail_format(w, "the signed bytes end at offset " + std::to_string(end) +
                           ", which is neither the end of the file nor the end of a revision");
    r.revision = w.revision;
    cms(w);
}

std::map<std::string, Bytes>
FileVerifier::hash_ranges(const SigWork& w, const std::vector<crypto::DigestSpec>& specs) {
    crypto::MultiHasher h;
    for (const auto& s : specs)
        h.add(s);
    std::vector<char> buf(kHashChunk);
    auto feed = [&](std::uint64_t from, std::uint64_t len) {
        while (len > 0) {
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(len, buf.size()));
            std::size_t got = file_->read_at(from, buf.data(), n);
            if (got != n)
                throw input_error("the file changed or could not be read while hashing");
            h.update(buf.data(), got);
            from += got;
            len -= got;
        }
    };
    feed(0, static_cast<std::uint64_t>(w.a));
    feed(static_cast<std::uint64_t>(w.b), static_cast<std::uint64_t>(w.c));
    std::map<std::string, Bytes> out;
    for (const auto& s : specs)
        if (!out.count(s.name))
            out[s.name] = h.result(s);
    return out;
}

std::vector<crypto::Certificate> FileVerifier::pool() const {
    std::vector<crypto::Certificate> out = ctx_.extra;
    out.insert(out.end(), dss_certs_.begin(), dss_certs_.end());
    return out;
}

void FileVerifier::cms(SigWork& w) {
    SignatureReport& r = w.r;
    std::string error;
    w.cms = crypto::SignedData::parse(w.contents, error);
    if (!w.cms) {
        fail_format(w, "the signature value is not a CMS SignedData: " + error);
        return;
    }
    crypto::SignedData& sd = *w.cms;
    std::vector<crypto::Certificate> extra = pool();
    if (r.kind == "document_timestamp") {
        auto alg = crypto::timestamp_imprint_algorithm(w.contents);
        if (!alg || !alg->known) {
            fail_format(w, "the document timestamp is not a readable RFC 3161 token");
            return;
        }
        auto digests = hash_ranges(w, {*alg});
        w.doc_ts = crypto::check_timestamp_token(w.contents, nullptr, digests[alg->name], extra);
        const crypto::TimestampCheck& ts = *w.doc_ts;
        r.digest_algorithm = alg->name;
        r.document_digest = hex_encode(digests[alg->name]);
        r.signature_algorithm = ts.signer.signature_algorithm;
        if (!ts.parsed) {
            fail_format(w, "document timestamp: " + ts.error);
            return;
        }
        w.signers.push_back(ts.signer);
        if (!ts.imprint_ok) {
            w.hash_failure = true;
            r.errors.push_back("the document timestamp's imprint does not match the signed "
                               "bytes");
        }
        r.intact = ts.imprint_ok && ts.signer.message_digest_ok;
        r.timestamp_time = iso_time(ts.gen_time);
        Timestamp t;
        t.kind = "document";
        t.time = iso_time(ts.gen_time);
        t.tsa = ts.signer.signer.empty() ? "" : ts.signer.signer.subject();
        t.valid = ts.valid();
        t.problem = ts.error;
        r.timestamps.push_back(t);
        judge_signer(w, ts.signer, true);
        if (!ts.tsa_eku_ok) {
            w.format_failure = true;
            r.errors.push_back("the TSA certificate lacks the critical timeStamping usage");
        }
        return;
    }

    bool detached_filter =
        r.sub_filter == "adbe.pkcs7.detached" || r.sub_filter == "ETSI.CAdES.detached";
    bool sha1_filter = r.sub_filter == "adbe.pkcs7.sha1";
    if (!detached_filter && !sha1_filter) {
        fail_format(w, "unsupported /SubFilter " +
                           (r.sub_filter.empty() ? std::string("(none)") : r.sub_filter));
        return;
    }
    if (detached_filter && !sd.detached()) {
        fail_format(w, "a detached signature (" + r.sub_filter +
                           ") must not encapsulate content (eContent present)");
        return;
    }
    if (detached_filter && sd.econtent_type() != "1.2.840.113549.1.7.1")
        fail_format(w, "the encapsulated content type is " + sd.econtent_type() + ", not id-data");
    if (sha1_filter && sd.detached()) {
        fail_format(w, "adbe.pkcs7.sha1 must encapsulate the SHA-1 digest of the document");
        return;
    }
    if (sd.signer_count() > 1)
        r.warnings.push_back("the CMS has " + std::to_string(sd.signer_count()) +
                             " SignerInfos; all were verified");
    r.signer_infos = static_cast<int>(sd.signer_count());

    std::vector<crypto::DigestSpec> specs;
    for (std::size_t i = 0; i < sd.signer_count(); ++i)
        specs.push_back(sd.signer_digest(i));
    if (sha1_filter)
        specs.push_back(crypto::digest_spec_from_name("sha1"));
    auto digests = hash_ranges(w, specs);
    if (sha1_filter) {
        w.weak_digest = true;
        if (sd.econtent() != digests["sha1"]) {
            w.hash_failure = true;
            r.errors.push_back("the encapsulated SHA-1 digest does not match the signed bytes");
        }
    }
    for (std::size_t i = 0; i < sd.signer_count(); ++i) {
        crypto::DigestSpec spec = sd.signer_digest(i);
        Bytes content_digest =
            sha1_filter ? crypto::digest_any(spec, sd.econtent().data(), sd.econtent().size())
                        : digests[spec.name];
        w.signers.push_back(sd.check_signer(i, content_digest, extra));
    }
    const crypto::SignerCheck& first = w.signers.front();
    r.digest_algorithm = first.digest.name;
    // adbe.pkcs7.sha1 signs the encapsulated SHA-1 of the ranges: that is its document digest.
    r.document_digest = hex_encode(sha1_filter ? digests["sha1"] : digests[first.digest.name]);
    r.signature_algorithm = first.signature_algorithm;
    r.intact = !w.hash_failure;
    for (const auto& s : w.signers) {
        r.intact = r.intact && s.digest_matches_document;
        judge_signer(w, s, false);
        if (r.sub_filter == "ETSI.CAdES.detached" && !s.signing_certificate_present) {
            w.format_failure = true;
            r.errors.push_back("ETSI.CAdES.detached requires the ESS signing-certificate-v2 "
                               "attribute (ETSI EN 319 142-1)");
        }
    }
    if (first.timestamp_token) {
        crypto::TimestampCheck ts = crypto::check_timestamp_token(
            *first.timestamp_token, &first.signature_value, std::nullopt, extra);
        Timestamp t;
        t.kind = "signature";
        t.time = ts.parsed ? iso_time(ts.gen_time) : "";
        t.tsa = ts.signer.signer.empty() ? "" : ts.signer.signer.subject();
        t.valid = ts.valid();
        t.problem = ts.error;
        r.timestamps.push_back(t);
        w.sig_ts = ts;
        if (!ts.valid())
            r.warnings.push_back("the signature timestamp is not valid: " + ts.error);
    }
}

void FileVerifier::judge_signer(SigWork& w, const crypto::SignerCheck& s, bool token) {
    SignatureReport& r = w.r;
    std::string who =
        w.signers.size() > 1 && !token ? "SignerInfo " + std::to_string(s.index + 1) + ": " : "";
    if (s.digest.weak)
        w.weak_digest = true;
    if (s.signer.empty()) {
        w.no_signer = true;
        r.errors.push_back(who + "the signer's certificate is not in the signature");
        return;
    }
    if (!r.signer)
        r.signer = cert_info(s.signer);
    if (!s.digest.known) {
        w.format_failure = true;
        r.errors.push_back(who + "unsupported digest algorithm " + s.digest.oid);
        return;
    }
    if (!s.algorithm_consistent)
        w.format_failure = true;
    if (s.signed_attributes && !s.content_type_ok)
        w.format_failure = true;
    if (s.signed_attributes && !s.message_digest_ok)
        w.hash_failure = true;
    // A value that was not checked (the algorithms contradict each other) is a format failure,
    // not a signature that failed to verify.
    if (!s.signature_ok && s.algorithm_consistent)
        w.crypto_failure = true;
    if (s.signing_certificate_present && !s.signing_certificate_ok)
        w.format_failure = true;
    for (const std::string& p : s.problems)
        r.errors.push_back(who + p);
}

void FileVerifier::check_gaps() {
    for (std::size_t i = 0; i < work_.size(); ++i)
        for (std::size_t j = i + 1; j < work_.size(); ++j) {
            SigWork& x = work_[i];
            SigWork& y = work_[j];
            if (!x.structure_ok || !y.structure_ok)
                continue;
            if (x.a == y.a && x.b == y.b) {
                fail_format(x, "signature " + y.r.field + " claims the same /Contents");
                fail_format(y, "signature " + x.r.field + " claims the same /Contents");
            } else if (x.a < y.b && y.a < x.b) {
                fail_format(x, "the /ByteRange gap overlaps that of signature " + y.r.field);
                fail_format(y, "the /ByteRange gap overlaps that of signature " + x.r.field);
            }
        }
}

} // namespace neac::verify::detail
