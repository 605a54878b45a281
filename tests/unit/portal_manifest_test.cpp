// The dossier manifest (neac-dossier(5)) and content sniffing: what a user writes by hand must
// be read exactly or refused at the right line, and no path may leave the manifest's folder.
#include "neac/portal/manifest.hpp"
#include "neac/portal/submit.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>
#include <random>

namespace {

using namespace neac;
using namespace neac::testing;
namespace fs = std::filesystem;

const char* kGood = R"(version: 1
portal:
  url: https://dichvucong.example.gov.vn/neac/v1
  max-file-size: 10MB
procedure:
  code: "1.001193"
  name: Đăng ký khai sinh
applicant:
  name: NGUYỄN VĂN A
  id: "001 099 012 345"
  phone: 0912.345.678
  address: Điện Biên Phủ
form:
  ho_ten_tre: Nguyễn Văn B
  so_con: "02"
  nguoi_lam_chung: [Trần Thị C, Lê Văn D]
components:
  - code: TP1
    title: Tờ khai
    file: forms/to-khai.pdf
    signature: required
  - code: TP2
    title: Giấy chứng sinh
    file: giay.pdf
    signature: required
    signer: "079188004321"
  - code: TP3
    title: Ảnh
    file: ./anh.pdf
policy:
  trust: [sandbox, ca/root.pem]
  require-timestamp: true
)";

Error load_error(const TempDir& dir, const std::string& yaml) {
    write_file(dir / "d.yaml", yaml);
    return expect_error([&] { portal::load_manifest(dir / "d.yaml"); }, "load_manifest");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    if (at == std::string::npos)
        throw std::runtime_error("test text lacks: " + from);
    return text.replace(at, from.size(), to);
}

TEST(PortalManifest, ReadsEveryField) {
    TempDir dir;
    write_file(dir / "d.yaml", kGood);
    portal::Manifest m = portal::load_manifest(dir / "d.yaml");
    EXPECT_EQ(m.portal_url, "https://dichvucong.example.gov.vn/neac/v1");
    EXPECT_EQ(m.max_file_size, 10 << 20);
    EXPECT_EQ(m.procedure_code, "1.001193");
    EXPECT_EQ(m.applicant.id_kind, "CCCD");
    EXPECT_EQ(m.applicant.id_number, "001099012345");
    EXPECT_EQ(m.applicant.phone, "+84912345678");
    EXPECT_EQ(m.form["so_con"], "02"); // leading zero kept: form values stay text
    EXPECT_EQ(m.form["nguoi_lam_chung"][1], "Lê Văn D");
    ASSERT_EQ(m.components.size(), 3u);
    EXPECT_EQ(m.components[0].file, dir.path() / "forms/to-khai.pdf");
    EXPECT_EQ(m.components[0].signer, "001099012345"); // the applicant by default
    EXPECT_EQ(m.components[1].signer, "079188004321");
    EXPECT_EQ(m.components[2].signature, portal::SignatureRule::None);
    EXPECT_EQ(m.components[2].file, dir.path() / "anh.pdf");
    ASSERT_EQ(m.policy.trust.size(), 2u);
    EXPECT_EQ(m.policy.trust[0], "sandbox");
    EXPECT_EQ(fs::path(m.policy.trust[1]), dir.path() / "ca/root.pem");
    EXPECT_TRUE(m.policy.require_timestamp);
}

TEST(PortalManifest, RefusesPathsLeavingItsFolder) {
    TempDir dir;
    for (const char* path : {"../outside.pdf", "forms/../../outside.pdf", "/etc/passwd"}) {
        Error e = load_error(dir, replaced(kGood, "giay.pdf", path));
        EXPECT_EQ(e.kind(), ErrorKind::BadInput) << path;
        EXPECT_EQ(e.line(), 24) << path << ": " << e.describe();
        EXPECT_NE(std::string(e.what()).find("components[2].file"), std::string::npos) << path;
    }
}

TEST(PortalManifest, RefusesASymbolicLinkOutOfItsFolder) {
    TempDir outside, dir;
    write_file(outside / "secret.pdf", "%PDF-1.7\n");
    fs::create_symlink(outside.path(), dir / "link");
    Error e = load_error(dir, replaced(kGood, "giay.pdf", "link/secret.pdf"));
    EXPECT_NE(std::string(e.what()).find("leaves the manifest's folder"), std::string::npos)
        << e.describe();
}

