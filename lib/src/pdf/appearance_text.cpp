// The appearance's words: layout names, colours, line templates and their expansion, subject
// attributes, and where fonts are looked for.
#include "neac/pdf/appearance.hpp"

#include "neac/util/error.hpp"
#include "neac/util/text.hpp"

#include <cctype>
#include <ctime>

namespace neac::pdf {
namespace {

constexpr const char* kDefaultTimeFormat = "%d/%m/%Y %H:%M:%S";
constexpr std::string_view kPlaceholders[] = {"name", "organization", "reason", "location",
                                              "cccd", "id_kind",      "time"};

struct Piece {
    bool placeholder = false;
    std::string text;   // literal text, or the placeholder's name
    std::string format; // {time:FORMAT}
};

Error template_error(std::string_view line, const std::string& what) {
    return input_error("appearance line \"" + std::string(line) + "\": " + what);
}

// Splits a template into literal text and placeholders; Error(BadInput) on bad syntax.
std::vector<Piece> parse_template(std::string_view line) {
    std::vector<Piece> out;
    std::string literal;
    auto flush = [&] {
        if (!literal.empty())
            out.push_back(Piece{false, std::move(literal), {}});
        literal.clear();
    };
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == '{' && i + 1 < line.size() && line[i + 1] == '{') {
            literal += '{';
            ++i;
        } else if (c == '}' && i + 1 < line.size() && line[i + 1] == '}') {
            literal += '}';
            ++i;
        } else if (c == '}') {
            throw template_error(line, "a lone '}' (write '}}' for a brace)");
        } else if (c == '{') {
            std::size_t end = line.find('}', i);
            if (end == std::string_view::npos)
                throw template_error(line, "'{' without its '}' (write '{{' for a brace)");
            std::string_view inside = line.substr(i + 1, end - i - 1);
            Piece p{true, {}, {}};
            std::size_t colon = inside.find(':');
            p.text = std::string(inside.substr(0, colon));
            if (colon != std::string_view::npos)
                p.format = std::string(inside.substr(colon + 1));
            bool known = false;
            for (auto k : kPlaceholders)
                known = known || p.text == k;
            if (!known) {
                std::string names;
                for (auto k : kPlaceholders)
                    names += (names.empty() ? "{" : ", {") + std::string(k) + "}";
                throw template_error(line, "unknown placeholder {" + p.text + "}")
                    .hint("known placeholders: " + names + ", {time:FORMAT}");
            }
            if (colon != std::string_view::npos && p.text != "time")
                throw template_error(line, "only {time} takes a format");
            if (p.text == "time" && colon != std::string_view::npos) {
                if (p.format.empty() || p.format.size() > 100)
                    throw template_error(line, "the time format must be 1 to 100 characters, "
                                               "e.g. {time:%d/%m/%Y %H:%M}");
                std::tm tm{};
                tm.tm_year = 126;
                tm.tm_mon = 10;
                tm.tm_mday = 26;
                char buf[512];
                if (std::strftime(buf, sizeof buf, p.format.c_str(), &tm) == 0)
                    throw template_error(line, "the time format gives no text");
            }
            flush();
            out.push_back(std::move(p));
            i = end;
        } else {
            literal += c;
        }
    }
    flush();
    return out;
}

std::string format_time(std::chrono::system_clock::time_point t, const std::string& format) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char buf[512];
    std::size_t n =
        std::strftime(buf, sizeof buf, format.empty() ? kDefaultTimeFormat : format.c_str(), &tm);
    return std::string(buf, n);
}

std::string masked(const std::string& digits) {
    if (digits.size() <= 6)
        return std::string(digits.size(), '*');
    return digits.substr(0, 4) + std::string(digits.size() - 6, '*') +
           digits.substr(digits.size() - 2);
}

} // namespace

