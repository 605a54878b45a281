// Each limit of neac/util/limits.hpp tried at the limit, where the input is accepted, and at
// limit + 1, where the code that reads it refuses it with an error naming the limit. Inputs are
// built here, at the exact size, so that a limit moved in the header moves its test with it.
#include "neac/crypto/certificate.hpp"
#include "neac/crypto/chain.hpp"
#include "neac/crypto/cms.hpp"
#include "neac/pdf/decode_guard.hpp"
#include "neac/pdf/fields.hpp"
#include "neac/pdf/revisions.hpp"
#include "neac/portal/manifest.hpp"
#include "neac/profile/profile.hpp"
#include "neac/sign/plan.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"
#include "neac/verify/verify.hpp"
#include "place/page_budget.hpp"
#include "support/pdf_builder.hpp"
#include "support/pki.hpp"
#include "util/yaml_reader.hpp"
#include "verify/verifier.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <qpdf/QPDF.hh>

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <thread>
#include <zlib.h>

using namespace neac;
using namespace neac::testing;
namespace fs = std::filesystem;

namespace {

std::string what_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// --- PDF ---------------------------------------------------------------------------------------

// A document whose only page hangs below `levels` intermediate /Pages nodes.
std::string page_tree_pdf(int levels) {
    PdfBuilder::Objects o;
    o[1] = "<< /Type /Catalog /Pages 2 0 R >>";
    for (int i = 0; i < levels; ++i) {
        int self = 2 + i;
        int kid = self + 1;
        std::string parent = i == 0 ? "" : " /Parent " + std::to_string(self - 1) + " 0 R";
        o[self] =
            "<< /Type /Pages /Kids [" + std::to_string(kid) + " 0 R] /Count 1" + parent + " >>";
    }
    o[2 + levels] =
        "<< /Type /Page /Parent " + std::to_string(1 + levels) + " 0 R /MediaBox [0 0 200 200] >>";
    return PdfBuilder(o, 1).bytes();
}

std::size_t pages_of(const std::string& bytes) {
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("limits.pdf", bytes.data(), bytes.size());
    return pdf::page_dictionaries(q).size();
}

TEST(Limits, PageTreeDepth) {
    EXPECT_EQ(pages_of(page_tree_pdf(limits::kPageTreeDepth)), 1u);
    std::string e = what_of([&] { pages_of(page_tree_pdf(limits::kPageTreeDepth + 1)); });
    EXPECT_TRUE(mentions(e, std::to_string(limits::kPageTreeDepth) + " levels deep")) << e;
}

// `fields` signature fields that all show one (unverifiable) signature dictionary.
void write_signature_fields(const fs::path& path, std::size_t fields) {
    PdfBuilder::Objects o;
    o[1] = "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields 5 0 R /SigFlags 3 >> >>";
    o[2] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    o[3] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>";
    o[4] = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
           "/ByteRange [0 10 20 10] /Contents <3000> >>";
    std::string list = "[";
    for (std::size_t i = 0; i < fields; ++i)
        list += "<< /FT /Sig /T (S" + std::to_string(i) + ") /V 4 0 R >> ";
    o[5] = list + "]";
    PdfBuilder(o, 1).write(path);
}

TEST(Limits, SignatureFieldsPerFile) {
    TempDir dir;
    write_signature_fields(dir / "at.pdf", limits::kSignaturesPerFile);
    verify::VerifyReport at = verify::verify_file(dir / "at.pdf", verify::Policy{});
    EXPECT_EQ(at.status, verify::FileStatus::Checked) << at.error;
    write_signature_fields(dir / "over.pdf", limits::kSignaturesPerFile + 1);
    verify::VerifyReport over = verify::verify_file(dir / "over.pdf", verify::Policy{});
    EXPECT_EQ(over.status, verify::FileStatus::BadInput);
    EXPECT_TRUE(mentions(over.error, "at most " + std::to_string(limits::kSignaturesPerFile)))
        << over.error;
    EXPECT_EQ(verify::exit_code_for({over}), 4);
}

TEST(Limits, CrossReferenceSections) {
    PdfBuilder pdf(
        {{1, "<< /Type /Catalog /Pages 2 0 R >>"}, {2, "<< /Type /Pages /Kids [] /Count 0 >>"}}, 1);
    TempDir dir;
    // One section per revision: limit sections read, the one beyond them not.
    for (std::size_t i = 1; i < limits::kXrefSections; ++i)
        pdf.update({});
    pdf.write(dir / "at.pdf");
    std::string problem;
    EXPECT_EQ(pdf::find_revisions(pdf::FileHandle(dir / "at.pdf"), problem).size(),
              limits::kXrefSections);
    EXPECT_EQ(problem, "");
    pdf.update({});
    pdf.write(dir / "over.pdf");
    pdf::find_revisions(pdf::FileHandle(dir / "over.pdf"), problem);
    EXPECT_EQ(problem, "too many cross-reference sections");
}

// A Flate stream that inflates to `size` zero bytes, and whether it decodes under the guard.
bool decodes_under_guard(std::uint64_t size) {
    std::string zeros(size, '\0');
    uLongf packed_size = compressBound(static_cast<uLong>(zeros.size()));
    std::string packed(packed_size, '\0');
    compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
              reinterpret_cast<const Bytef*>(zeros.data()), static_cast<uLong>(zeros.size()), 9);
    packed.resize(packed_size);
    QPDF q;
    q.emptyPDF();
    q.setSuppressWarnings(true);
    QPDFObjectHandle s = QPDFObjectHandle::newStream(&q, packed);
    s.getDict().replaceKey("/Filter", QPDFObjectHandle::newName("/FlateDecode"));
    pdf::install_stream_filters(); // the guard counts through neac's own Flate filter
    pdf::DecodeGuard guard(limits::kStreamDecodeBytes, limits::kVerifyDecodeBytes);
    try {
        s.getStreamData(qpdf_dl_generalized);
    } catch (const std::exception&) {
        return false;
    }
    return !guard.tripped();
}

