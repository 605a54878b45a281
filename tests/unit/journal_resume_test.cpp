// The signing journal: what is recorded before a request is sent, how it survives a restart, and
// how --resume finishes a batch without a second request (and cleans up after a refusal), and how
// the temporary files of a run that died before its transaction was recorded are found again.
#include "neac/crypto/keys.hpp"
#include "neac/sign/journal.hpp"
#include "neac/sign/pipeline.hpp"
#include "support/pki.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace neac;
using namespace neac::testing;
namespace fs = std::filesystem;

namespace {

// A CA that keeps requests pending until the test decides, signing with the PKI's RSA signer.
class PhoneProvider : public providers::Provider {
public:
    std::string outcome = "pending"; // pending | approve | reject
    int submits = 0, polls = 0;
    std::atomic<bool>* interrupt_after_submit = nullptr;

    std::string id() const override { return "phone"; }
    providers::SigningCertificate signing_certificate() override {
        return {crypto::Certificate::load_all(pki_file("signer-rsa.pem")).at(0),
                crypto::Certificate::load_all(pki_file("chain.pem")), "test"};
    }
    std::size_t batch_cap() const override { return 100; }
    providers::Transaction submit(const providers::SignBatch& batch) override {
        ++submits;
        providers::Transaction t;
        t.id = "PHONE-" + std::to_string(submits);
        t.created = std::chrono::system_clock::now();
        t.expires = t.created + std::chrono::minutes(5);
        t.message = batch.message;
        nlohmann::json digests = nlohmann::json::array();
        for (const auto& i : batch.items)
            digests.push_back(base64_encode(i.digest));
        t.state = {{"digests", digests}};
        if (interrupt_after_submit)
            interrupt_after_submit->store(true);
        return t;
    }
    providers::PollResult poll(const providers::Transaction& t) override {
        ++polls;
        providers::PollResult r;
        if (outcome == "reject") {
            r.state = providers::TransactionState::Rejected;
            r.detail = "từ chối";
        } else if (outcome == "approve") {
            r.state = providers::TransactionState::Approved;
            crypto::PrivateKey key =
                crypto::PrivateKey::from_pem(read_file(pki_file("signer-rsa.key")));
            for (const auto& d : t.state.at("digests"))
                r.signatures.push_back(key.sign_digest(
                    {crypto::SignatureScheme::RsaPkcs1v15, crypto::DigestAlgorithm::Sha256},
                    base64_decode(d.get<std::string>())));
        }
        return r;
    }
};

fs::path make_pdf(const TempDir& dir, const std::string& name) {
    fs::path out = dir / name;
    auto r = run_command("python3 " +
                         shell_quote(std::string(NEAC_SOURCE_DIR) + "/tests/support/make_pdf.py") +
                         " " + shell_quote(out.string()));
    EXPECT_EQ(r.status, 0) << r.output;
    return out;
}

std::vector<fs::path> leftovers(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string n = e.path().filename().string();
        if (n.find(".pdf.") != std::string::npos)
            out.push_back(e.path());
    }
    return out;
}

struct Batch {
    TempDir dir;
    std::vector<sign::FileJob> jobs;
    std::vector<std::string> originals;
    Batch() {
        for (int i = 1; i <= 3; ++i) {
            fs::path in = make_pdf(dir, "don-" + std::to_string(i) + ".pdf");
            originals.push_back(read_file(in));
            jobs.push_back({in, dir / ("don-" + std::to_string(i) + ".signed.pdf")});
        }
    }
};

providers::ProviderConfig phone_config() {
    providers::ProviderConfig c;
    c.provider = "phone";
    c.account = "001099012345";
    c.settings = {{"endpoint", "https://example"}, {"sp-id-env", "SP_ID_VAR"}};
    return c;
}

// Runs sign_batch until it is interrupted right after the request was sent.
sign::JournalLink interrupted_batch(Batch& b, sign::Journal& journal, PhoneProvider& phone,
                                    std::atomic<bool>& stop) {
    sign::JournalLink link{&journal, phone_config(), "an"};
    sign::BatchCallbacks cb;
    cb.journal = &link;
    cb.interrupted = &stop;
    cb.poll_interval = std::chrono::milliseconds(20);
    phone.interrupt_after_submit = &stop;
    Error e = expect_error([&] { sign::sign_batch(b.jobs, {}, phone, cb); });
    EXPECT_EQ(e.kind(), ErrorKind::Interrupted);
    EXPECT_NE(std::string(e.what()).find("still open"), std::string::npos);
    EXPECT_NE(e.hint().find("neac sign --resume PHONE-1"), std::string::npos);
    return link;
}

