#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace ivschat::detail {

/// A compiled form of the small ECMAScript regular-expression subset the
/// model's patterns use: literals, `\` escapes of punctuation, `.`, character
/// classes with ranges, the quantifiers `+ * ? {n} {n,} {n,m}`, top-level
/// alternation `|` and the anchors `^` `$` at the ends of an alternative.
/// compile_pattern runs at compile time and rejects anything else (a compile
/// error), so a new kind of pattern in the model cannot be matched wrongly.
/// Matching is byte-wise, like std::regex over char: `.` is any byte but
/// '\n' and '\r'.
struct byte_set {
    std::array<std::uint64_t, 4> bits{};

    constexpr void add(unsigned char c) { bits[c >> 6] |= std::uint64_t{1} << (c & 63); }
    constexpr bool contains(unsigned char c) const noexcept { return (bits[c >> 6] >> (c & 63)) & 1; }
    constexpr bool intersects(const byte_set& other) const noexcept {
        for (std::size_t i = 0; i < bits.size(); ++i)
            if (bits[i] & other.bits[i]) return true;
        return false;
    }
};

/// A run of literal bytes (literal_length > 0), or a quantified byte set.
struct pattern_atom {
    byte_set set{};
    std::uint32_t min = 1;
    std::uint32_t max = 1;  // unbounded: UINT32_MAX
    std::uint8_t literal_offset = 0;  // into pattern_branch::literals
    std::uint8_t literal_length = 0;
    // Giving back repetitions cannot help what follows (its first byte is never
    // in `set`), so the greedy count is final: no backtracking into this atom.
    bool possessive = false;
};

struct pattern_branch {
    std::array<pattern_atom, 16> atoms{};
    std::array<char, 64> literals{};
    std::uint8_t size = 0;
    std::uint8_t literals_size = 0;
    bool anchored_start = false;
    bool anchored_end = false;

    constexpr std::string_view literal(const pattern_atom& atom) const noexcept {
        return {literals.data() + atom.literal_offset, atom.literal_length};
    }
};

struct compiled_pattern {
    std::array<pattern_branch, 2> branches{};
    std::uint8_t size = 0;
};

namespace pattern_impl {

constexpr std::uint32_t unbounded = 0xFFFFFFFFu;

// Not constexpr: reaching it during constant evaluation is a compile error.
inline void fail(const char* why) { throw std::invalid_argument(why); }

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr bool is_quantifier(char c) { return c == '+' || c == '*' || c == '?' || c == '{'; }

constexpr std::uint32_t read_number(std::string_view p, std::size_t& i) {
    if (i >= p.size() || !is_digit(p[i])) fail("pattern: expected a number in {}");
    std::uint32_t v = 0;
    while (i < p.size() && is_digit(p[i])) v = v * 10 + static_cast<std::uint32_t>(p[i++] - '0');
    return v;
}

// An escaped character: only punctuation escapes are in the subset.
constexpr unsigned char escaped(std::string_view p, std::size_t& i) {
    if (i >= p.size()) fail("pattern: dangling backslash");
    char c = p[i++];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) fail("pattern: unsupported escape");
    return static_cast<unsigned char>(c);
}

constexpr byte_set read_class(std::string_view p, std::size_t& i) {
    byte_set set{};
    if (i < p.size() && p[i] == '^') fail("pattern: negated classes are not supported");
    bool first = true;
    while (true) {
        if (i >= p.size()) fail("pattern: unterminated class");
        if (p[i] == ']' && !first) {
            ++i;
            return set;
        }
        first = false;
        unsigned char lo = p[i] == '\\' ? (++i, escaped(p, i)) : static_cast<unsigned char>(p[i++]);
        if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
            ++i;
            unsigned char hi = p[i] == '\\' ? (++i, escaped(p, i)) : static_cast<unsigned char>(p[i++]);
            if (hi < lo) fail("pattern: reversed range");
            for (unsigned c = lo; c <= hi; ++c) set.add(static_cast<unsigned char>(c));
        } else {
            set.add(lo);
        }
    }
}

constexpr void read_quantifier(std::string_view p, std::size_t& i, pattern_atom& atom) {
    if (i >= p.size()) return;
    switch (p[i]) {
        case '+': atom.min = 1, atom.max = unbounded, ++i; break;
        case '*': atom.min = 0, atom.max = unbounded, ++i; break;
        case '?': atom.min = 0, atom.max = 1, ++i; break;
        case '{': {
            ++i;
            atom.min = atom.max = read_number(p, i);
            if (i < p.size() && p[i] == ',') {
                ++i;
                atom.max = (i < p.size() && p[i] == '}') ? unbounded : read_number(p, i);
            }
            if (i >= p.size() || p[i] != '}' || atom.max < atom.min) fail("pattern: bad {} quantifier");
            ++i;
            break;
        }
        default: return;
    }
    if (i < p.size() && is_quantifier(p[i])) fail("pattern: lazy or stacked quantifiers are not supported");
}

