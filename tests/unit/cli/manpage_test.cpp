// The manual page (docs/ksurf.1) against the binary's own --help texts, so an
// option cannot be added, renamed or dropped without the man page following.
// The commands are not listed here: they are read from `ksurf help` and from
// `ksurf list --help`, so a new command is checked as soon as it exists.
#include "test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using ksurf::test::run_ksurf;

namespace {

// The page as text: roff escapes for '-' and fonts removed, so "\-\-json"
// and "\fB\-p\fR" read as "--json" and "-p".
std::string man_text() {
    std::ifstream in(std::string(KSURF_SOURCE_DIR) + "/docs/ksurf.1");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    s = std::regex_replace(s, std::regex(R"(\\f[BIRP])"), "");
    s = std::regex_replace(s, std::regex(R"(\\-)"), "-");
    s = std::regex_replace(s, std::regex(R"(\\&)"), "");
    return s;
}

// The lines of the .SS section whose heading starts with `heading` (e.g.
// "ksurf list funcs"), up to the next .SS or .SH; "" when there is none.
std::string man_section(const std::string &man, const std::string &heading) {
    std::istringstream in(man);
    std::string line, out;
    bool inside = false;
    while (std::getline(in, line)) {
        bool head = line.starts_with(".SS ") || line.starts_with(".SH ");
        if (inside && head) break;
        if (line.starts_with(".SS ")) {
            std::string h = line.substr(4);
            if (!h.empty() && h.front() == '"') h.erase(0, 1);
            if (h.starts_with(heading) && (h.size() == heading.size() || h[heading.size()] == ' ' ||
                                           h[heading.size()] == '"'))
                inside = true;
        }
        if (inside) out += line + "\n";
    }
    return out;
}

// Options of a CLI11 help text: "-p,--pid INT ..." lines of "Options:".
std::vector<std::string> help_options(const std::string &help) {
    std::vector<std::string> opts;
    std::istringstream in(help);
    std::string line;
    bool in_options = false;
    static const std::regex opt(R"((--?[A-Za-z0-9][A-Za-z0-9-]*))");
    while (std::getline(in, line)) {
        if (line == "Options:") {
            in_options = true;
            continue;
        }
        if (in_options && !line.empty() && line[0] != ' ') in_options = false;
        if (!in_options) continue;
        size_t first = line.find_first_not_of(' ');
        if (first == std::string::npos || line[first] != '-') continue;
        // The names end at the first space: "-b,--buffer UINT:UINT in [4 - ...]".
        std::string names = line.substr(first, line.find(' ', first) - first);
        for (std::sregex_iterator it(names.begin(), names.end(), opt), end; it != end; ++it)
            opts.push_back((*it)[1]);
    }
    return opts;
}

// Whole-word match: "-a" must not be found inside "--all".
bool mentions(const std::string &text, const std::string &option) {
    static const std::string word = "A-Za-z0-9_-";
    size_t pos = 0;
    while ((pos = text.find(option, pos)) != std::string::npos) {
        bool start_ok = pos == 0 || word.find(text[pos - 1]) == std::string::npos;
        size_t end = pos + option.size();
        bool end_ok = end >= text.size() || word.find(text[end]) == std::string::npos;
        if (start_ok && end_ok) return true;
        pos = end;
    }
    return false;
}

// Command words of `ksurf help`: "  ksurf who NAME ..." -> "who".
std::vector<std::string> top_commands(const std::string &help) {
    std::vector<std::string> cmds;
    std::istringstream in(help);
    std::string line;
    static const std::regex cmd(R"(^  ksurf ([a-z]+)\b)");
    std::smatch m;
    while (std::getline(in, line))
        if (std::regex_search(line, m, cmd) && m[1] != "help") cmds.push_back(m[1]);
    return cmds;
}

// Subcommands of a CLI11 help: the first word of each line under "Subcommands:".
std::vector<std::string> subcommands(const std::string &help) {
    std::vector<std::string> subs;
    std::istringstream in(help);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line == "Subcommands:") {
            inside = true;
            continue;
        }
        if (!inside) continue;
        if (line.empty() || line[0] != ' ') break;
        std::istringstream words(line);
        std::string w;
        words >> w;
        if (!w.empty()) subs.push_back(w);
    }
    return subs;
}