// A batch interrupted right after its request reached the phone, its journal still open.
struct OpenTransaction {
    TempDir home;
    Batch b;
    std::atomic<bool> stop{false};
    PhoneProvider phone;
    sign::Journal journal{sign::Journal::path_for(home.path())};
    OpenTransaction() { interrupted_batch(b, journal, phone, stop); }
};

} // namespace

TEST(Journal, RecordsEveryTransactionWithContentHashesAndSurvivesReopening) {
    TempDir home;
    Batch b;
    std::atomic<bool> stop{false};
    PhoneProvider phone;
    {
        sign::Journal journal(sign::Journal::path_for(home.path()));
        interrupted_batch(b, journal, phone, stop);
    }
    struct stat st {};
    ASSERT_EQ(::stat((home / "journal.db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    sign::Journal journal(sign::Journal::path_for(home.path()));
    auto open = journal.open_entries();
    ASSERT_EQ(open.size(), 1u);
    const sign::JournalEntry& e = open[0];
    EXPECT_EQ(e.state, sign::JournalState::Pending);
    EXPECT_EQ(e.transaction.id, "PHONE-1");
    EXPECT_EQ(e.profile, "an");
    EXPECT_EQ(e.config.settings.at("sp-id-env"), "SP_ID_VAR");
    EXPECT_EQ(e.owner_pid, 0) << "released when the wait was interrupted";
    EXPECT_EQ(e.certificate.certificate.identity().number, "001099012345");
    EXPECT_EQ(e.transaction.state["digests"].size(), 3u);
    ASSERT_EQ(e.files.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(e.files[i].prepared.input, b.jobs[i].input.string());
        EXPECT_EQ(e.files[i].outcome, "pending");
        EXPECT_TRUE(fs::exists(e.files[i].prepared.temp)) << "kept for --resume";
        std::string sha =
            hex_encode(crypto::digest(crypto::DigestAlgorithm::Sha256, to_bytes(b.originals[i])));
        EXPECT_EQ(e.files[i].prepared.input_sha256, sha);
        auto found = journal.entries_for_input(sha);
        ASSERT_EQ(found.size(), 1u);
        EXPECT_EQ(found[0].id, e.id);
    }
    EXPECT_EQ(journal.find("PHONE").size(), 1u);
    EXPECT_EQ(journal.find("#" + std::to_string(e.id)).size(), 1u);
    EXPECT_TRUE(journal.find("OTHER").empty());
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_EQ(read_file(b.jobs[i].input), b.originals[i]);
}

TEST(Journal, ResumeFinishesWithoutASecondRequest) {
    OpenTransaction open;
    Batch& b = open.b;
    sign::Journal& journal = open.journal;
    ASSERT_EQ(leftovers(b.dir.path()).size(), 3u);

    // A later process: the phone approved in the meantime.
    PhoneProvider later;
    later.outcome = "approve";
    sign::BatchCallbacks cb;
    cb.poll_interval = std::chrono::milliseconds(20);
    sign::BatchResult r = sign::resume_transactions(
        journal, "",
        [&](providers::ProviderConfig c) {
            EXPECT_EQ(c.provider, "phone");
            return std::unique_ptr<providers::Provider>(new PhoneProvider(later));
        },
        cb);
    ASSERT_EQ(r.files.size(), 3u);
    for (const auto& f : r.files)
        EXPECT_TRUE(f.ok) << (f.failure ? f.failure->describe() : "");
    EXPECT_EQ(later.submits, 0);
    for (const auto& job : b.jobs) {
        EXPECT_TRUE(fs::exists(job.output));
        auto check = run_command("pdfsig " + shell_quote(job.output.string()));
        EXPECT_NE(check.output.find("Signature is Valid"), std::string::npos) << check.output;
    }
    EXPECT_TRUE(leftovers(b.dir.path()).empty()) << "no temporary file is left";
    EXPECT_TRUE(journal.open_entries().empty());
    auto all = journal.entries();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].state, sign::JournalState::Finished);
    for (const auto& f : all[0].files) {
        EXPECT_EQ(f.outcome, "signed");
        EXPECT_TRUE(sign::output_is_finished(f.prepared));
    }
    EXPECT_EQ(all[0].signatures.size(), 3u);
    // Nothing is left to resume.
    EXPECT_TRUE(sign::resume_transactions(journal, "", nullptr, cb).files.empty());
    EXPECT_EQ(
        expect_error([&] { sign::resume_transactions(journal, "PHONE-1", nullptr, cb); }).kind(),
        ErrorKind::Usage);
}

TEST(Journal, ResumeAfterARejectionRemovesThePreparedFiles) {
    OpenTransaction open;
    Batch& b = open.b;
    sign::Journal& journal = open.journal;
    PhoneProvider later;
    later.outcome = "reject";
    Error e = expect_error([&] {
        sign::resume_transactions(journal, "PHONE-1",
                                  [&](providers::ProviderConfig) {
                                      return std::unique_ptr<providers::Provider>(
                                          new PhoneProvider(later));
                                  },
                                  {});
    });
    EXPECT_EQ(e.kind(), ErrorKind::NotApproved);
    EXPECT_TRUE(leftovers(b.dir.path()).empty());
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(read_file(b.jobs[i].input), b.originals[i]);
        EXPECT_FALSE(fs::exists(b.jobs[i].output));
    }
    auto all = journal.entries();
    EXPECT_EQ(all.at(0).state, sign::JournalState::Rejected);
    EXPECT_EQ(all.at(0).files.at(0).outcome, "abandoned");
}