TEST(Limits, InflatedBytesPerStream) {
    EXPECT_TRUE(decodes_under_guard(limits::kStreamDecodeBytes));
    EXPECT_FALSE(decodes_under_guard(limits::kStreamDecodeBytes + 1));
}

// One page whose content runs `operators` operators ("n": end a path), Flate-compressed.
void write_operator_page(const fs::path& path, std::uint64_t operators) {
    std::string content;
    content.reserve(operators * 2);
    for (std::uint64_t i = 0; i < operators; ++i)
        content += "n\n";
    uLongf packed_size = compressBound(static_cast<uLong>(content.size()));
    std::string packed(packed_size, '\0');
    compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
              reinterpret_cast<const Bytef*>(content.data()), static_cast<uLong>(content.size()),
              9);
    packed.resize(packed_size);
    PdfBuilder::Objects o;
    o[1] = "<< /Type /Catalog /Pages 2 0 R >>";
    o[2] = "<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>";
    o[3] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>";
    o[4] = PdfBuilder::stream("/Filter /FlateDecode", packed);
    o[5] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>";
    PdfBuilder(o, 1).write(path);
}

TEST(Limits, OperatorsPerPage) {
    TempDir dir;
    write_operator_page(dir / "at.pdf", limits::kOperatorsPerPage);
    EXPECT_NO_THROW(place::PageBudget(dir / "at.pdf").check(1));
    write_operator_page(dir / "over.pdf", limits::kOperatorsPerPage + 1);
    std::string e = what_of([&] { place::PageBudget(dir / "over.pdf").check(1); });
    EXPECT_TRUE(
        mentions(e, "more than " + std::to_string(limits::kOperatorsPerPage) + " operators"))
        << e;
}

TEST(Limits, PageReadingTime) {
    TempDir dir;
    write_operator_page(dir / "slow.pdf", 1000);
    // Pages are read while time is left; the first page read after the deadline is refused.
    place::PageBudget budget(dir / "slow.pdf", std::chrono::milliseconds(50));
    EXPECT_NO_THROW(budget.check(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    std::string e = what_of([&] { budget.check(2); });
    EXPECT_TRUE(mentions(e, "page 2: reading the document's pages took more than 50 ms")) << e;
}

TEST(Limits, SignatureContents) {
    // The size check comes before any parsing, so zero bytes of the exact size show it.
    std::string error;
    EXPECT_FALSE(crypto::SignedData::parse(Bytes(limits::kSignatureContentsBytes + 1), error));
    EXPECT_EQ(error, "signature value too large");
    crypto::SignedData::parse(Bytes(limits::kSignatureContentsBytes), error);
    EXPECT_NE(error, "signature value too large");
}

// --- Certificates --------------------------------------------------------------------------------

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
    void operator()(X509* c) const { X509_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ASSERT_NE(ext, nullptr);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A chain of `length` certificates: [0] the self-signed anchor, then CAs, the last one a leaf.
std::vector<crypto::Certificate> chain_of(int length) {
    std::vector<crypto::Certificate> out;
    KeyPtr issuer_key;
    CertPtr issuer;
    for (int i = 0; i < length; ++i) {
        KeyPtr key(EVP_EC_gen("P-256"));
        CertPtr cert(X509_new());
        X509_set_version(cert.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), i + 1);
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24 * 30);
        X509_NAME* name = X509_get_subject_name(cert.get());
        std::string cn = "limits test " + std::to_string(i);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
        X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer.get()) : name);
        X509_set_pubkey(cert.get(), key.get());
        bool leaf = i == length - 1;
        add_extension(cert.get(), issuer ? issuer.get() : cert.get(), NID_basic_constraints,
                      leaf ? "critical,CA:FALSE" : "critical,CA:TRUE");
        add_extension(cert.get(), issuer ? issuer.get() : cert.get(), NID_key_usage,
                      leaf ? "critical,digitalSignature" : "critical,keyCertSign,cRLSign");
        X509_sign(cert.get(), issuer_key ? issuer_key.get() : key.get(), EVP_sha256());
        unsigned char* der = nullptr;
        int n = i2d_X509(cert.get(), &der);
        out.push_back(crypto::Certificate::from_der(Bytes(der, der + n)));
        OPENSSL_free(der);
        issuer_key = std::move(key);
        issuer = std::move(cert);
    }
    return out;
}