// The bytes the atom can start with, or nullopt-like `any` when it may match empty.
constexpr bool first_bytes(const pattern_branch& branch, const pattern_atom& atom, byte_set& out) {
    if (atom.literal_length != 0) {
        out = byte_set{};
        out.add(static_cast<unsigned char>(branch.literals[atom.literal_offset]));
        return true;
    }
    out = atom.set;
    return atom.min >= 1;
}

constexpr void mark_possessive(pattern_branch& branch) {
    for (std::size_t i = 0; i < branch.size; ++i) {
        pattern_atom& atom = branch.atoms[i];
        if (atom.literal_length != 0) continue;
        if (i + 1 == branch.size) {
            atom.possessive = true;  // greedy is as good as any count at the end
            continue;
        }
        byte_set next{};
        atom.possessive = first_bytes(branch, branch.atoms[i + 1], next) && !atom.set.intersects(next);
    }
}

constexpr pattern_branch compile_branch(std::string_view p) {
    pattern_branch branch{};
    std::size_t i = 0;
    if (i < p.size() && p[i] == '^') branch.anchored_start = true, ++i;
    while (i < p.size()) {
        if (p[i] == '$' && i + 1 == p.size()) {
            branch.anchored_end = true;
            break;
        }
        pattern_atom atom{};
        char c = p[i++];
        bool single_byte = false;
        switch (c) {
            case '[': atom.set = read_class(p, i); break;
            case '.':
                for (unsigned b = 0; b < 256; ++b)
                    if (b != '\n' && b != '\r') atom.set.add(static_cast<unsigned char>(b));
                break;
            case '\\':
                c = static_cast<char>(escaped(p, i));
                single_byte = true;
                break;
            case '(': case ')': case '^': case '$': case '+': case '*': case '?': case '{': case '}': case ']':
                fail("pattern: unsupported construct");
                break;
            default: single_byte = true;
        }
        if (single_byte && (i >= p.size() || !is_quantifier(p[i]))) {
            // An unquantified byte joins (or starts) a literal run.
            if (branch.literals_size == branch.literals.size()) fail("pattern: too many literals");
            pattern_atom* last = branch.size != 0 ? &branch.atoms[branch.size - 1] : nullptr;
            if (last == nullptr || last->literal_length == 0) {
                if (branch.size == branch.atoms.size()) fail("pattern: too long");
                last = &branch.atoms[branch.size++];
                *last = pattern_atom{};
                last->literal_offset = branch.literals_size;
            }
            branch.literals[branch.literals_size++] = c;
            ++last->literal_length;
            continue;
        }
        if (single_byte) atom.set.add(static_cast<unsigned char>(c));
        read_quantifier(p, i, atom);
        if (branch.size == branch.atoms.size()) fail("pattern: too long");
        branch.atoms[branch.size++] = atom;
    }
    mark_possessive(branch);
    return branch;
}

// The next top-level '|' from `start` (not inside a class, not escaped).
constexpr std::size_t find_alternation(std::string_view p, std::size_t start) {
    bool in_class = false;
    for (std::size_t i = start; i < p.size(); ++i) {
        if (p[i] == '\\') ++i;
        else if (p[i] == '[') in_class = true;
        else if (p[i] == ']') in_class = false;
        else if (p[i] == '|' && !in_class) return i;
    }
    return std::string_view::npos;
}

}  // namespace pattern_impl

/// Compiles `pattern`; throws (a compile error in a constant expression) for
/// anything outside the subset.
constexpr compiled_pattern compile_pattern(std::string_view pattern) {
    compiled_pattern out{};
    std::size_t start = 0;
    while (true) {
        std::size_t bar = pattern_impl::find_alternation(pattern, start);
        if (out.size == out.branches.size()) pattern_impl::fail("pattern: too many alternatives");
        out.branches[out.size++] = pattern_impl::compile_branch(pattern.substr(start, bar - start));
        if (bar == std::string_view::npos) break;
        start = bar + 1;
    }
    return out;
}

/// True when `pattern` matches somewhere in `text` (ECMAScript search
/// semantics, as Smithy patterns are defined). Linear for the model's
/// patterns (every unbounded atom but a trailing `.+.*` is possessive).
bool pattern_search(const compiled_pattern& pattern, std::string_view text) noexcept;

}  // namespace ivschat::detail