TEST(Journal, AbandonAndACrashBeforeTheAnswerCleanUp) {
    OpenTransaction open;
    Batch& b = open.b;
    sign::Journal& journal = open.journal;
    EXPECT_EQ(sign::abandon_transactions(journal, "PHONE-1"), 1u);
    EXPECT_TRUE(leftovers(b.dir.path()).empty());
    EXPECT_EQ(journal.entries().at(0).state, sign::JournalState::Abandoned);

    // A record whose request never got an answer (the process died in submit()).
    sign::JournalEntry entry;
    entry.config = phone_config();
    entry.certificate = open.phone.signing_certificate();
    entry.algorithm = {crypto::SignatureScheme::RsaPkcs1v15, crypto::DigestAlgorithm::Sha256};
    sign::PreparedFile p;
    p.input = b.jobs[0].input.string();
    p.output = b.jobs[0].output.string();
    p.temp = (b.dir / "don-1.signed.pdf.XXXX").string();
    write_file(p.temp, "partial");
    entry.files.push_back({0, p, "pending", "", 0});
    std::int64_t id = journal.record(entry);
    sign::BatchResult r = sign::resume_transactions(journal, "#" + std::to_string(id), nullptr, {});
    ASSERT_EQ(r.files.size(), 1u);
    EXPECT_FALSE(r.files[0].ok);
    EXPECT_NE(std::string(r.files[0].failure->what()).find("sign the files again"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(p.temp));
    EXPECT_EQ(journal.load(id)->state, sign::JournalState::Failed);
}

TEST(Journal, ALiveOwnerKeepsItsTransaction) {
    OpenTransaction open;
    Batch& b = open.b;
    sign::Journal& journal = open.journal;
    // Pretend our parent (alive) is still waiting on it.
    auto r =
        run_command("sqlite3 " + shell_quote((open.home / "journal.db").string()) +
                    " 'UPDATE transactions SET owner_pid = " + std::to_string(::getppid()) + "'");
    ASSERT_EQ(r.status, 0) << r.output;
    Error e = expect_error([&] { sign::abandon_transactions(journal, "PHONE-1"); });
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("being handled by process"), std::string::npos);
    EXPECT_EQ(leftovers(b.dir.path()).size(), 3u);
}

TEST(Journal, RefusesAFileThatIsNotAJournal) {
    TempDir home;
    write_file(home / "journal.db", "this is not sqlite, just text that happens to be here\n");
    Error e = expect_error([&] { sign::Journal j(home / "journal.db"); });
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_EQ(e.file(), (home / "journal.db").string());
}

