// A PDF opened for reading with QPDF, plus what QPDF does not expose and an incremental writer
// needs: the file's last startxref, the kind of cross-reference section it ends with, and whether
// the bytes end with an end-of-line marker.
//
// Opening is strict by default: files that QPDF can only read by repairing them, and encrypted
// files, are refused with Error(BadInput), because appending to a file whose structure was
// guessed produces signatures other validators reject. Opened with OpenMode::Lenient, a damaged
// file is read as QPDF repairs it and the damage is described instead, so that the signer can
// choose between appending anyway (the earlier signatures of a signed file must stay intact) and
// signing a repaired copy (write_repaired_copy).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <qpdf/QPDF.hh>

namespace neac::pdf {

enum class XrefKind {
    Table,  // classic "xref" table + trailer dictionary
    Stream, // cross-reference stream (PDF 1.5)
    Hybrid, // table whose trailer points to an /XRefStm (MS Office style)
};

const char* xref_kind_name(XrefKind kind);

enum class OpenMode {
    Strict,  // any damage is Error(BadInput)
    Lenient, // damage QPDF can repair is described in damage(); the rest is still refused
};

class Document {
public:
    // Opens and checks the file. Throws Error(BadInput) naming the file and the reason: not a
    // PDF, encrypted, unreadable even by repairing, or (Strict) damaged. In Lenient mode the
    // page tree and the form are read at once, so that damage there is seen before signing.
    static std::unique_ptr<Document> open(const std::filesystem::path& path,
                                          OpenMode mode = OpenMode::Strict);

    QPDF& qpdf() { return *qpdf_; }
    const std::filesystem::path& path() const { return path_; }
    std::uint64_t file_size() const { return file_size_; }
    // Offset given by the last "startxref" in the file: the /Prev of the next revision.
    std::uint64_t startxref() const { return startxref_; }
    XrefKind xref_kind() const { return xref_kind_; }
    bool ends_with_eol() const { return ends_with_eol_; }
    // The trailer's /Size: the first object number free for new objects.
    int next_object_number() const { return trailer_size_; }

    // Fails with Error(BadInput) if QPDF has issued warnings since opening (it met damage while
    // resolving objects lazily), unless accept_damage() was called. Call after walking the
    // objects an update will touch.
    void require_no_warnings(const char* while_doing) const;

    // Lenient mode: what QPDF had to repair, for people (at most a few lines); empty when the
    // file is sound.
    const std::vector<std::string>& damage() const { return damage_; }
    bool damaged() const { return !damage_.empty(); }
    // Whether an incremental update can be appended as the file stands: its cross-reference
    // chain was read without reconstruction and its last startxref ends the file.
    bool appendable() const { return appendable_; }
    // Whether the file holds signatures: signature fields with a value, or a /ByteRange
    // anywhere in its bytes (a signature whose field is damaged counts too).
    bool carries_signatures();
    // Appending to the damaged file is decided: lazy repairs no longer fail the update.
    void accept_damage() { accept_damage_ = true; }

private:
    Document() = default;
    void note_damage(std::string what);
    // Moves QPDF's warnings into damage_; true when QPDF reconstructed the cross-reference table.
    bool collect_warnings();

    std::filesystem::path path_;
    std::unique_ptr<QPDF> qpdf_;
    std::uint64_t file_size_ = 0;
    std::uint64_t startxref_ = 0;
    XrefKind xref_kind_ = XrefKind::Table;
    bool ends_with_eol_ = true;
    int trailer_size_ = 0;
    std::vector<std::string> damage_;
    bool appendable_ = true;
    bool accept_damage_ = false;
};

// Writes the document as QPDF reads it into `target` (a fresh, single-revision file with a sound
// cross-reference table; stream data is copied as it is). Error(BadInput) when QPDF cannot.
void write_repaired_copy(Document& doc, const std::filesystem::path& target);

} // namespace neac::pdf
