// neac history: revisions, signatures and journaled attempts matched by content (prefix hashes),
// with a real journal and the sandbox provider.
#include "neac/crypto/digest.hpp"
#include "neac/history/history.hpp"
#include "neac/history/render.hpp"
#include "neac/providers/provider.hpp"
#include "neac/providers/sandbox.hpp"
#include "neac/sign/journal.hpp"
#include "neac/sign/pipeline.hpp"
#include "neac/util/text.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

using namespace neac;
using namespace neac::testing;
namespace fs = std::filesystem;

namespace {

std::string sha256_hex(const std::string& bytes) {
    return hex_encode(crypto::digest(crypto::DigestAlgorithm::Sha256, bytes.data(), bytes.size()));
}

class HistoryTimelineTest : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("NEAC_SANDBOX_DELAY", "0", 1);
        ::unsetenv("NEAC_SANDBOX_OUTCOME");
        journal_ = std::make_unique<sign::Journal>(sign::Journal::path_for(dir_ / "home"));
    }
    void TearDown() override {
        ::unsetenv("NEAC_SANDBOX_DELAY");
        ::unsetenv("NEAC_SANDBOX_OUTCOME");
    }

    providers::ProviderConfig config() const {
        providers::ProviderConfig c;
        c.provider = "sandbox";
        c.account = "001099012345";
        c.display_name = "NGUYỄN VĂN A";
        c.home = dir_ / "home";
        return c;
    }

    fs::path make_pdf(const std::string& name) {
        fs::path out = dir_ / name;
        auto r = run_command(
            "python3 " + shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
            " " + shell_quote(out.string()));
        EXPECT_EQ(r.status, 0) << r.output;
        return out;
    }

    // Signs `in` into `out` through the sandbox with the journal; `outcome` approve or reject.
    void sign(const fs::path& in, const fs::path& out, const std::string& outcome = "approve") {
        if (outcome == "approve")
            ::unsetenv("NEAC_SANDBOX_OUTCOME");
        else
            ::setenv("NEAC_SANDBOX_OUTCOME", outcome.c_str(), 1);
        auto provider = providers::make_provider(config());
        sign::JournalLink link{journal_.get(), config(), "an"};
        sign::BatchCallbacks cb;
        cb.journal = &link;
        cb.poll_interval = std::chrono::milliseconds(10);
        if (outcome == "approve") {
            sign::BatchResult r = sign::sign_batch({{in, out}}, {}, *provider, cb);
            ASSERT_EQ(r.files.size(), 1u);
            ASSERT_TRUE(r.files[0].ok) << r.files[0].failure->what();
        } else {
            Error e = expect_error([&] { sign::sign_batch({{in, out}}, {}, *provider, cb); });
            EXPECT_EQ(e.kind(), ErrorKind::NotApproved) << e.what();
        }
        ::unsetenv("NEAC_SANDBOX_OUTCOME");
    }

    verify::Policy trusted() const {
        verify::Policy p;
        p.trust.push_back(providers::sandbox_root_certificate(dir_ / "home"));
        return p;
    }

    // don.pdf -> s1.pdf (journal #1), a rejected request on don.pdf (#2), s1.pdf -> s2.pdf (#3).
    void three_steps() {
        don_ = make_pdf("don.pdf");
        sign(don_, dir_ / "s1.pdf");
        sign(don_, dir_ / "r.pdf", "reject");
        sign(dir_ / "s1.pdf", dir_ / "s2.pdf");
        ASSERT_FALSE(fs::exists(dir_ / "r.pdf"));
        sha_don_ = sha256_hex(read_file(don_));
        sha_s1_ = sha256_hex(read_file(dir_ / "s1.pdf"));
        sha_s2_ = sha256_hex(read_file(dir_ / "s2.pdf"));
    }

    void expect_three_steps(const history::FileHistory& h) {
        ASSERT_TRUE(h.readable) << h.error;
        ASSERT_EQ(h.revisions.size(), 3u);
        ASSERT_EQ(h.signatures.size(), 2u);
        ASSERT_EQ(h.attempts.size(), 1u);
        EXPECT_EQ(h.revisions[0].summary, "original document");
        EXPECT_EQ(h.revisions[1].summary, "signature Signature1");
        EXPECT_EQ(h.revisions[2].summary, "signature Signature2");
        // The first revision's hash is the original file's: what the first signer had as input.
        EXPECT_EQ(h.revisions[0].sha256, sha_don_);
        EXPECT_EQ(h.revisions[1].sha256, sha_s1_);
        EXPECT_EQ(h.revisions[2].sha256, sha_s2_);
        EXPECT_EQ(h.sha256, sha_s2_);

        const history::SignatureEntry& s1 = h.signatures[0];
        const history::SignatureEntry& s2 = h.signatures[1];
        EXPECT_EQ(s1.revision, 2);
        EXPECT_EQ(s2.revision, 3);
        EXPECT_EQ(s1.signer_name, "NGUYỄN VĂN A");
        EXPECT_EQ(s1.identity_kind, "CCCD");
        EXPECT_EQ(s1.identity_number, "001099012345");
        EXPECT_EQ(s1.issuer, "neac Sandbox Issuing CA");
        EXPECT_FALSE(s1.serial.empty());
        EXPECT_FALSE(s1.claimed_time.empty());
        EXPECT_EQ(s1.document_digest.size(), 64u);
        ASSERT_TRUE(s1.journal);
        ASSERT_TRUE(s2.journal);
        EXPECT_EQ(s1.journal->entry, 1);
        EXPECT_EQ(s2.journal->entry, 3);
        EXPECT_EQ(s1.journal->provider, "sandbox");
        EXPECT_EQ(s1.journal->profile, "an");
        EXPECT_EQ(s1.journal->outcome, "signed");
        EXPECT_FALSE(s1.journal->transaction_id.empty());
        EXPECT_NE(s1.journal->transaction_id, s2.journal->transaction_id);
        EXPECT_FALSE(s1.journal->decided.empty()); // approval time
        EXPECT_EQ(s1.journal->document_digest, s1.document_digest);
        EXPECT_EQ(s2.journal->input_sha256, h.revisions[1].sha256);

        const history::Attempt& a = h.attempts[0];
        EXPECT_EQ(a.state, "rejected");
        EXPECT_EQ(a.revision, 1); // tried to sign the original content
        EXPECT_EQ(a.journal.entry, 2);
        EXPECT_EQ(a.journal.state, "rejected");
        EXPECT_FALSE(a.journal.transaction_id.empty());
        EXPECT_NE(a.journal.detail.find("rejected"), std::string::npos) << a.journal.detail;

        // Oldest first: r1, the attempt on r1's content, r2, r3.
        using K = history::TimelineEvent::Kind;
        ASSERT_EQ(h.timeline.size(), 4u);
        EXPECT_EQ(h.timeline[0].kind, K::Revision);
        EXPECT_EQ(h.timeline[0].number, 1);
        EXPECT_EQ(h.timeline[1].kind, K::Attempt);
        EXPECT_EQ(h.timeline[1].number, 0);
        EXPECT_EQ(h.timeline[2].kind, K::Revision);
        EXPECT_EQ(h.timeline[2].number, 2);
        EXPECT_EQ(h.timeline[3].kind, K::Revision);
        EXPECT_EQ(h.timeline[3].number, 3);
    }

    TempDir dir_{"neac-history-test"};
    std::unique_ptr<sign::Journal> journal_;
    fs::path don_;
    std::string sha_don_, sha_s1_, sha_s2_;
};

} // namespace