struct Help {
    std::string command; // "who", "list funcs"; "" for the default (probe)
    std::string text;
};

std::vector<Help> every_help() {
    std::vector<Help> helps;
    auto probe = run_ksurf({"help", "probe"});
    EXPECT_EQ(probe.status, 0);
    helps.push_back({"", probe.out});
    auto top = run_ksurf({"help"});
    EXPECT_EQ(top.status, 0);
    for (const auto &c : top_commands(top.out)) {
        auto h = run_ksurf({c, "--help"});
        EXPECT_EQ(h.status, 0) << c;
        helps.push_back({c, h.out});
        for (const auto &s : subcommands(h.out)) {
            auto sh = run_ksurf({c, s, "--help"});
            EXPECT_EQ(sh.status, 0) << c << " " << s;
            helps.push_back({c + " " + s, sh.out});
        }
    }
    return helps;
}

} // namespace

TEST(ManPage, ParsersSeeWhatTheyShould) {
    // A positive control for the parsing below, on a fixed text.
    std::string help = "Usage: x\n\nOptions:\n  -h,--help    help\n  -b,--buffer UINT:UINT in "
                       "[4 - 9]\n                 text -n\n  --json    j\n\nSubcommands:\n"
                       "  funcs    f\n  events   e\n";
    EXPECT_EQ(help_options(help),
              (std::vector<std::string>{"-h", "--help", "-b", "--buffer", "--json"}));
    EXPECT_EQ(subcommands(help), (std::vector<std::string>{"funcs", "events"}));
    EXPECT_TRUE(mentions("a --all b", "--all"));
    EXPECT_FALSE(mentions("a --all b", "-a"));
    EXPECT_FALSE(mentions("a --all-x b", "--all"));
}

TEST(ManPage, EveryCommandOfTheHelpHasASection) {
    std::string man = man_text();
    ASSERT_NE(man.find(".TH KSURF 1"), std::string::npos)
        << "docs/ksurf.1 missing or not a man page";
    auto helps = every_help();
    // probe, who, run, list (and its 7 listings), reset at least.
    EXPECT_GE(helps.size(), 12u);
    for (const auto &h : helps) {
        std::string heading = h.command.empty() ? "ksurf [options] EXPR..." : "ksurf " + h.command;
        EXPECT_FALSE(man_section(man, heading).empty())
            << "docs/ksurf.1 has no '.SS " << heading << "' section";
    }
}

TEST(ManPage, EveryOptionOfEveryHelpIsInItsSection) {
    std::string man = man_text();
    size_t checked = 0;
    for (const auto &h : every_help()) {
        std::string heading = h.command.empty() ? "ksurf [options] EXPR..." : "ksurf " + h.command;
        std::string section = man_section(man, heading);
        auto opts = help_options(h.text);
        EXPECT_FALSE(opts.empty()) << "no options parsed from the help of '" << heading << "'";
        for (const auto &o : opts) {
            ++checked;
            EXPECT_TRUE(mentions(section, o)) << "option " << o << " of '" << heading
                                              << " --help' is not in its section of docs/ksurf.1";
        }
    }
    EXPECT_GE(checked, 40u);
}

TEST(ManPage, TopLevelOptionsAndExitStatus) {
    std::string man = man_text();
    for (const char *o : {"--version", "-V", "--help", "-h"}) EXPECT_TRUE(mentions(man, o)) << o;
    for (const char *s : {".SH EXIT STATUS", ".SH EXAMPLES", ".SH EXPRESSIONS", ".SH SYNOPSIS"})
        EXPECT_NE(man.find(s), std::string::npos) << s;
    // Every expression form of `ksurf help` is described.
    auto top = run_ksurf({"help"});
    for (const char *form :
         {"e SYSTEM/EVENT", "p FUNC", "r[N] FUNC", "P PATH:SYMBOL", "R PATH:SYMBOL", "$retval",
          "$comm", "$stack", "@symbol", "ip_", "b16_", "B16_", ":ustring", ":symbol", "f:FILTER"}) {
        EXPECT_NE(man.find(form), std::string::npos) << form;
    }
    // The version is filled in by the build, not written by hand.
    EXPECT_NE(man.find("@PROJECT_VERSION@"), std::string::npos);
    EXPECT_NE(top.out.find("--version"), std::string::npos) << "ksurf help should name --version";
}
