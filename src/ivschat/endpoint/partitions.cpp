#include "ivschat/endpoint/partitions.hpp"

#include <algorithm>
#include <functional>
#include <vector>

namespace ivschat::detail {
namespace {

// A parsed pattern: a sequence of atoms, each a character test or a group of
// alternative sequences, optionally repeated (`+`).
struct atom;
using sequence = std::vector<atom>;

struct atom {
    enum class kind { literal, word, digit, group } what = kind::literal;
    char literal = 0;
    std::vector<sequence> alternatives{};
    bool one_or_more = false;
};

class pattern_parser {
public:
    explicit pattern_parser(std::string_view p) : p_(p) {}

    // Parses alternatives up to `)` or the end; false on unsupported syntax.
    bool parse_alternatives(std::vector<sequence>& out) {
        out.emplace_back();
        while (i_ < p_.size() && p_[i_] != ')') {
            char c = p_[i_++];
            if (c == '|') {
                out.emplace_back();
                continue;
            }
            if (c == '$' && i_ == p_.size()) {
                anchored_end_ = true;
                continue;
            }
            atom a;
            if (c == '\\') {
                if (i_ == p_.size()) return false;
                char e = p_[i_++];
                if (e == 'w') a.what = atom::kind::word;
                else if (e == 'd') a.what = atom::kind::digit;
                else if (e == '-' || e == '.' || e == '\\') a.literal = e;
                else return false;
            } else if (c == '(') {
                a.what = atom::kind::group;
                if (!parse_alternatives(a.alternatives) || i_ == p_.size()) return false;
                ++i_;  // ')'
            } else if (std::string_view("[]{}*?+.^$").find(c) != std::string_view::npos) {
                return false;
            } else {
                a.literal = c;
            }
            if (i_ < p_.size() && p_[i_] == '+') {
                a.one_or_more = true;
                ++i_;
            }
            out.back().push_back(std::move(a));
        }
        return true;
    }

    bool parse(std::vector<sequence>& out) {
        if (!p_.empty() && p_[0] == '^') ++i_;
        return parse_alternatives(out) && i_ == p_.size();
    }

    bool anchored_end() const { return anchored_end_; }

private:
    std::string_view p_;
    std::size_t i_ = 0;
    bool anchored_end_ = false;
};

using continuation = std::function<bool(std::size_t)>;

class backtracking_matcher {
public:
    explicit backtracking_matcher(std::string_view text) : text_(text) {}

    bool match_sequence(const sequence& s, std::size_t index, std::size_t pos, const continuation& next) const {
        if (index == s.size()) return next(pos);
        auto rest = [&](std::size_t p) { return match_sequence(s, index + 1, p, next); };
        const atom& a = s[index];
        if (!a.one_or_more) return match_atom(a, pos, rest);
        return match_repeated(a, pos, rest);
    }

    bool match_alternatives(const std::vector<sequence>& alts, std::size_t pos, const continuation& next) const {
        return std::any_of(alts.begin(), alts.end(), [&](const sequence& s) { return match_sequence(s, 0, pos, next); });
    }

private:
    // Greedy `+`: one more repetition first, then the rest of the pattern.
    bool match_repeated(const atom& a, std::size_t pos, const continuation& next) const {
        return match_atom(a, pos, [&](std::size_t p) { return (p > pos && match_repeated(a, p, next)) || next(p); });
    }

    bool match_atom(const atom& a, std::size_t pos, const continuation& next) const {
        if (a.what == atom::kind::group) return match_alternatives(a.alternatives, pos, next);
        if (pos >= text_.size()) return false;
        char c = text_[pos];
        bool digit = c >= '0' && c <= '9';
        bool ok = false;
        switch (a.what) {
            case atom::kind::literal: ok = text_[pos] == a.literal; break;
            // Python's \w on str also matches non-ASCII letters; region names are ASCII.
            case atom::kind::word: ok = digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; break;
            case atom::kind::digit: ok = digit; break;
            case atom::kind::group: break;
        }
        return ok && next(pos + 1);
    }

    std::string_view text_;
};

}  // namespace

std::optional<bool> region_pattern_matches(std::string_view pattern, std::string_view text) {
    std::vector<sequence> alternatives;
    pattern_parser parser(pattern);
    if (!parser.parse(alternatives)) return std::nullopt;
    if (text.size() > max_region_match_length) return false;
    bool anchored_end = parser.anchored_end();
    backtracking_matcher matcher(text);
    return matcher.match_alternatives(alternatives, 0, [&](std::size_t end) {
        return !anchored_end || end == text.size() || (end + 1 == text.size() && text.back() == '\n');
    });
}

const partition& partition_for_region(std::string_view region, std::span<const partition> table) {
    for (const partition& p : table)
        if (std::find(p.regions.begin(), p.regions.end(), region) != p.regions.end() ||
            region_pattern_matches(p.region_regex, region).value_or(false))
            return p;
    return table.front();
}

}  // namespace ivschat::detail
