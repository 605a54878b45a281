#include "place/page_budget.hpp"

#include "neac/pdf/decode_guard.hpp"
#include "neac/pdf/fields.hpp"
#include "neac/util/error.hpp"
#include "neac/util/limits.hpp"

#include <qpdf/Pipeline.hh>
#include <spdlog/spdlog.h>

#include <cctype>
#include <stdexcept>
#include <vector>

namespace neac::place {
namespace {

struct OverBudget : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Counts the operators of a content stream as its bytes go by, without building tokens: what
// poppler would execute, for its cost. Strings, names, hex strings and comments are skipped; a
// token that starts with a letter or a quote is an operator (true, false and null count too,
// which only errs towards safety).
class OperatorCounter {
public:
    void feed(const unsigned char* data, std::size_t len) {
        for (std::size_t i = 0; i < len; ++i)
            step(data[i]);
    }
    std::uint64_t count() const { return count_; }

private:
    enum class State { Space, Token, String, Hex, Name, Comment };
    static bool space(unsigned char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
    }
    static bool delimiter(unsigned char c) {
        return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
               c == '}' || c == '/' || c == '%';
    }
    void step(unsigned char c) {
        switch (state_) {
        case State::String:
            if (escape_)
                escape_ = false;
            else if (c == '\\')
                escape_ = true;
            else if (c == '(')
                ++depth_;
            else if (c == ')' && --depth_ == 0)
                state_ = State::Space;
            return;
        case State::Hex:
            // "<<" opens a dictionary, not a hex string.
            state_ = c == '>' || (c == '<' && just_opened_) ? State::Space : State::Hex;
            just_opened_ = false;
            return;
        case State::Comment:
            if (c == '\n' || c == '\r')
                state_ = State::Space;
            return;
        case State::Token:
        case State::Name:
            if (!space(c) && !delimiter(c))
                return;
            state_ = State::Space;
            break;
        case State::Space:
            break;
        }
        if (space(c))
            return;
        switch (c) {
        case '(':
            state_ = State::String;
            depth_ = 1;
            return;
        case '<':
            state_ = State::Hex;
            just_opened_ = true;
            return;
        case '/':
            state_ = State::Name;
            return;
        case '%':
            state_ = State::Comment;
            return;
        case ')':
        case '>':
        case '[':
        case ']':
        case '{':
        case '}':
            return;
        default:
            state_ = State::Token;
            if (std::isalpha(c) || c == '\'' || c == '"')
                ++count_;
        }
    }

