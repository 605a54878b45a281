// Start-up and plumbing shared by the test simulators (tsa_sim, provider_sim, portal_sim).
// Header-only: tests/CMakeLists.txt builds every tests/sim/*.cpp as an executable of its own.
//
// A simulator's main() calls start() first, declares its options on an OptionParser (with
// add_server_options() for --port, --tls-cert and --tls-key), builds its server with
// make_server() and ends with listen_and_serve(): that binds 127.0.0.1 on --port (0 = any free
// port), prints "listening on http://127.0.0.1:PORT" (https with TLS) on stdout, the one line a
// simulator prints there and the one the tests wait for, and serves until the server stops.
#pragma once

// Debian's cpp-httplib is a compiled library (libcpp-httplib.so) built with OpenSSL, zlib and
// brotli support: the same macros must be set here for the same class layout.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif
#include <httplib.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

namespace sim_common {

namespace detail {

struct Program {
    std::string name = "sim";
    void (*on_die)() = nullptr;
};

inline Program& program() {
    static Program p;
    return p;
}

} // namespace detail

// Call first in main(). Names the program in messages ("tsa_sim: ...") and ignores SIGPIPE, so
// that a client that hangs up in the middle of an answer costs a failed write, not the server.
// `on_die`, when given, runs after die() has printed its message (tsa_sim prints OpenSSL's error
// queue there).
inline void start(const char* name, void (*on_die)() = nullptr) {
    detail::program().name = name;
    detail::program().on_die = on_die;
    std::signal(SIGPIPE, SIG_IGN);
}

// Writes "<program>: <message>" as one line on stderr.
inline void log(const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", detail::program().name.c_str(), message.c_str());
    std::fflush(stderr);
}

// Reports `what` on stderr and exits with code 2: bad options, files that cannot be loaded, no
// port to bind.
[[noreturn]] inline void die(const std::string& what) {
    log(what);
    if (detail::program().on_die)
        detail::program().on_die();
    std::exit(2);
}

// Returns what `make` returns (the simulator's state: keys loaded, a database opened...), or
// dies with `context` followed by the error when it throws.
template <class F> auto or_die(F&& make, const std::string& context = "") -> decltype(make()) {
    try {
        return make();
    } catch (const std::exception& e) {
        die(context + e.what());
    }
}

// Command-line options, each declared with what to do with it. parse() takes argv in order and
// dies on an unknown option ("unknown option --x") or a missing value ("missing value for --x").
class OptionParser {
public:
    using Setter = std::function<void(const std::string&)>;

    // An option with a value, handed to `set` (which may die on a bad one). Declaring a name
    // again replaces what it does.
    OptionParser& value(const std::string& name, Setter set) {
        options_[name] = Option{true, std::move(set)};
        return *this;
    }
    // A value kept as it is; a repeated option keeps the last one.
    OptionParser& text(const std::string& name, std::string& out) {
        return value(name, [&out](const std::string& v) { out = v; });
    }
    // A number read like atoll (leading digits; 0 when there are none), converted to T.
    template <class T> OptionParser& number(const std::string& name, T& out) {
        return value(name,
                     [&out](const std::string& v) { out = static_cast<T>(std::atoll(v.c_str())); });
    }
    // A flag without a value: sets `out`.
    OptionParser& flag(const std::string& name, bool& out) {
        options_[name] = Option{false, [&out](const std::string&) { out = true; }};
        return *this;
    }

    void parse(int argc, char** argv) const {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            auto it = options_.find(a);
            if (it == options_.end())
                die("unknown option " + a);
            if (!it->second.takes_value) {
                it->second.set("");
                continue;
            }
            if (i + 1 >= argc)
                die("missing value for " + a);
            it->second.set(argv[++i]);
        }
    }

private:
    struct Option {
        bool takes_value;
        Setter set;
    };
    std::map<std::string, Option> options_;
};

// Where and how a simulator listens.
struct ServerOptions {
    int port = 0; // 0 = any free port
    std::string tls_cert, tls_key;
    bool tls() const { return !tls_cert.empty(); }
};

// Declares --port N (read like atoll), --tls-cert PEM and --tls-key PEM.
inline void add_server_options(OptionParser& options, ServerOptions& server) {
    options.number("--port", server.port)
        .text("--tls-cert", server.tls_cert)
        .text("--tls-key", server.tls_key);
}

// An HTTPS server when a TLS certificate is given, plain HTTP otherwise. Dies when the TLS
// certificate or key cannot be loaded.
inline std::unique_ptr<httplib::Server> make_server(const ServerOptions& o) {
    std::unique_ptr<httplib::Server> server;
    if (o.tls())
        server = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    else
        server = std::make_unique<httplib::Server>();
    if (!server->is_valid())
        die("cannot set up the server (TLS certificate or key?)");
    return server;
}

// SIGINT and SIGTERM stop the server cleanly (listen_and_serve() returns and destructors run)
// instead of killing the process: a thread waits for them. Call before the server starts its
// threads, so that they inherit the blocked signals.
inline void stop_on_signals(httplib::Server& server) {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::thread([&server, stop_signals] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        server.stop();
    }).detach();
}

// Binds 127.0.0.1 on the port (0 = any free one), prints "listening on http(s)://127.0.0.1:PORT"
// on stdout and serves until the server stops. Dies when the port cannot be bound.
inline void listen_and_serve(httplib::Server& server, const ServerOptions& o) {
    int port = o.port;
    if (port == 0)
        port = server.bind_to_any_port("127.0.0.1");
    else if (!server.bind_to_port("127.0.0.1", port))
        port = -1;
    if (port <= 0)
        die("cannot bind a port");
    std::printf("listening on %s://127.0.0.1:%d\n", o.tls() ? "https" : "http", port);
    std::fflush(stdout);
    server.listen_after_bind();
}

// Injected faults are structs with `route` (one route name, or "any") and `left` (how many more
// requests they hit: -1 = unlimited, 0 = spent). Returns the first fault of `faults` that
// applies to `route` and satisfies `wanted`, after using up one of its requests.
template <class Fault, class Pred>
std::optional<Fault> take_fault(std::vector<Fault>& faults, const std::string& route, Pred wanted) {
    for (Fault& f : faults) {
        if (f.left == 0 || (f.route != "any" && f.route != route) || !wanted(f))
            continue;
        if (f.left > 0)
            --f.left;
        return f;
    }
    return std::nullopt;
}

// The "drop" fault: the status line and headers go out, then the connection closes with the
// body missing (a content provider that fails at once).
inline void drop_connection(httplib::Response& res) {
    res.status = 200;
    res.set_content_provider(1000, "application/json",
                             [](size_t, size_t, httplib::DataSink&) { return false; });
}

// What a std::exception handed to httplib's exception handler says.
inline std::string exception_text(const std::exception_ptr& ep) {
    std::string what = "unknown";
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        what = e.what();
    }
    return what;
}

} // namespace sim_common
