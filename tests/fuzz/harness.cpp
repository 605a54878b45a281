#include "harness.hpp"

#include "neac/net/retry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <system_error>
#include <unistd.h>

namespace neac::fuzz {

namespace {

// The library logs through spdlog (provider transactions, token refreshes); at millions of runs
// that is only noise. This file is linked into every target as an object, so this always runs.
const bool kQuiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
}();

struct Scratch {
    std::filesystem::path path;
    Scratch() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/neac-fuzz." + "XXXXXX";
        if (!mkdtemp(pattern.data()))
            std::abort(); // no scratch space: nothing useful can run
        path = pattern;
    }
    ~Scratch() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

} // namespace

const std::filesystem::path& scratch() {
    static Scratch s;
    return s.path;
}

std::filesystem::path write_scratch(const std::string& name, std::string_view content) {
    std::filesystem::path p = scratch() / name;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out)
        std::abort();
    return p;
}

net::HttpResponse http_answer(std::string_view input) {
    net::HttpResponse r;
    r.status = 200;
    if (input.size() >= 4 && input[3] == '\n' && input[0] >= '1' && input[0] <= '5' &&
        input[1] >= '0' && input[1] <= '9' && input[2] >= '0' && input[2] <= '9') {
        r.status = (input[0] - '0') * 100 + (input[1] - '0') * 10 + (input[2] - '0');
        input.remove_prefix(4);
    }
    r.headers["content-type"] = "application/json; charset=utf-8";
    while (!input.empty()) {
        std::size_t end = input.find('\n');
        std::string_view line = input.substr(0, end);
        std::size_t colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos || end == std::string_view::npos ||
            line.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != colon)
            break;
        std::string name(line.substr(0, colon));
        for (char& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        r.headers[name] = std::string(value);
        input.remove_prefix(end + 1);
    }
    if (!input.empty() && input.front() == '<' &&
        r.headers["content-type"].find("json") != std::string::npos)
        r.headers["content-type"] = "text/html; charset=utf-8";
    r.body = std::string(input);
    return r;
}

void retry_handling(const net::HttpResponse& answer) {
    if (!net::is_transient_status(answer.status))
        return;
    auto it = answer.headers.find("retry-after");
    net::RetryPolicy policy;
    for (int attempt = 1; attempt <= policy.max_attempts; ++attempt) {
        std::chrono::milliseconds d = net::backoff_delay(
            attempt, policy, it == answer.headers.end() ? std::string() : it->second);
        if (d.count() < 0 || d > std::max(policy.max_delay, policy.base_delay))
            __builtin_trap(); // the wait must stay within the policy, whatever the server says
    }
}

std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        int n = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xE  ? 2
                : (c >> 3) == 0x1E ? 3
                                   : -1;
        char32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
        bool ok = n >= 0 && i + static_cast<std::size_t>(n) < s.size();
        for (int k = 1; ok && k <= n; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (ok && (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = false;
        if (!ok) {
            out.push_back(U'\uFFFD');
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(n) + 1;
    }
    return out;
}

} // namespace neac::fuzz