    State state_ = State::Space;
    int depth_ = 0;
    bool escape_ = false;
    bool just_opened_ = false;
    std::uint64_t count_ = 0;
};

// Counts decoded bytes and stops the decoding once a limit is passed (whatever the filter);
// for content streams, also counts their operators into `operators`.
class CountingSink final : public Pipeline {
public:
    CountingSink(std::uint64_t stream_limit, std::uint64_t room, OperatorCounter* operators)
        : Pipeline("neac-budget", nullptr), stream_limit_(stream_limit), room_(room),
          operators_(operators) {}
    void write(unsigned char const* data, size_t len) override {
        count_ += len;
        if (operators_) {
            operators_->feed(data, len);
            if (operators_->count() > limits::kOperatorsPerPage) {
                over_ = true;
                throw OverBudget("over budget");
            }
        }
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
    OperatorCounter* operators_;
    std::uint64_t count_ = 0;
    bool over_ = false;
};

std::string bomb_text(const std::string& why) {
    return why.find("decompression bomb") == std::string::npos ? why + " (decompression bomb?)"
                                                               : why;
}

} // namespace

PageBudget::PageBudget(std::filesystem::path file, std::chrono::milliseconds read_time)
    : file_(std::move(file)), deadline_(std::chrono::steady_clock::now() + read_time),
      read_time_(read_time) {}
PageBudget::~PageBudget() = default;

void PageBudget::open() {
    if (opened_)
        return;
    opened_ = true;
    pdf::install_stream_filters();
    pdf::DecodeGuard guard(limits::kStreamDecodeBytes, limits::kPageDecodeBytes);
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
    pdf::DecodeGuard guard(limits::kStreamDecodeBytes, limits::kPageDecodeBytes);
    auto refuse = [&](const std::string& why) {
        return input_error("page " + std::to_string(page) + ": " + why)
            .file(file_.string())
            .hint("the file cannot be read safely; ask for a sound copy");
    };
    // Each page is bounded by what it decodes and draws; the time over all pages bounds how many
    // such pages one file may make poppler read.
    if (std::chrono::steady_clock::now() > deadline_) {
        long long ms = read_time_.count();
        throw refuse(
            "reading the document's pages took more than " +
            (ms % 1000 == 0 ? std::to_string(ms / 1000) + " seconds" : std::to_string(ms) + " ms"));
    }
    checked_.insert(page);
    if (!qpdf_ || page < 1 || page > static_cast<int>(pages_.size()))
        return;

    // What poppler decodes to lay out the page's text: its content, the forms it draws (and
    // theirs), and the fonts' ToUnicode maps and Type 3 glyph procedures.
    std::vector<std::pair<QPDFObjectHandle, int>> todo{
        {pages_[static_cast<std::size_t>(page - 1)], 0}};
    std::set<QPDFObjGen> seen;
    std::size_t visited = 0;
    OperatorCounter operators;
    auto decode = [&](QPDFObjectHandle stream, bool content) {
        if (!stream.isStream())
            return;
        if (stream.isIndirect() && !seen.insert(stream.getObjGen()).second)
            return;
        CountingSink sink(limits::kStreamDecodeBytes, limits::kPageDecodeBytes - used_,
                          content ? &operators : nullptr);
        try {
            stream.pipeStreamData(&sink, 0, qpdf_dl_generalized, true);
        } catch (const std::exception&) {
            // a stream that does not decode is poppler's problem; only the size is ours
        }
        // The guard's own filters stop a runaway inflate first (at the same per-stream limit);
        // the sink stops every other filter, and the document's total.
        if (guard.tripped())
            throw refuse(bomb_text(guard.reason()));
        if (operators.count() > limits::kOperatorsPerPage)
            throw refuse("it draws more than " + std::to_string(limits::kOperatorsPerPage) +
                         " operators");
        if (sink.over())
            throw refuse(
                bomb_text(sink.stream_limit_hit()
                              ? "a stream decodes to more than " +
                                    std::to_string(limits::kStreamDecodeBytes >> 20) + " MiB"
                              : "the document's decoded streams pass " +
                                    std::to_string(limits::kPageDecodeBytes >> 20) + " MiB"));
        used_ += sink.count();
    };
    try {
        while (!todo.empty()) {
            auto [node, depth] = todo.back();
            todo.pop_back();
            if (++visited > limits::kObjectsPerPage)
                throw refuse("it draws more than " + std::to_string(limits::kObjectsPerPage) +
                             " objects");
            if (node.isStream()) {
                decode(node, true); // a form XObject or a glyph procedure
            } else {
                QPDFObjectHandle contents = node.getKey("/Contents");
                if (contents.isArray())
                    for (QPDFObjectHandle c : contents.aitems())
                        decode(c, true);
                else
                    decode(contents, true);
            }
            QPDFObjectHandle dict = node.isStream() ? node.getDict() : node;
            QPDFObjectHandle resources = dict.getKey("/Resources");
            if (!resources.isDictionary() || depth >= limits::kFormXObjectDepth)
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
                decode(font.getKey("/ToUnicode"), false);
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
            throw refuse(bomb_text(guard.reason()));
        spdlog::debug("{}: page {} only partly checked: {}", file_.string(), page, e.what());
    }
}

} // namespace neac::place