namespace {

std::string first_line_of(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

void sql(const fs::path& db, const std::string& statement) {
    auto r = run_command("sqlite3 " + shell_quote(db.string()) + " " + shell_quote(statement));
    ASSERT_EQ(r.status, 0) << r.output;
}

} // namespace

TEST(Journal, TemporaryNamesAreRecognisable) {
    sign::TemporaryNames n = sign::temporary_names_for("/x/don.signed.pdf");
    EXPECT_EQ(n.prepared.parent_path(), "/x");
    std::string prefix = "don.signed.pdf.neac-" + std::to_string(::getpid()) + "-";
    EXPECT_EQ(n.prepared.filename().string().substr(0, prefix.size()), prefix);
    EXPECT_TRUE(sign::is_temporary_name(n.prepared));
    EXPECT_TRUE(sign::is_temporary_name(n.repaired));
    EXPECT_NE(n.prepared, sign::temporary_names_for("/x/don.signed.pdf").prepared);
    for (const char* other : {"don.signed.pdf", "don.signed.pdf.a1B2c3", "don.pdf.tmp",
                              "don.pdf.neac-12-0123456789ab", "don.pdf.neac-x2-0123456789ab.tmp",
                              "don.pdf.neac-12-0123456789AB.tmp", "don.pdf.neac-12-01234.tmp",
                              ".neac-12-0123456789ab.tmp", "don.pdf.neac--0123456789ab.tmp"})
        EXPECT_FALSE(sign::is_temporary_name(other)) << other;
}

TEST(Journal, TemporariesOfAStoppedRunAreRemovedAndNothingElse) {
    TempDir home, dir;
    fs::path db = sign::Journal::path_for(home.path());
    sign::Journal journal(db);

    // A run that noted its temporary files, made one of them and a file neac does not make,
    // then died before any transaction named them.
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int code = 0;
        try {
            sign::Journal j(db);
            sign::TemporaryNames n = sign::temporary_names_for(dir / "a.signed.pdf");
            j.note_temporaries({n.prepared.string(), n.repaired.string(),
                                (dir / "user.pdf").string(), (dir / "link.pdf.tmp").string()});
            write_file(n.prepared, "partial");
            write_file(dir / "user.pdf", "a file of the user's");
        } catch (...) {
            code = 1;
        }
        ::_exit(code);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_EQ(status, 0);
    fs::create_symlink(dir / "user.pdf", dir / "link.pdf.tmp");
    std::vector<fs::path> left;
    for (const auto& e : fs::directory_iterator(dir.path()))
        if (sign::is_temporary_name(e.path()))
            left.push_back(e.path());
    ASSERT_EQ(left.size(), 1u);

    // This process's own, still being prepared.
    sign::TemporaryNames mine = sign::temporary_names_for(dir / "b.signed.pdf");
    journal.note_temporaries({mine.prepared.string()});
    write_file(mine.prepared, "in progress");

    std::vector<std::string> removed = journal.sweep_temporaries();
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0], left[0].string());
    EXPECT_FALSE(fs::exists(left[0]));
    EXPECT_EQ(read_file(dir / "user.pdf"), "a file of the user's") << "not a neac name";
    EXPECT_TRUE(fs::is_symlink(dir / "link.pdf.tmp")) << "not a regular file";
    EXPECT_TRUE(fs::exists(mine.prepared)) << "its owner is running";
    EXPECT_TRUE(journal.sweep_temporaries().empty()) << "what was swept is forgotten";

    // Owners told apart beyond the pid: a later process with the same pid (another start time)
    // or a previous boot is gone; a process in another PID namespace cannot be judged, so stays.
    std::string boot = first_line_of("/proc/sys/kernel/random/boot_id");
    std::string ns = fs::read_symlink("/proc/self/ns/pid").string();
    ASSERT_FALSE(boot.empty());
    sign::TemporaryNames reused = sign::temporary_names_for(dir / "c.signed.pdf");
    sign::TemporaryNames rebooted = sign::temporary_names_for(dir / "d.signed.pdf");
    sign::TemporaryNames elsewhere = sign::temporary_names_for(dir / "e.signed.pdf");
    journal.note_temporaries(
        {reused.prepared.string(), rebooted.prepared.string(), elsewhere.prepared.string()});
    for (const auto* n : {&reused, &rebooted, &elsewhere})
        write_file(n->prepared, "x");
    std::string alive = std::to_string(::getpid());
    sql(db, "UPDATE temporaries SET owner = '" + boot + " " + ns + " 1' WHERE path = '" +
                reused.prepared.string() + "'");
    sql(db, "UPDATE temporaries SET owner = 'another-boot " + ns + " 1' WHERE path = '" +
                rebooted.prepared.string() + "'");
    sql(db, "UPDATE temporaries SET owner_pid = 4000000, owner = '" + boot +
                " pid:[1] 1' WHERE path = '" + elsewhere.prepared.string() + "'");
    removed = journal.sweep_temporaries();
    std::sort(removed.begin(), removed.end());
    std::vector<std::string> expected{reused.prepared.string(), rebooted.prepared.string()};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(removed, expected);
    EXPECT_TRUE(fs::exists(elsewhere.prepared));
    EXPECT_TRUE(fs::exists(mine.prepared));

    // Once the run is over its names are forgotten; the files themselves are the run's business.
    journal.forget_temporaries({mine.prepared.string()});
    EXPECT_TRUE(journal.sweep_temporaries().empty());
    EXPECT_TRUE(fs::exists(mine.prepared));
}

TEST(Journal, ARecordedTransactionTakesItsTemporariesOver) {
    OpenTransaction open;
    // The interrupted batch noted its prepared files, then its transaction row took them over:
    // nothing is left noted (a sweep by a later process would not look at them), and the files
    // are kept for --resume.
    auto r = run_command("sqlite3 " + shell_quote((open.home / "journal.db").string()) +
                         " 'SELECT count(*) FROM temporaries'");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(r.output, "0\n");
    auto e = open.journal.open_entries().at(0);
    for (const auto& f : e.files) {
        EXPECT_TRUE(fs::exists(f.prepared.temp));
        EXPECT_TRUE(sign::is_temporary_name(f.prepared.temp)) << f.prepared.temp;
    }
}
