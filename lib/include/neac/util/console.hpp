// Where output goes. Results go to stdout (text or one JSON document); logs, progress and errors
// go to stderr. Colour only on a TTY, never with NO_COLOR or --no-color.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace neac {

struct ConsoleOptions {
    bool json = false;
    int verbosity = 0; // -v count
    bool quiet = false;
    bool no_color = false;
};

class Console {
public:
    explicit Console(ConsoleOptions options);

    bool json() const noexcept { return options_.json; }
    bool quiet() const noexcept { return options_.quiet; }
    int verbosity() const noexcept { return options_.verbosity; }
    bool stdout_color() const noexcept { return stdout_color_; }
    bool stderr_is_tty() const noexcept { return stderr_tty_; }

    // Result text on stdout (suppressed in --json mode: JSON is written with print_json).
    void out(std::string_view text) const;
    // The document, indented, on stdout. Text that is not UTF-8 (a file name from a foreign
    // system) is written with U+FFFD in its place instead of failing the whole document.
    void print_json(const nlohmann::json& document) const;
    // A note for people on stderr; suppressed by --quiet and in --json mode.
    void note(std::string_view text) const;
    // A warning on stderr, shown even with --quiet.
    void warn(std::string_view text) const;

    // A single updating status line on stderr (TTY only, not in --quiet); end_progress() clears it.
    void progress(std::string_view line) const;
    void end_progress() const;

    // ANSI styling helpers that return the text unchanged when colour is off.
    std::string green(std::string_view s) const { return paint("32", s); }
    std::string red(std::string_view s) const { return paint("31", s); }
    std::string yellow(std::string_view s) const { return paint("33", s); }
    std::string bold(std::string_view s) const { return paint("1", s); }
    std::string dim(std::string_view s) const { return paint("2", s); }

private:
    std::string paint(const char* code, std::string_view s) const;

    ConsoleOptions options_;
    bool stdout_color_ = false;
    bool stderr_tty_ = false;
    mutable bool progress_shown_ = false;
};

// Configures spdlog to write to stderr: warnings by default, info with -v, debug with -vv,
// trace with -vvv; errors only with --quiet.
void configure_logging(const ConsoleOptions& options);

} // namespace neac