TEST(PortalManifest, RefusesATokenInTheManifest) {
    TempDir dir;
    Error e = load_error(dir, replaced(kGood, "  max-file-size: 10MB\n",
                                       "  max-file-size: 10MB\n  token: abc.def.ghi\n"));
    EXPECT_EQ(e.line(), 5);
    EXPECT_NE(std::string(e.what()).find("portal.token"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("abc.def.ghi"), std::string::npos);
    EXPECT_NE(e.hint().find("NEAC_PORTAL_TOKEN"), std::string::npos);
}

TEST(PortalManifest, NamesTheLineOfEachMistake) {
    TempDir dir;
    struct Case {
        std::string from, to;
        int line;
        std::string says;
    } cases[] = {
        {"\"001 099 012 345\"", "\"12345\"", 10, "applicant.id"},
        {"0912.345.678", "0241234567", 11, "mobile"},
        {"signature: required\n    signer", "signature: maybe\n    signer", 25, "signature"},
        {"code: TP2", "code: TP1", 22, "used by an earlier component"},
        {"code: TP3", "code: TP 3", 27, "not a component code"},
        {"  require-timestamp: true", "  require-timestamp: sometimes", 32, "true or false"},
        {"  max-file-size: 10MB", "  max-file-size: 10 parsecs", 4, "size"},
        {"version: 1", "version: 2", 1, "version 1"},
        {"  address:", "  adress:", 12, "unknown key 'applicant.adress'"},
    };
    for (const Case& c : cases) {
        Error e = load_error(dir, replaced(kGood, c.from, c.to));
        EXPECT_EQ(e.kind(), ErrorKind::BadInput) << c.to;
        EXPECT_EQ(e.line(), c.line) << c.to << ": " << e.describe();
        EXPECT_NE(e.describe().find(c.says), std::string::npos) << e.describe();
    }
}

TEST(PortalManifest, ListsMissingKeysTogether) {
    TempDir dir;
    Error e = load_error(dir, "version: 1\nportal:\n  url: https://p.example.vn\n");
    std::string what = e.what();
    for (const char* key : {"procedure", "applicant", "components"})
        EXPECT_NE(what.find(key), std::string::npos) << what;
}

TEST(PortalManifest, RefusesBrokenYamlAndNonUtf8) {
    TempDir dir;
    Error e = load_error(dir, "version: 1\nportal: [unclosed\n");
    EXPECT_NE(e.describe().find("YAML syntax error"), std::string::npos);
    EXPECT_GT(e.line(), 0);
    e = load_error(dir, "version: 1\napplicant:\n  name: Nguy\xe1n\n");
    EXPECT_NE(e.describe().find("UTF-8"), std::string::npos);
    e = expect_error([&] { portal::load_manifest(dir / "missing.yaml"); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
}

TEST(PortalManifest, TheShippedExampleIsValid) {
    portal::Manifest m = portal::load_manifest(fs::path(NEAC_SOURCE_DIR) / "examples/dossier.yaml");
    ASSERT_EQ(m.components.size(), 4u);
    EXPECT_EQ(m.components[1].signer, "079188004321");
    EXPECT_EQ(m.components[3].signature, portal::SignatureRule::Optional);
}

// Hand-edited manifests break in every way: whatever the bytes, the answer is a manifest or a
// neac::Error, never another exception or a crash.
TEST(PortalManifest, MutatedManifestsAreReadOrRefused) {
    TempDir dir;
    std::mt19937 rng(20261126);
    const std::string alphabet = ":-[]{}\"'#&*!|>%@` \n\t.0123456789abcxyzĐ\xff\x00";
    int refused = 0;
    for (int round = 0; round < 1500; ++round) {
        std::string text = kGood;
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            std::size_t at = rng() % text.size();
            switch (rng() % 3) {
            case 0:
                text[at] = alphabet[rng() % alphabet.size()];
                break;
            case 1:
                text.erase(at, 1 + rng() % 8);
                break;
            default:
                text.insert(at, 1, alphabet[rng() % alphabet.size()]);
            }
        }
        write_file(dir / "d.yaml", text);
        try {
            portal::load_manifest(dir / "d.yaml");
        } catch (const Error&) {
            ++refused;
        } catch (const std::exception& e) {
            FAIL() << "round " << round << ": " << e.what() << "\n" << text;
        }
    }
    EXPECT_GT(refused, 300); // the mutations do reach the checks
}

TEST(PortalManifest, ParsesSizes) {
    EXPECT_EQ(portal::parse_size("20MB"), 20 << 20);
    EXPECT_EQ(portal::parse_size("512 KiB"), 512 << 10);
    EXPECT_EQ(portal::parse_size("1048576"), 1 << 20);
    EXPECT_THROW(portal::parse_size("0"), Error);
    EXPECT_THROW(portal::parse_size("-5MB"), Error);
    EXPECT_THROW(portal::parse_size("5 TB"), Error);
}

// A minimal OLE2 compound file whose first directory sector names these streams.
std::string ole_file(const std::vector<std::u16string>& streams) {
    std::string f(1024, '\0');
    const char magic[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    f.replace(0, 8, magic, 8);
    f[0x1E] = 9; // 512-byte sectors
    // First directory sector: 0 (at file offset 512).
    for (std::size_t i = 0; i < streams.size() && i < 4; ++i) {
        std::size_t entry = 512 + 128 * i;
        for (std::size_t k = 0; k < streams[i].size(); ++k) {
            f[entry + 2 * k] = static_cast<char>(streams[i][k] & 0xff);
            f[entry + 2 * k + 1] = static_cast<char>(streams[i][k] >> 8);
        }
        f[entry + 0x40] = static_cast<char>((streams[i].size() + 1) * 2);
    }
    return f;
}

TEST(PortalSniff, RecognisesTypesByContentNotName) {
    TempDir dir;
    write_file(dir / "a.docx", "%PDF-1.7\n%...\n%%EOF\n");
    EXPECT_EQ(portal::sniff_content(dir / "a.docx").type, "pdf");
    write_file(dir / "b.pdf", ole_file({u"Root Entry", u"1Table", u"WordDocument"}));
    EXPECT_EQ(portal::sniff_content(dir / "b.pdf").type, "doc");
    write_file(dir / "c.doc", ole_file({u"Root Entry", u"Workbook"}));
    EXPECT_EQ(portal::sniff_content(dir / "c.doc").type, "");
    EXPECT_NE(portal::sniff_content(dir / "c.doc").what.find("not a Word"), std::string::npos);
    auto zip = run_command("cd " + shell_quote(dir.path()) +
                           " && python3 -c \"import zipfile\nwith zipfile.ZipFile('d.pdf','w') as "
                           "z:\n z.writestr('[Content_Types].xml','<Types/>')\n "
                           "z.writestr('word/document.xml','<w:document/>')\nwith "
                           "zipfile.ZipFile('e.docx','w') as z:\n z.writestr('a.txt','x')\"");
    ASSERT_EQ(zip.status, 0) << zip.output;
    EXPECT_EQ(portal::sniff_content(dir / "d.pdf").type, "docx");
    EXPECT_EQ(portal::sniff_content(dir / "e.docx").type, "");
    EXPECT_NE(portal::sniff_content(dir / "e.docx").what.find("ZIP"), std::string::npos);
    write_file(dir / "f.pdf", "\x89PNG\r\n\x1a\n....");
    EXPECT_EQ(portal::sniff_content(dir / "f.pdf").what, "a PNG image");
    write_file(dir / "g.pdf", "");
    EXPECT_EQ(portal::sniff_content(dir / "g.pdf").type, "");
    write_file(dir / "cut.pdf", "%PDF-1.7\n1 0 obj\n<< /Type /Catalog");
    EXPECT_EQ(portal::sniff_content(dir / "cut.pdf").type, "");
    EXPECT_NE(portal::sniff_content(dir / "cut.pdf").what.find("truncated"), std::string::npos);
    // A truncated ZIP or OLE2 header is not a crash.
    write_file(dir / "h.docx", "PK\x03\x04");
    EXPECT_EQ(portal::sniff_content(dir / "h.docx").type, "");
    write_file(dir / "i.doc", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8));
    EXPECT_EQ(portal::sniff_content(dir / "i.doc").type, "");
}

} // namespace
