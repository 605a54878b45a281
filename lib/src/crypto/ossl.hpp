// Private OpenSSL helpers: owning handles and error-queue draining. Not part of the public API.
//
// Every OpenSSL object neac creates is held by one of these unique_ptr aliases, so that an
// exception thrown halfway through building a CMS or parsing a response never leaks a handle.
// They are move-only and convert to nothing implicitly: call .get() to lend, .release() to give.
#pragma once

#include "neac/crypto/digest.hpp"
#include "neac/util/bytes.hpp"
#include "neac/util/error.hpp"

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace neac::crypto::ossl {

// A unique_ptr whose deleter is a plain OpenSSL free function known at compile time.
template <class T, void (*F)(T*)> struct FnDeleter {
    void operator()(T* p) const noexcept {
        if (p)
            F(p);
    }
};
template <class T, void (*F)(T*)> using DeleteFnPtr = std::unique_ptr<T, FnDeleter<T, F>>;

// BIO_free returns int; wrap it so it fits the deleter signature.
inline void bio_free(BIO* b) {
    BIO_free(b);
}
inline void x509_stack_free(STACK_OF(X509) * s) {
    sk_X509_pop_free(s, X509_free);
}
inline void openssl_free(unsigned char* p) {
    OPENSSL_free(p);
}

using X509Ptr = DeleteFnPtr<X509, X509_free>;
using X509NamePtr = DeleteFnPtr<X509_NAME, X509_NAME_free>;
using X509ExtPtr = DeleteFnPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = DeleteFnPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = DeleteFnPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509AlgorPtr = DeleteFnPtr<X509_ALGOR, X509_ALGOR_free>;
using X509StackPtr = DeleteFnPtr<STACK_OF(X509), x509_stack_free>;
using EvpPkeyPtr = DeleteFnPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = DeleteFnPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = DeleteFnPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpMdPtr = DeleteFnPtr<EVP_MD, EVP_MD_free>;
using BioPtr = DeleteFnPtr<BIO, bio_free>;
using BignumPtr = DeleteFnPtr<BIGNUM, BN_free>;
using Asn1IntegerPtr = DeleteFnPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1ObjectPtr = DeleteFnPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1TimePtr = DeleteFnPtr<ASN1_TIME, ASN1_TIME_free>;
using Asn1OctetStringPtr = DeleteFnPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Pkcs12Ptr = DeleteFnPtr<PKCS12, PKCS12_free>;
using Pkcs7Ptr = DeleteFnPtr<PKCS7, PKCS7_free>;
using CmsPtr = DeleteFnPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using TsReqPtr = DeleteFnPtr<TS_REQ, TS_REQ_free>;
using TsRespPtr = DeleteFnPtr<TS_RESP, TS_RESP_free>;
using TsRespCtxPtr = DeleteFnPtr<TS_RESP_CTX, TS_RESP_CTX_free>;
using TsMsgImprintPtr = DeleteFnPtr<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using TsTstInfoPtr = DeleteFnPtr<TS_TST_INFO, TS_TST_INFO_free>;
using TsVerifyCtxPtr = DeleteFnPtr<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using OsslBytesPtr = DeleteFnPtr<unsigned char, openssl_free>;

// Removes every pending OpenSSL error and returns them as "reason; reason; ..." (empty if none).
// Always call it (or check_ossl()) after a failing OpenSSL call, so that a stale error never ends
// up in the message of an unrelated later failure.
std::string drain_errors();

// Clears the queue without reading it (before a call whose failure we interpret ourselves).
void clear_errors();

// Builds Error(kind, "<what>: <OpenSSL reasons>") and drains the queue.
Error error(const std::string& what, ErrorKind kind = ErrorKind::BadInput);

// Throws error(what, kind) unless rc is positive (the usual OpenSSL success convention).
inline void check_ossl(int rc, const std::string& what, ErrorKind kind = ErrorKind::BadInput) {
    if (rc <= 0)
        throw error(what, kind);
}
// Throws error(what, kind) when an allocating call returned null; returns the pointer otherwise.
template <class P>
P* check_ossl_ptr(P* p, const std::string& what, ErrorKind kind = ErrorKind::BadInput) {
    if (!p)
        throw error(what, kind);
    return p;
}

// The DER encoding of any OpenSSL ASN.1 object through its i2d function.
template <class T>
Bytes i2d_bytes(int (*i2d)(const T*, unsigned char**), const T* obj, const std::string& what) {
    unsigned char* buf = nullptr;
    int len = i2d(obj, &buf);
    if (len <= 0)
        throw error("cannot encode " + what, ErrorKind::Internal);
    OsslBytesPtr owner(buf);
    return Bytes(buf, buf + len);
}

// A read-only memory BIO over `data` (which must outlive the BIO).
BioPtr mem_bio(const void* data, std::size_t size);
// The bytes accumulated in a memory BIO.
std::string bio_string(BIO* bio);

// The (explicitly fetched, cached) EVP_MD of one of our digest algorithms. Defined in digest.cpp.
const EVP_MD* md_for(DigestAlgorithm alg);

} // namespace neac::crypto::ossl