TEST(HistoryPrefixHashes, HashesEveryCutAndTheWholeInOnePass) {
    TempDir dir;
    std::string content;
    for (int i = 0; i < 300000; ++i)
        content += static_cast<char>('a' + i % 26);
    write_file(dir / "f.bin", content);
    // Unsorted, duplicated, zero, past the end, and across the 1 MiB read chunk.
    auto h = history::hash_prefixes(dir / "f.bin", {100, 0, 3, 100, 250000, 999999});
    EXPECT_EQ(h.size, static_cast<std::int64_t>(content.size()));
    EXPECT_EQ(h.whole, sha256_hex(content));
    EXPECT_EQ(h.at(0), sha256_hex(""));
    EXPECT_EQ(h.at(3), sha256_hex("abc"));
    EXPECT_EQ(h.at(100), sha256_hex(content.substr(0, 100)));
    EXPECT_EQ(h.at(250000), sha256_hex(content.substr(0, 250000)));
    EXPECT_EQ(h.at(999999), "");
    EXPECT_EQ(h.at(4), "");
    EXPECT_EQ(h.cuts.size(), 4u);

    std::string big(3u << 20, 'x');
    write_file(dir / "big.bin", big);
    auto b = history::hash_prefixes(dir / "big.bin", {(1 << 20) + 7});
    EXPECT_EQ(b.at((1 << 20) + 7), sha256_hex(big.substr(0, (1u << 20) + 7)));
    EXPECT_EQ(b.whole, sha256_hex(big));

    Error e = expect_error([&] { history::hash_prefixes(dir / "missing.bin", {}); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
}

TEST(HistorySummary, SaysWhatARevisionChanged) {
    using verify::Change;
    using verify::ChangeCategory;
    auto change = [](ChangeCategory c, const std::string& obj, const std::string& what,
                     const std::string& desc) {
        Change x;
        x.category = c;
        x.object = obj;
        x.what = what;
        x.description = desc;
        return x;
    };
    EXPECT_EQ(history::summarize_revision(1, {}, {}), "original document");
    EXPECT_EQ(history::summarize_revision(2, {}, {}), "no changes found");
    // Filling two fields touches each field and its appearance: counted per object.
    EXPECT_EQ(history::summarize_revision(
                  2,
                  {change(ChangeCategory::Form, "5 0 R", "form field ho_ten", "filled (/V)"),
                   change(ChangeCategory::Form, "6 0 R", "form field ngay", "filled (/V)"),
                   change(ChangeCategory::Form, "5 0 R", "form field ho_ten", "appearance")},
                  {}),
              "form fields filled (2 objects)");
    EXPECT_EQ(
        history::summarize_revision(3,
                                    {change(ChangeCategory::Annotation, "9 0 R", "Text annotation",
                                            "annotation added to page 1 /Annots")},
                                    {}),
        "annotation added");
    EXPECT_EQ(history::summarize_revision(
                  2,
                  {change(ChangeCategory::Signature, "13 0 R", "signature field Signature1",
                          "new signature field added"),
                   change(ChangeCategory::Signature, "1 0 R", "AcroForm", "/SigFlags added")},
                  {"signature Signature1"}),
              "signature Signature1");
    EXPECT_EQ(history::summarize_revision(
                  2,
                  {change(ChangeCategory::Signature, "13 0 R", "signature field Sig",
                          "new signature field "
                          "added")},
                  {}),
              "empty signature field added");
    EXPECT_EQ(
        history::summarize_revision(
            4,
            {change(ChangeCategory::Forbidden, "4 0 R", "page 1 content stream", "data changed"),
             change(ChangeCategory::Forbidden, "7 0 R", "page 1", "/Rotate added"),
             change(ChangeCategory::Metadata, "trailer", "document information", "/Info")},
            {}),
        "metadata updated; other changes: page 1 content stream (data changed) and 1 more "
        "object");
    EXPECT_EQ(history::summarize_revision(
                  3,
                  {change(ChangeCategory::Forbidden, "8 0 R", "form field ho_ten",
                          "new form field widget added to page 1 /Annots"),
                   change(ChangeCategory::Forbidden, "8 0 R", "form field ho_ten",
                          "new form field added"),
                   change(ChangeCategory::Forbidden, "9 0 R", "form field ngay_sinh",
                          "new form field added"),
                   change(ChangeCategory::Forbidden, "3 0 R", "page 2", "/Contents changed")},
                  {}),
              "form fields added (ho_ten, ngay_sinh); content changed (page 2)");
    EXPECT_EQ(history::summarize_revision(
                  5, {change(ChangeCategory::Dss, "1 0 R", "document catalog", "/DSS added")},
                  {"document timestamp TS1"}),
              "document timestamp TS1; validation data (DSS) updated");
}

TEST_F(HistoryTimelineTest, AttributesSignaturesAndAttemptsByContent) {
    three_steps();
    history::FileHistory h =
        history::build_file_history(dir_ / "s2.pdf", trusted(), journal_.get());
    expect_three_steps(h);
    EXPECT_TRUE(h.journal_used);
    EXPECT_TRUE(h.trust_anchors);
    EXPECT_EQ(h.signatures[0].verdict, "PASSED") << h.signatures[0].reason;
    EXPECT_EQ(h.signatures[1].verdict, "PASSED") << h.signatures[1].reason;
    EXPECT_TRUE(h.notes.empty()) << h.notes.front();
}

TEST_F(HistoryTimelineTest, ARenamedCopyKeepsItsHistory) {
    three_steps();
    fs::create_directories(dir_ / "elsewhere");
    fs::path copy = dir_ / "elsewhere" / "Tờ khai đã ký.pdf";
    fs::copy_file(dir_ / "s2.pdf", copy);
    fs::remove(dir_ / "s2.pdf");
    fs::remove(dir_ / "s1.pdf");
    history::FileHistory h = history::build_file_history(copy, trusted(), journal_.get());
    expect_three_steps(h);
    EXPECT_EQ(h.file, copy);
}

TEST_F(HistoryTimelineTest, SameContentSignedIntoAnotherFileIsACopyNotASignature) {
    three_steps();
    sign(don_, dir_ / "other.pdf"); // #4: the original again, into another file
    history::FileHistory h =
        history::build_file_history(dir_ / "s2.pdf", trusted(), journal_.get());
    ASSERT_EQ(h.signatures.size(), 2u);
    ASSERT_TRUE(h.signatures[0].journal);
    EXPECT_EQ(h.signatures[0].journal->entry, 1); // not #4: its document digest differs
    ASSERT_EQ(h.attempts.size(), 2u);
    EXPECT_EQ(h.attempts[0].state, "rejected");
    EXPECT_EQ(h.attempts[1].state, "copy");
    EXPECT_EQ(h.attempts[1].journal.entry, 4);
    EXPECT_EQ(h.attempts[1].revision, 1);
    EXPECT_EQ(fs::path(h.attempts[1].journal.output).filename(), "other.pdf");

    // The unsigned original: one revision, and every request made on it.
    history::FileHistory o = history::build_file_history(don_, trusted(), journal_.get());
    ASSERT_TRUE(o.readable);
    EXPECT_EQ(o.revisions.size(), 1u);
    EXPECT_TRUE(o.signatures.empty());
    ASSERT_EQ(o.attempts.size(), 3u); // #1 and #4 signed elsewhere, #2 rejected
    EXPECT_EQ(o.attempts[0].state, "copy");
    EXPECT_EQ(o.attempts[1].state, "rejected");
    EXPECT_EQ(o.attempts[2].state, "copy");
    EXPECT_TRUE(o.notes.empty());
}

TEST_F(HistoryTimelineTest, WithoutJournalOrTrustItSaysSo) {
    three_steps();
    history::FileHistory h = history::build_file_history(dir_ / "s2.pdf", {}, nullptr);
    ASSERT_TRUE(h.readable);
    EXPECT_FALSE(h.journal_used);
    EXPECT_FALSE(h.trust_anchors);
    EXPECT_EQ(h.signatures.size(), 2u);
    EXPECT_TRUE(h.attempts.empty());
    for (const auto& s : h.signatures) {
        EXPECT_FALSE(s.journal);
        EXPECT_EQ(s.verdict, "INDETERMINATE");
        EXPECT_EQ(s.sub_indication, "NO_CERTIFICATE_CHAIN_FOUND");
    }
    std::string notes;
    for (const auto& n : h.notes)
        notes += n + "\n";
    EXPECT_NE(notes.find("--trust"), std::string::npos) << notes;
    EXPECT_NE(notes.find("no signing journal"), std::string::npos) << notes;
}

TEST_F(HistoryTimelineTest, InputWithoutFinalNewlineStillMatches) {
    // The writer adds an end-of-line after %%EOF when its input has none: the first revision
    // then ends one byte after the original content.
    fs::path p = make_pdf("no-eol.pdf");
    std::string bytes = read_file(p);
    while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r'))
        bytes.pop_back();
    write_file(p, bytes);
    sign(p, dir_ / "no-eol.signed.pdf");
    history::FileHistory h =
        history::build_file_history(dir_ / "no-eol.signed.pdf", trusted(), journal_.get());
    ASSERT_EQ(h.signatures.size(), 1u);
    ASSERT_TRUE(h.signatures[0].journal);
    EXPECT_EQ(h.signatures[0].journal->input_sha256, sha256_hex(bytes));
}

TEST_F(HistoryTimelineTest, UnreadableFilesComeBackWithTheReason) {
    write_file(dir_ / "not.pdf", "this is not a PDF at all\n");
    history::FileHistory h = history::build_file_history(dir_ / "not.pdf", {}, journal_.get());
    EXPECT_FALSE(h.readable);
    EXPECT_NE(h.error.find("not a PDF"), std::string::npos) << h.error;
    history::FileHistory m = history::build_file_history(dir_ / "missing.pdf", {}, nullptr);
    EXPECT_FALSE(m.readable);
    EXPECT_NE(history::render_text(m, {}).find("BAD INPUT"), std::string::npos);
    nlohmann::json j = history::to_json(std::vector<history::FileHistory>{h, m});
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["files"][0]["status"], "bad_input");
}

TEST_F(HistoryTimelineTest, JsonCarriesEveryField) {
    three_steps();
    history::FileHistory h =
        history::build_file_history(dir_ / "s2.pdf", trusted(), journal_.get());
    nlohmann::json j = history::to_json(std::vector<history::FileHistory>{h});
    ASSERT_EQ(j["version"], 1);
    const nlohmann::json& f = j["files"][0];
    EXPECT_EQ(f["status"], "ok");
    EXPECT_EQ(f["revisions"].size(), 3u);
    EXPECT_EQ(f["revisions"][1]["signatures"], nlohmann::json::array({1}));
    const nlohmann::json& s = f["signatures"][0];
    EXPECT_EQ(s["signer"]["name"], "NGUYỄN VĂN A");
    EXPECT_EQ(s["signer"]["identity"]["kind"], "CCCD");
    EXPECT_EQ(s["verdict"], "PASSED");
    EXPECT_EQ(s["journal"]["entry"], 1);
    EXPECT_EQ(s["journal"]["provider"], "sandbox");
    EXPECT_EQ(s["journal"]["approved"], s["journal"]["decided"]);
    EXPECT_EQ(f["attempts"][0]["state"], "rejected");
    std::vector<std::string> kinds;
    for (const auto& e : f["timeline"])
        kinds.push_back(e["kind"]);
    EXPECT_EQ(kinds, (std::vector<std::string>{"revision", "attempt", "revision", "revision"}));
    EXPECT_EQ(f["timeline"][1]["state"], "rejected");
    EXPECT_EQ(f["timeline"][2]["text"], "signature Signature1");
}

TEST(HistoryRender, AlignsVietnameseNamesByDisplayWidth) {
    history::FileHistory h;
    h.file = "don.pdf";
    history::RevisionEntry r1, r2, r3;
    r1.number = 1;
    r1.summary = "original document";
    r2.number = 2;
    r2.summary = "signature Sig1";
    r2.signatures = {1};
    r3.number = 3;
    r3.summary = "signature Sig2";
    r3.signatures = {2};
    h.revisions = {r1, r2, r3};
    history::SignatureEntry s1, s2;
    s1.index = 1;
    s1.revision = 2;
    s1.field = "Sig1";
    // NFD: combining marks (U+0323 U+0302, U+0306) take no column.
    s1.signer_name = "NGUYE\xCC\x82\xCC\x83N VA\xCC\x86N A";
    s1.identity_kind = "CCCD";
    s1.identity_number = "001099012345";
    s1.verdict = "PASSED";
    s2 = s1;
    s2.index = 2;
    s2.revision = 3;
    s2.field = "Sig2";
    s2.signer_name = "TRẦN THỊ BÍCH NGỌC"; // NFC
    s2.identity_number = "079188000111";
    h.signatures = {s1, s2};
    h.timeline = {{history::TimelineEvent::Kind::Revision, 1},
                  {history::TimelineEvent::Kind::Revision, 2},
                  {history::TimelineEvent::Kind::Revision, 3}};
    std::string text = history::render_text(h, {});
    std::istringstream in(text);
    std::string line;
    std::vector<std::size_t> columns;
    while (std::getline(in, line)) {
        auto at = line.find("CCCD ");
        if (at == std::string::npos || line.rfind("  r", 0) != 0)
            continue;
        columns.push_back(display_width(line.substr(0, at)));
    }
    ASSERT_EQ(columns.size(), 2u) << text;
    EXPECT_EQ(columns[0], columns[1]) << text;
    EXPECT_NE(text.find("identity"), std::string::npos);
    EXPECT_EQ(text.find("\033["), std::string::npos); // no colour without a console
}