const char* layout_name(AppearanceLayout layout) {
    switch (layout) {
    case AppearanceLayout::Auto:
        return "auto";
    case AppearanceLayout::ImageLeft:
        return "image-left";
    case AppearanceLayout::ImageAbove:
        return "image-above";
    case AppearanceLayout::TextOnly:
        return "text-only";
    case AppearanceLayout::ImageOnly:
        return "image-only";
    }
    return "auto";
}

AppearanceLayout parse_layout(std::string_view text) {
    for (AppearanceLayout l :
         {AppearanceLayout::Auto, AppearanceLayout::ImageLeft, AppearanceLayout::ImageAbove,
          AppearanceLayout::TextOnly, AppearanceLayout::ImageOnly})
        if (text == layout_name(l))
            return l;
    throw input_error("layout must be one of auto, image-left, image-above, text-only, "
                      "image-only");
}

void check_color(std::string_view text) {
    bool ok = text.size() == 7 && text[0] == '#';
    for (std::size_t i = 1; ok && i < text.size(); ++i)
        ok = std::isxdigit(static_cast<unsigned char>(text[i])) != 0;
    if (!ok)
        throw input_error("colour must be #RRGGBB (e.g. #1a3c8c), not '" + std::string(text) + "'");
}

const std::vector<std::string>& default_appearance_lines() {
    static const std::vector<std::string> lines{"Ký bởi: {name}", "Tổ chức: {organization}",
                                                "Ngày ký: {time:%d/%m/%Y %H:%M:%S}",
                                                "Lý do: {reason}", "Nơi ký: {location}"};
    return lines;
}

void check_template(std::string_view line) {
    if (!is_valid_utf8(line))
        throw input_error("appearance line: not valid UTF-8 text");
    for (char c : line)
        if (static_cast<unsigned char>(c) < 0x20)
            throw input_error("appearance line: control characters (tabs, line breaks) are not "
                              "allowed; give one list item per line");
    parse_template(line);
}

std::vector<std::string> expand_lines(const std::vector<std::string>& templates,
                                      const AppearanceValues& v) {
    std::vector<std::string> out;
    for (const std::string& t : templates) {
        std::string line;
        bool any_placeholder = false, any_value = false;
        for (const Piece& p : parse_template(t)) {
            if (!p.placeholder) {
                line += p.text;
                continue;
            }
            any_placeholder = true;
            std::string value;
            if (p.text == "name")
                value = v.name;
            else if (p.text == "organization")
                value = v.organization;
            else if (p.text == "reason")
                value = v.reason;
            else if (p.text == "location")
                value = v.location;
            else if (p.text == "cccd")
                value = masked(v.id_number);
            else if (p.text == "id_kind")
                value = v.id_kind;
            else if (p.text == "time")
                value = format_time(v.time, p.format);
            any_value = any_value || !value.empty();
            line += value;
        }
        if (any_placeholder && !any_value)
            continue;
        out.push_back(trim(line));
    }
    return out;
}

std::string subject_attribute(std::string_view subject, std::string_view type) {
    // RFC 2253: "TYPE=value" separated by ',' (or '+'), with '\' escaping the next character.
    std::size_t i = 0;
    while (i < subject.size()) {
        std::size_t eq = subject.find('=', i);
        if (eq == std::string_view::npos)
            break;
        std::string_view key = subject.substr(i, eq - i);
        while (!key.empty() && key.front() == ' ')
            key.remove_prefix(1);
        std::string value;
        std::size_t j = eq + 1;
        for (; j < subject.size(); ++j) {
            char c = subject[j];
            if (c == '\\' && j + 1 < subject.size())
                value += subject[++j];
            else if (c == ',' || c == '+')
                break;
            else
                value += c;
        }
        if (key == type)
            return value;
        i = j + 1;
    }
    return "";
}

const std::vector<std::filesystem::path>& default_font_paths() {
    static const std::vector<std::filesystem::path> paths{
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    };
    return paths;
}

} // namespace neac::pdf