crypto::ChainResult validate(const std::vector<crypto::Certificate>& chain) {
    std::vector<crypto::Certificate> middle(chain.begin() + 1, chain.end() - 1);
    return crypto::validate_chain(chain.back(), middle, {chain.front()},
                                  std::chrono::system_clock::now());
}

TEST(Limits, ChainLength) {
    crypto::ChainResult at = validate(chain_of(limits::kChainLength));
    EXPECT_EQ(at.status, crypto::ChainStatus::Valid) << at.detail;
    EXPECT_EQ(at.path.size(), static_cast<std::size_t>(limits::kChainLength));
    crypto::ChainResult over = validate(chain_of(limits::kChainLength + 1));
    EXPECT_EQ(over.status, crypto::ChainStatus::Invalid);
    EXPECT_TRUE(mentions(over.detail, "too long")) << over.detail;
}

// --- Text inputs -----------------------------------------------------------------------------

TEST(Limits, YamlValues) {
    // A flow list is one value and holds the others.
    auto list_of = [](std::size_t n) {
        std::string text = "[";
        for (std::size_t i = 0; i < n; ++i)
            text += i ? ",1" : "1";
        return text + "]\n";
    };
    EXPECT_NO_THROW(yaml::check_plain(list_of(limits::kYamlNodes - 1), "at.yaml"));
    std::string e = what_of([&] { yaml::check_plain(list_of(limits::kYamlNodes), "over.yaml"); });
    EXPECT_TRUE(mentions(e, "more than " + std::to_string(limits::kYamlNodes) + " values")) << e;
}

TEST(Limits, ProfileFileSize) {
    TempDir dir;
    profile::ProfileStore store(dir.path());
    std::string head = "name: big\n# ";
    write_file(dir / "big.yaml", head + std::string(limits::kProfileBytes - head.size() + 1, 'x'));
    std::string e = what_of([&] { store.load((dir / "big.yaml").string()); });
    EXPECT_TRUE(mentions(e, "too large (more than " + std::to_string(limits::kProfileBytes))) << e;
    // At the limit the file is read, and judged on what it says.
    write_file(dir / "big.yaml", head + std::string(limits::kProfileBytes - head.size(), 'x'));
    e = what_of([&] { store.load((dir / "big.yaml").string()); });
    EXPECT_FALSE(mentions(e, "too large")) << e;
}

TEST(Limits, ManifestComponents) {
    TempDir dir;
    write_file(dir / "a.pdf", "%PDF-1.7\n");
    auto manifest = [&](std::size_t components) {
        std::string text = "version: 1\nportal: {url: https://dvc.example.gov.vn/neac/v1}\n"
                           "procedure: {code: \"1.001193\", name: Khai sinh}\n"
                           "applicant: {name: Nguyễn Văn A, id: \"001099012345\"}\n"
                           "components:\n";
        for (std::size_t i = 0; i < components; ++i)
            text += "  - {code: C" + std::to_string(i) + ", title: T, file: a.pdf}\n";
        write_file(dir / "d.yaml", text);
    };
    manifest(limits::kManifestComponents);
    std::string e = what_of([&] { portal::load_manifest(dir / "d.yaml"); });
    EXPECT_FALSE(mentions(e, "components:")) << e;
    manifest(limits::kManifestComponents + 1);
    e = what_of([&] { portal::load_manifest(dir / "d.yaml"); });
    EXPECT_TRUE(mentions(e, "at most " + std::to_string(limits::kManifestComponents))) << e;
}

TEST(Limits, BatchList) {
    auto read = [](const std::string& text) {
        std::istringstream in(text);
        return sign::read_manifest("-", in);
    };
    std::string line = "{\"input\": \"a.pdf\"}\n";
    std::string lines;
    for (std::size_t i = 0; i < limits::kBatchListJobs; ++i)
        lines += line;
    EXPECT_EQ(read(lines).size(), limits::kBatchListJobs);
    std::string e = what_of([&] { read(lines + line); });
    EXPECT_TRUE(mentions(e, "more than " + std::to_string(limits::kBatchListJobs))) << e;

    std::string frame = "{\"input\": \".pdf\"}";
    std::string longest =
        "{\"input\": \"" + std::string(limits::kBatchListLineBytes - frame.size(), 'a') + ".pdf\"}";
    ASSERT_EQ(longest.size(), limits::kBatchListLineBytes);
    EXPECT_EQ(read(longest + "\n").size(), 1u);
    e = what_of([&] { read("{\"input\": \"a" + longest.substr(11) + "\n"); });
    EXPECT_TRUE(mentions(e, "longer than")) << e;
}

TEST(Limits, SignerPattern) {
    verify::Policy p;
    p.expect_signer = "N" + std::string(limits::kSignerPatternLength - 1, '.');
    EXPECT_NO_THROW(verify::detail::make_context(p));
    p.expect_signer += ".";
    std::string e = what_of([&] { verify::detail::make_context(p); });
    EXPECT_TRUE(mentions(e, "longer than " + std::to_string(limits::kSignerPatternLength))) << e;
}

} // namespace
