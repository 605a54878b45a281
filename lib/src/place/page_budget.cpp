#include "place/page_budget.hpp"

#include "neac/pdf/decode_guard.hpp"
#include "neac/pdf/fields.hpp"
#include "neac/util/error.hpp"

#include <qpdf/Pipeline.hh>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <vector>

namespace neac::place {
namespace {

constexpr int kMaxFormDepth = 16;
constexpr std::size_t kMaxObjectsPerPage = 20000;

struct OverBudget : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Counts decoded bytes and stops the decoding once a limit is passed (whatever the filter).
class CountingSink final : public Pipeline {
public:
    CountingSink(std::uint64_t stream_limit, std::uint64_t room)
        : Pipeline("neac-budget", nullptr), stream_limit_(stream_limit), room_(room) {}
    void write(unsigned char const*, size_t len) override {
        count_ += len;
        if (count_ > stream_limit_ || count_ > room_) {
            over_ = true;
            throw OverBudget("over budget");
        }
    }
    void finish() override {}
    std::uint64_t count() const { return count_; }
    bool over() const { return over_; }
    bool stream_limit_hit() const { return count_ > stream_limit_; }

private:
    std::uint64_t stream_limit_, room_;
    std::uint64_t count_ = 0;
    bool over_ = false;
};

std::string bomb_text(const std::string& why) {
    return why.find("decompression bomb") == std::string::npos ? why + " (decompression bomb?)"
                                                               : why;
}

} // namespace

PageBudget::PageBudget(std::filesystem::path file) : file_(std::move(file)) {}
PageBudget::~PageBudget() = default;

void PageBudget::open() {
    if (opened_)
        return;
    opened_ = true;
    pdf::install_stream_filters();
    pdf::DecodeGuard guard(kPageStreamLimit, kDocumentDecodeLimit);
    try {
        auto q = std::make_unique<QPDF>();
        q->setSuppressWarnings(true);
        q->processFile(file_.c_str());
        pages_ = pdf::page_dictionaries(*q);
        qpdf_ = std::move(q);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        if (guard.tripped())
            throw input_error("reading the file's structure: " + bomb_text(guard.reason()))
                .file(file_.string())
                .hint("the file cannot be read safely; ask for a sound copy");
        spdlog::debug("{}: not checked before poppler reads it: {}", file_.string(), e.what());
    }
}

QPDFObjectHandle PageBudget::page_object(int page) {
    open();
    if (!qpdf_ || page < 1 || page > static_cast<int>(pages_.size()))
        return QPDFObjectHandle::newNull();
    return pages_[static_cast<std::size_t>(page - 1)];
}

void PageBudget::check(int page) {
    if (checked_.count(page))
        return;
    open();
    // Object streams QPDF inflates while resolving objects are bounded too.
    pdf::DecodeGuard guard(kPageStreamLimit, kDocumentDecodeLimit);
    auto refuse = [&](const std::string& why) {
        return input_error("page " + std::to_string(page) + ": " + bomb_text(why))
            .file(file_.string())
            .hint("the file cannot be read safely; ask for a sound copy");
    };
    checked_.insert(page);
    if (!qpdf_ || page < 1 || page > static_cast<int>(pages_.size()))
        return;

    // What poppler decodes to lay out the page's text: its content, the forms it draws (and
    // theirs), and the fonts' ToUnicode maps and Type 3 glyph procedures.
    std::vector<std::pair<QPDFObjectHandle, int>> todo{
        {pages_[static_cast<std::size_t>(page - 1)], 0}};
    std::set<QPDFObjGen> seen;
    std::size_t visited = 0;
    auto decode = [&](QPDFObjectHandle stream) {
        if (!stream.isStream())
            return;
        if (stream.isIndirect() && !seen.insert(stream.getObjGen()).second)
            return;
        CountingSink sink(kPageStreamLimit, kDocumentDecodeLimit - used_);
        try {
            stream.pipeStreamData(&sink, 0, qpdf_dl_generalized, true);
        } catch (const std::exception&) {
            // a stream that does not decode is poppler's problem; only the size is ours
        }
        // The guard's own filters stop a runaway inflate first (at the same per-stream limit);
        // the sink stops every other filter, and the document's total.
        if (guard.tripped())
            throw refuse(guard.reason());
        if (sink.over())
            throw refuse(sink.stream_limit_hit()
                             ? "a stream decodes to more than " +
                                   std::to_string(kPageStreamLimit >> 20) + " MiB"
                             : "the document's decoded streams pass " +
                                   std::to_string(kDocumentDecodeLimit >> 20) + " MiB");
        used_ += sink.count();
    };
    try {
        while (!todo.empty()) {
            auto [node, depth] = todo.back();
            todo.pop_back();
            if (++visited > kMaxObjectsPerPage)
                throw refuse("it draws more than " + std::to_string(kMaxObjectsPerPage) +
                             " objects");
            if (node.isStream()) {
                decode(node); // a form XObject or a glyph procedure
            } else {
                QPDFObjectHandle contents = node.getKey("/Contents");
                if (contents.isArray())
                    for (QPDFObjectHandle c : contents.aitems())
                        decode(c);
                else
                    decode(contents);
            }
            QPDFObjectHandle dict = node.isStream() ? node.getDict() : node;
            QPDFObjectHandle resources = dict.getKey("/Resources");
            if (!resources.isDictionary() || depth >= kMaxFormDepth)
                continue;
            QPDFObjectHandle xobjects = resources.getKey("/XObject");
            if (xobjects.isDictionary())
                for (auto& [name, x] : xobjects.ditems())
                    if (x.isStream() && x.getDict().getKey("/Subtype").isNameAndEquals("/Form") &&
                        !(x.isIndirect() && seen.count(x.getObjGen())))
                        todo.emplace_back(x, depth + 1);
            QPDFObjectHandle fonts = resources.getKey("/Font");
            if (!fonts.isDictionary())
                continue;
            for (auto& [name, font] : fonts.ditems()) {
                if (!font.isDictionary())
                    continue;
                decode(font.getKey("/ToUnicode"));
                QPDFObjectHandle procs = font.getKey("/CharProcs");
                if (procs.isDictionary())
                    for (auto& [glyph, proc] : procs.ditems())
                        if (proc.isStream() && !(proc.isIndirect() && seen.count(proc.getObjGen())))
                            todo.emplace_back(proc, depth + 1);
            }
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        if (guard.tripped())
            throw refuse(guard.reason());
        spdlog::debug("{}: page {} only partly checked: {}", file_.string(), page, e.what());
    }
}

} // namespace neac::place
