// neac locate: where the signature goes. Finds a keyword ("Người làm đơn") in a PDF's text and
// proposes the signature box next to it, in the coordinates `neac sign --rect` takes.
#include "command.hpp"

#include "neac/place/locator_options.hpp"
#include "neac/place/preview.hpp"
#include "neac/place/report.hpp"
#include "neac/profile/profile.hpp"
#include "neac/sign/locator.hpp"
#include "neac/util/error.hpp"

namespace neac::cli {
namespace {

struct LocateArgs {
    std::string file;
    std::string profile;
    place::LocatorFlags flags;
    std::string preview;
    double preview_dpi = 110;
};

int run_locate(const LocateArgs& a, Context& ctx) {
    const Console& console = ctx.console();
    std::optional<profile::Profile> prof;
    if (!a.profile.empty())
        prof = profile::ProfileStore(ctx.home()).load(a.profile);
    const profile::Locator* from_profile = prof && prof->locator ? &*prof->locator : nullptr;
    std::optional<place::LocatorSpec> spec = sign::make_locator_spec(from_profile, a.flags);
    if (!spec)
        throw usage_error(prof ? "profile " + prof->name + " has no locator; give --keyword"
                               : "give --keyword TEXT or --profile NAME")
            .hint("e.g. neac locate don.pdf --keyword \"Người làm đơn\"");

    place::PageSource source(a.file);
    place::LocateResult result = place::locate(source, *spec);
    std::vector<std::filesystem::path> previews;
    if (!result.matches.empty() && !a.preview.empty())
        previews = place::write_previews(source, result, a.preview, a.preview_dpi);

    if (console.json())
        console.print_json(place::locate_to_json(result, *spec, previews));
    if (result.matches.empty())
        throw place::no_match_error(result, *spec);
    if (!console.json())
        console.out(place::describe_locate(result, *spec, previews));
    std::vector<int> covering;
    for (const auto& m : result.matches)
        if ((m.proposal.overlaps_text || m.proposal.overlaps_annotation) &&
            (covering.empty() || covering.back() != m.page.number))
            covering.push_back(m.page.number);
    if (!covering.empty()) {
        std::string pages;
        for (std::size_t i = 0; i < covering.size() && i < 5; ++i)
            pages += (i ? ", " : "") + std::to_string(covering[i]);
        if (covering.size() > 5)
            pages += ", ... (" + std::to_string(covering.size()) + " pages)";
        console.warn("the signature box covers printed text or another annotation on page " +
                     pages + "; try another --placement, --offset or --box");
    }
    return 0;
}

} // namespace

void add_locate_command(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<LocateArgs>();
    CLI::App* cmd = app.add_subcommand(
        "locate", "Find the signing keyword in a PDF and propose the signature box next to it");
    cmd->add_option("file", a->file, "PDF file")->required()->type_name("FILE");
    cmd->add_option("-k,--keyword", a->flags.keywords,
                    "Text to find, e.g. \"Người làm đơn\" (case, spacing and composed/decomposed "
                    "diacritics do not matter); repeat it to try keywords in order of preference")
        ->type_name("TEXT")
        ->allow_extra_args(false); // one value per --keyword: the files follow
    cmd->add_option("-p,--profile", a->profile,
                    "Take the keyword and placement from this profile's locator")
        ->type_name("NAME");
    cmd->add_option_function<std::string>(
           "--occurrence", [a](const std::string& v) { a->flags.occurrence = v; },
           "Which match: first, last (default), all, or a number N")
        ->type_name("WHICH");
    cmd->add_option_function<std::string>(
           "--placement", [a](const std::string& v) { a->flags.placement = v; },
           "Signature box below (default), above, left, right of or over the keyword")
        ->type_name("SIDE");
    cmd->add_option_function<double>(
           "--offset", [a](double v) { a->flags.offset = v; },
           "Points between the keyword and the signature box (default 4)")
        ->type_name("PT");
    cmd->add_option_function<std::string>(
           "--box", [a](const std::string& v) { a->flags.box = v; },
           "Signature box size in points (default 180x60)")
        ->type_name("WxH");
    cmd->add_option("--page", a->flags.page, "Search only this page (1-based)")->type_name("N");
    cmd->add_flag("--ignore-diacritics", a->flags.ignore_diacritics,
                  "Match without diacritics: \"Nguoi lam don\" finds \"Người làm đơn\"");
    cmd->add_flag("--no-avoid-text", a->flags.no_avoid_text,
                  "Keep the box exactly at the offset even when it covers printed text");
    cmd->add_option("--preview", a->preview,
                    "Write a PNG of the page with the keyword and the box drawn on it")
        ->type_name("OUT.png");
    cmd->add_option("--preview-dpi", a->preview_dpi, "Resolution of the preview (default 110)")
        ->type_name("DPI");
    cmd->footer("Boxes are x,y width x height in points from the bottom-left corner of the page "
                "as displayed, the system of 'neac sign --rect'; on rotated or cropped pages the "
                "default user-space boxes are shown too.\nNo match: exit 4, with the closest "
                "text found.");
    cmd->callback([a, &ctx] { ctx.action = [a, &ctx] { return run_locate(*a, ctx); }; });
}

} // namespace neac::cli
