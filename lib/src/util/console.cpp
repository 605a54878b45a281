#include "neac/util/console.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace neac {

Console::Console(ConsoleOptions options) : options_(options) {
    const char* no_color = std::getenv("NO_COLOR");
    bool color_allowed = !options_.no_color && !(no_color && *no_color);
    stdout_color_ = color_allowed && ::isatty(STDOUT_FILENO);
    stderr_tty_ = ::isatty(STDERR_FILENO);
}

void Console::out(std::string_view text) const {
    if (options_.json)
        return;
    std::cout << text;
    std::cout.flush();
}

void Console::print_json(const nlohmann::json& document) const {
    std::cout << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    std::cout.flush();
}

void Console::note(std::string_view text) const {
    if (options_.quiet || options_.json)
        return;
    end_progress();
    std::cerr << text << "\n";
}

void Console::warn(std::string_view text) const {
    end_progress();
    std::cerr << "warning: " << text << "\n";
}

void Console::progress(std::string_view line) const {
    if (!stderr_tty_ || options_.quiet)
        return;
    std::cerr << "\r\033[K" << line << std::flush;
    progress_shown_ = true;
}

void Console::end_progress() const {
    if (!progress_shown_)
        return;
    std::cerr << "\r\033[K" << std::flush;
    progress_shown_ = false;
}

std::string Console::paint(const char* code, std::string_view s) const {
    if (!stdout_color_)
        return std::string(s);
    return std::string("\033[") + code + "m" + std::string(s) + "\033[0m";
}

void configure_logging(const ConsoleOptions& options) {
    auto logger = spdlog::stderr_logger_mt("neac");
    logger->set_pattern("neac: %l: %v");
    spdlog::set_default_logger(logger);
    if (options.quiet)
        spdlog::set_level(spdlog::level::err);
    else if (options.verbosity >= 3)
        spdlog::set_level(spdlog::level::trace);
    else if (options.verbosity == 2)
        spdlog::set_level(spdlog::level::debug);
    else if (options.verbosity == 1)
        spdlog::set_level(spdlog::level::info);
    else
        spdlog::set_level(spdlog::level::warn);
}

} // namespace neac
