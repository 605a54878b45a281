// Feeds a CMS SignedData (DER or BER, as found in a PDF signature's /Contents) to the verifier's
// CMS code exactly as verify's integrity check uses it: SignedData::parse, then for every
// SignerInfo its digest algorithm, the digest of the signed content (the eContent when there is
// one) and check_signer (signed attributes, message digest, ESS signing-certificate(-v2),
// signature value, algorithm consistency, signing time, archived revocation data), then the
// signature time-stamp token it carries, if any, checked over the signature value.
//
// Input: the CMS, optionally followed by the content digest to check detached signatures
// against. The harness splits them by the outer DER length (an indefinite-length CMS takes the
// whole input), so scripts/fuzz seeds each CMS extracted from a signed PDF with the real digest of
// its byte ranges appended: the seeds then pass the message-digest check and mutations reach the
// code behind it. Trailing bytes of another length are hashed as the content instead.
#include "harness.hpp"

#include "neac/crypto/cms_verify.hpp"

using namespace neac;

namespace {

// Size of the first DER element of `b` (tag, length, contents), or b.size() when its length is
// indefinite or runs past the end.
std::size_t outer_size(const Bytes& b) {
    if (b.size() < 2)
        return b.size();
    std::size_t len = b[1];
    std::size_t head = 2;
    if (len == 0x80)
        return b.size();
    if (len > 0x80) {
        std::size_t n = len & 0x7F;
        if (n > 4 || b.size() < 2 + n)
            return b.size();
        len = 0;
        for (std::size_t i = 0; i < n; ++i)
            len = (len << 8) | b[2 + i];
        head += n;
    }
    return len > b.size() - head ? b.size() : head + len;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes input(data, data + size);
    std::size_t cms_size = outer_size(input);
    Bytes cms(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(cms_size));
    Bytes trailer(input.begin() + static_cast<std::ptrdiff_t>(cms_size), input.end());
    static const Bytes kContent = to_bytes(std::string("neac fuzz detached content\n"));

    fuzz::refused_ok([&] {
        std::string error;
        std::optional<crypto::SignedData> sd = crypto::SignedData::parse(cms, error);
        if (!sd)
            return;
        (void)sd->econtent_type();
        (void)sd->certificates().size();
        (void)sd->crls().size();
        // A real CMS has one or two SignerInfos; a hostile one may list thousands.
        std::size_t signers = std::min<std::size_t>(sd->signer_count(), 16);
        for (std::size_t i = 0; i < signers; ++i) {
            crypto::DigestSpec spec = sd->signer_digest(i);
            Bytes digest;
            if (!sd->detached())
                digest = crypto::digest_any(spec, sd->econtent().data(), sd->econtent().size());
            else if (!trailer.empty() &&
                     trailer.size() == crypto::digest_any(spec, kContent.data(), 0).size())
                digest = trailer;
            else {
                const Bytes& content = trailer.empty() ? kContent : trailer;
                digest = crypto::digest_any(spec, content.data(), content.size());
            }
            crypto::SignerCheck check = sd->check_signer(i, digest);
            if (check.timestamp_token)
                (void)crypto::check_timestamp_token(*check.timestamp_token, &check.signature_value,
                                                    std::nullopt);
        }
    });
    return 0;
}
