#include "ivschat/model/pattern.hpp"

namespace ivschat::detail {

namespace {

bool match_from(const pattern_branch& branch, std::size_t atom_index, std::string_view text,
                std::size_t pos) noexcept {
    for (; atom_index < branch.size; ++atom_index) {
        const pattern_atom& atom = branch.atoms[atom_index];
        if (atom.literal_length != 0) {
            if (text.substr(pos, atom.literal_length) != branch.literal(atom)) return false;
            pos += atom.literal_length;
            continue;
        }
        std::size_t count = 0;
        while (count < atom.max && pos + count < text.size() &&
               atom.set.contains(static_cast<unsigned char>(text[pos + count])))
            ++count;
        if (count < atom.min) return false;
        if (atom.possessive) {
            pos += count;
            continue;
        }
        // Greedy with backtracking.
        for (std::size_t taken = count + 1; taken-- > atom.min;) {
            if (match_from(branch, atom_index + 1, text, pos + taken)) return true;
        }
        return false;
    }
    return !branch.anchored_end || pos == text.size();
}

bool branch_search(const pattern_branch& branch, std::string_view text) noexcept {
    if (branch.anchored_start) return match_from(branch, 0, text, 0);
    if (branch.size != 0 && branch.atoms[0].literal_length != 0) {
        // Jump between occurrences of the leading literal.
        const std::string_view lead = branch.literal(branch.atoms[0]);
        for (std::size_t at = text.find(lead); at != std::string_view::npos; at = text.find(lead, at + 1))
            if (match_from(branch, 1, text, at + lead.size())) return true;
        return false;
    }
    for (std::size_t start = 0; start <= text.size(); ++start)
        if (match_from(branch, 0, text, start)) return true;
    return false;
}

}  // namespace

bool pattern_search(const compiled_pattern& pattern, std::string_view text) noexcept {
    for (std::size_t b = 0; b < pattern.size; ++b)
        if (branch_search(pattern.branches[b], text)) return true;
    return false;
}

}  // namespace ivschat::detail
